package io.memberpulse.churn;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.memberpulse.churn.domain.NotEnoughDataException;
import io.memberpulse.churn.domain.WhatIfRoi;
import io.memberpulse.churn.domain.metrics.LiftCurve;
import io.memberpulse.churn.store.ModelRepository;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;

/**
 * The what-if ROI from the live model: the promoted version's churn rate and lift at the asked share,
 * as measured on its validation window and stored in its report; with no promoted version, the rhythm
 * baseline (what scores members then) as measured in the newest report.
 */
@ApplicationScoped
public class WhatIfRoiService {
    private static final String RHYTHM = "rhythm";

    private final ModelRepository models;
    private final ObjectMapper json;

    /** memberpulse.churn.horizon-days: what the served scores predict, so what a measured lift must be for. */
    private final int horizonDays;

    public WhatIfRoiService(ModelRepository models, ObjectMapper json, ChurnConfig config) {
        this.models = models;
        this.json = json;
        this.horizonDays = config.churn().horizonDays();
    }

    public Uni<WhatIfRoi.Result> whatIf(WhatIfRoi.Inputs inputs) {
        return models.promotedReport().flatMap(promoted -> promoted.isPresent()
                ? Uni.createFrom().item(measured(promoted.get(), null, inputs.topShare()))
                : models.latestReport(horizonDays).map(latest -> measured(latest.orElseThrow(() -> new NotEnoughDataException(
                        "no measured lift yet: no model version has been trained for the " + horizonDays
                                + "-day horizon scores are served at (POST /models/train)")),
                        RHYTHM, inputs.topShare())))
                .map(measured -> WhatIfRoi.calculate(inputs, measured));
    }

    /** @param kind the model kind to read in the report; null: the version's chosen model */
    private WhatIfRoi.Measured measured(ModelRepository.VersionReport stored, String kind, double share) {
        JsonNode report = read(stored.report());
        String key = kind != null ? kind : report.path("chosen").asText();
        JsonNode metrics = report.path("validation").path(key);
        if (metrics.isMissingNode()) {
            throw new NotEnoughDataException("the report of " + stored.version() + " has no measurement of " + key);
        }
        LiftCurve curve = curve(metrics);
        String source = kind == null
                ? "model " + stored.version() + " (" + key + "), measured on its validation window"
                : "the rhythm baseline (no model promoted), as measured in the report of " + stored.version();
        if (curve.points().size() == 1) {
            source += "; lift measured at 20% only";
        }
        return new WhatIfRoi.Measured(source, metrics.path("churnRate").asDouble(), curve.at(share));
    }

    /** The stored lift curve; reports written before it existed give lift at 20% alone. */
    private static LiftCurve curve(JsonNode metrics) {
        List<LiftCurve.Point> points = new ArrayList<>();
        for (JsonNode point : metrics.path("liftCurve")) {
            if (point.path("lift").isNumber()) {
                points.add(new LiftCurve.Point(point.path("share").asDouble(), point.path("lift").asDouble()));
            }
        }
        if (points.isEmpty()) {
            points.add(new LiftCurve.Point(0.2, metrics.path("liftAt20").asDouble()));
        }
        return new LiftCurve(points);
    }

    private JsonNode read(String report) {
        try {
            return json.readTree(report);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored report unreadable", e);
        }
    }
}
