package io.memberpulse.churn;

import io.memberpulse.churn.store.ModelRepository;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Reads of stored model versions: the list, a report, its reliability plot. */
@ApplicationScoped
public class ModelQueryService {
    private final ModelRepository repository;

    public ModelQueryService(ModelRepository repository) {
        this.repository = repository;
    }

    /** A version as listed (GET /models, gRPC ListModels). */
    public record ModelVersion(String version, String kind, Instant trainedAt, Instant asOf, int horizonDays,
            boolean promoted, double validationAuc, double validationLift, String decision) {
        static ModelVersion of(ModelRepository.Summary s) {
            return new ModelVersion(s.version(), s.kind(), s.trainedAt(), s.asOf(), s.horizonDays(), s.promoted(),
                    s.validationAuc(), s.validationLift(), s.decision());
        }
    }

    public record VersionReport(ModelVersion version, String report) {
    }

    public Uni<List<ModelVersion>> list() {
        return repository.list().map(list -> list.stream().map(ModelVersion::of).toList());
    }

    public Uni<Optional<String>> report(String version) {
        return repository.report(version);
    }

    public Uni<Optional<VersionReport>> versionAndReport(String version) {
        return repository.summaryAndReport(version).map(found -> found
                .map(stored -> new VersionReport(ModelVersion.of(stored.summary()), stored.report())));
    }

    public Uni<Optional<byte[]>> reliabilityPng(String version) {
        return repository.reliabilityPng(version);
    }
}
