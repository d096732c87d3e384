package io.memberpulse.churn;

import io.memberpulse.churn.store.ModelRepository;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Optional;

/** Reads of stored model versions: the list, a report, its reliability plot. */
@ApplicationScoped
public class ModelQueryService {
    private final ModelRepository repository;

    public ModelQueryService(ModelRepository repository) {
        this.repository = repository;
    }

    public Uni<List<ModelRepository.Summary>> list() {
        return repository.list();
    }

    public Uni<Optional<String>> report(String version) {
        return repository.report(version);
    }

    public Uni<Optional<byte[]>> reliabilityPng(String version) {
        return repository.reliabilityPng(version);
    }
}
