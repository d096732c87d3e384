package io.memberpulse.rfm;

import io.memberpulse.rfm.domain.StoreRegion;
import io.memberpulse.rfm.store.StoreDirectoryRepository;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/** The store directory analysts maintain: which region each store belongs to (the region comparison's rows). */
@ApplicationScoped
public class StoreDirectoryService {
    private final StoreDirectoryRepository directory;

    public StoreDirectoryService(StoreDirectoryRepository directory) {
        this.directory = directory;
    }

    /** Sets a store's region (checked by {@link StoreRegion}); the entry as stored. */
    public Uni<StoreRegion.Assigned> assign(String storeId, String region) {
        return directory.put(new StoreRegion(storeId, region));
    }

    public Uni<List<StoreRegion.Assigned>> all() {
        return directory.all();
    }
}
