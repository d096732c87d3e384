package io.memberpulse.rfm;

import io.memberpulse.rfm.domain.StoreRegion;
import io.memberpulse.rfm.domain.UnknownStoreException;
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

    /**
     * Removes a store's entry: the region comparison counts its orders under "unassigned" from the next call (it reads
     * the directory on every call, nothing of it is cached). Fails with UnknownStoreException when it has no entry.
     */
    public Uni<Void> remove(String storeId) {
        return directory.delete(storeId).map(removed -> {
            if (!removed) {
                throw new UnknownStoreException(storeId);
            }
            return null;
        });
    }

    public Uni<List<StoreRegion.Assigned>> all() {
        return directory.all();
    }
}
