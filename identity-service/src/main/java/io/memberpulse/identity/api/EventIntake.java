package io.memberpulse.identity.api;

import io.memberpulse.identity.IdentityConfig;
import io.memberpulse.identity.ImportEventsService;
import io.memberpulse.identity.ImportResult;
import io.memberpulse.identity.domain.IdentifierNormalizer;
import io.memberpulse.proto.identity.v1.ChannelEvent;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The one way events come in, whatever the transport (CSV, JSON, gRPC): read each, check it against
 * the format's rules, import the good ones in batches and count, with reasons, the ones refused.
 * A refused event never stops the others. Blocking: call from a worker thread.
 */
@ApplicationScoped
public class EventIntake {
    static final int BATCH_SIZE = 5_000;

    private final ImportEventsService importService;
    private final EventFormat format;
    private final ChannelEventRules rules;
    private final int maxListedRejections;

    public EventIntake(ImportEventsService importService, IdentityConfig config) {
        this.importService = importService;
        this.format = new EventFormat(ZoneId.of(config.identity().defaultZone()));
        this.rules = new ChannelEventRules(new IdentifierNormalizer(config.identity().defaultRegion(),
                IdentityConfig.guardrails(config)::isBlocked));
        this.maxListedRejections = config.identity().maxListedRejections();
    }

    /** One refused event: its 1-based position in the upload, its CSV line (0 if none), why. */
    public record Rejection(long position, long line, String field, String reason) {
    }

    public record Summary(long accepted, long duplicates, long rejected, List<Rejection> rejections) {
    }

    /** Collects events and imports them batch by batch. */
    public final class Session {
        private final List<ChannelEvent> pending = new ArrayList<>(BATCH_SIZE);
        private final List<Rejection> rejections = new ArrayList<>();
        private long accepted;
        private long duplicates;
        private long rejected;

        /** A row of cells (a CSV record or a JSON object). */
        public List<FieldError> offerCells(long position, long line, Map<String, String> cells) {
            EventFormat.Parsed parsed = format.parse(cells);
            List<FieldError> errors = new ArrayList<>(parsed.errors());
            for (FieldError error : rules.check(parsed.event())) {
                if (errors.stream().noneMatch(e -> e.field().equals(error.field()))) {
                    errors.add(error);
                }
            }
            accept(position, line, parsed.event(), errors);
            return errors;
        }

        /** An event that arrived typed (gRPC). */
        public List<FieldError> offerEvent(long position, ChannelEvent event) {
            List<FieldError> errors = rules.check(event);
            accept(position, 0, event, errors);
            return errors;
        }

        /** A whole record refused before it could be read (e.g. a CSV row with too many cells). */
        public void refuse(long position, long line, String field, String reason) {
            accept(position, line, null, List.of(new FieldError(field, reason)));
        }

        private void accept(long position, long line, ChannelEvent event, List<FieldError> errors) {
            if (!errors.isEmpty()) {
                rejected++;
                for (FieldError error : errors) {
                    if (rejections.size() < maxListedRejections) {
                        rejections.add(new Rejection(position, line, error.field(), error.reason()));
                    }
                }
                return;
            }
            pending.add(event);
            if (pending.size() >= BATCH_SIZE) {
                flush();
            }
        }

        private void flush() {
            if (pending.isEmpty()) {
                return;
            }
            ImportResult result = importService.importEvents(List.copyOf(pending));
            accepted += result.accepted();
            duplicates += result.duplicates();
            pending.clear();
        }

        public Summary finish() {
            flush();
            return new Summary(accepted, duplicates, rejected, List.copyOf(rejections));
        }
    }

    public Session open() {
        return new Session();
    }
}
