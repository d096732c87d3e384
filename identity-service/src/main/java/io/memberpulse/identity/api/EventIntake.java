package io.memberpulse.identity.api;

import io.memberpulse.identity.IdentityConfig;
import io.memberpulse.identity.ImportEventsService;
import io.memberpulse.identity.ImportResult;
import io.memberpulse.identity.NotWriterException;
import io.memberpulse.identity.SingleWriter;
import io.memberpulse.identity.domain.Identifier;
import io.memberpulse.identity.domain.IdentifierNormalizer;
import io.memberpulse.proto.identity.v1.ChannelEvent;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.ZoneId;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The one way events come in, whatever the transport (CSV, JSON, gRPC): read each, check it against
 * the format's rules, import the good ones in batches and count, with reasons, the ones refused.
 * A refused event never stops the others. Blocking: call from a worker thread.
 */
@ApplicationScoped
public class EventIntake {
    /**
     * Events stitched and written together. Each batch costs two look-ups and seven statements whatever
     * its size: 5,000 rather than 2,500 took PostgreSQL's CPU for a 287k-event import from 13.7-14.2 s to
     * 10.2-13.2 s; 10,000 gained nothing more (ImportBenchmarkTest).
     */
    static final int BATCH_SIZE = 5_000;
    /** Batches stored whose broker acknowledgements may still be awaited before reading on. */
    static final int MAX_UNACKNOWLEDGED_BATCHES = 4;
    /**
     * Batches submitted and not yet stored: two, so that one is stitched while the other is written
     * (more would only queue behind the one import thread and hold their events in memory).
     */
    static final int MAX_IMPORTING_BATCHES = 2;

    private final ImportEventsService importService;
    private final EventFormat format;
    private final ChannelEventRules rules;
    private final int maxListedRejections;
    private final SingleWriter writer;

    public EventIntake(ImportEventsService importService, IdentityConfig config, SingleWriter writer) {
        this.importService = importService;
        this.writer = writer;
        this.format = new EventFormat(ZoneId.of(config.identity().defaultZone()));
        this.rules = new ChannelEventRules(new IdentifierNormalizer(config.identity().defaultRegion(),
                IdentityConfig.guardrails(config)::isBlocked), Clock.systemUTC(), config.identity().maxFutureSkew());
        this.maxListedRejections = config.identity().maxListedRejections();
    }

    /** One refused event: its 1-based position in the upload, its CSV line (0 if none), why. */
    public record Rejection(long position, long line, String field, String reason) {
    }

    /**
     * @param changed how many of the duplicates came with other content than the event first imported under their
     *     key (not taken: the first content stands); changedEvents names the first of them, "source:event_id"
     */
    public record Summary(long accepted, long duplicates, long rejected, List<Rejection> rejections, long changed,
            List<String> changedEvents) {
    }

    /**
     * Collects events and imports them batch by batch, pipelined: a full batch is written while the
     * next one is stitched and the caller reads the one after, and its publication is acknowledged in
     * the background; {@link #finish} returns once every accepted event is stored and acknowledged by
     * the broker.
     */
    public final class Session {
        private final List<ChannelEvent> pending = new ArrayList<>(BATCH_SIZE);
        /** The identifiers of pending events as the rules normalised them, by event (instance). */
        private Map<ChannelEvent, List<Identifier>> normalized = new IdentityHashMap<>();
        private final Deque<CompletableFuture<Void>> unacknowledged = new ArrayDeque<>();
        private final Deque<CompletableFuture<ImportEventsService.Imported>> importing = new ArrayDeque<>();
        private final List<Rejection> rejections = new ArrayList<>();
        private long accepted;
        private long duplicates;
        private long rejected;
        private long changed;
        private final List<String> changedEvents = new ArrayList<>();

        /** A row of cells (a CSV record or a JSON object). */
        public List<FieldError> offerCells(long position, long line, Map<String, String> cells) {
            EventFormat.Parsed parsed = format.parse(cells);
            List<FieldError> errors = new ArrayList<>(parsed.errors());
            ChannelEventRules.Checked checked = rules.checked(parsed.event());
            for (FieldError error : checked.errors()) {
                if (errors.stream().noneMatch(e -> e.field().equals(error.field()))) {
                    errors.add(error);
                }
            }
            accept(position, line, parsed.event(), errors, checked.identifiers());
            return errors;
        }

        /** An event that arrived typed (gRPC, Kafka). */
        public List<FieldError> offerEvent(long position, ChannelEvent sent) {
            ChannelEvent event = ChannelEventRules.trimmed(sent);
            ChannelEventRules.Checked checked = rules.checked(event);
            accept(position, 0, event, checked.errors(), checked.identifiers());
            return checked.errors();
        }

        /** A whole record refused before it could be read (e.g. a CSV row with too many cells). */
        public void refuse(long position, long line, String field, String reason) {
            accept(position, line, null, List.of(new FieldError(field, reason)), List.of());
        }

        private void accept(long position, long line, ChannelEvent event, List<FieldError> errors,
                List<Identifier> identifiers) {
            if (!errors.isEmpty()) {
                rejected++;
                for (FieldError error : errors) {
                    if (rejections.size() < maxListedRejections) {
                        rejections.add(new Rejection(position, line, error.field(), error.reason()));
                    }
                }
                return;
            }
            ChannelEvent stored = ChannelEventRules.normalised(event);
            pending.add(stored);
            if (!identifiers.isEmpty()) {
                normalized.put(stored, identifiers);
            }
            if (pending.size() >= BATCH_SIZE) {
                flush();
            }
        }

        private void flush() {
            if (pending.isEmpty()) {
                return;
            }
            List<ChannelEvent> batch = List.copyOf(pending);
            Map<ChannelEvent, List<Identifier>> identifiers = normalized;
            pending.clear();
            normalized = new IdentityHashMap<>();
            while (importing.size() >= MAX_IMPORTING_BATCHES) {
                awaitImport();
            }
            importing.addLast(importService.submit(batch, identifiers));
        }

        /** Waits for the oldest batch being stored; a failure to store it stops the session. */
        private void awaitImport() {
            CompletableFuture<ImportEventsService.Imported> stored = importing.removeFirst();
            ImportEventsService.awaitAll(List.of(stored));
            ImportEventsService.Imported imported = stored.join();
            ImportResult result = imported.result();
            accepted += result.accepted();
            duplicates += result.duplicates();
            changed += result.changed().size();
            for (String event : result.changed()) {
                if (changedEvents.size() < maxListedRejections) {
                    changedEvents.add(event);
                }
            }
            unacknowledged.addLast(imported.acknowledged());
            while (!unacknowledged.isEmpty() && unacknowledged.peekFirst().isDone()) {
                ImportEventsService.awaitAll(List.of(unacknowledged.removeFirst()));
            }
            if (unacknowledged.size() > MAX_UNACKNOWLEDGED_BATCHES) {
                ImportEventsService.awaitAll(List.of(unacknowledged.removeFirst()));
            }
        }

        public Summary finish() {
            try {
                flush();
                while (!importing.isEmpty()) {
                    awaitImport();
                }
            } catch (RuntimeException e) {
                importing.forEach(stored -> stored.exceptionally(ignored -> null).join());
                unacknowledged.forEach(acknowledged -> acknowledged.exceptionally(ignored -> null).join());
                throw e;
            }
            ImportEventsService.awaitAll(List.copyOf(unacknowledged));
            unacknowledged.clear();
            return new Summary(accepted, duplicates, rejected, List.copyOf(rejections), changed,
                    List.copyOf(changedEvents));
        }
    }

    /** Throws {@link NotWriterException} when another instance is the writer: nothing is read then. */
    public Session open() {
        writer.check();
        return new Session();
    }
}
