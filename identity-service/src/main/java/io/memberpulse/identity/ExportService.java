package io.memberpulse.identity;

import io.memberpulse.identity.store.ExportRepository;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.OutputStream;

/** The exports an external scorer reads: events under their current member, and duplicated order lines. */
@ApplicationScoped
public class ExportService {
    private final ExportRepository repository;

    public ExportService(ExportRepository repository) {
        this.repository = repository;
    }

    /** CSV {@code event_id,source,member_id}, one row per member-bearing event. Blocking. */
    public long identities(OutputStream out) {
        return repository.identities(out);
    }

    /** CSV {@code source_a,event_id_a,source_b,event_id_b}, one row per duplicated order line. Blocking. */
    public long duplicateOrders(OutputStream out) {
        return repository.duplicateOrders(out);
    }
}
