package io.memberpulse.campaign.api.rest;

import io.quarkus.smallrye.openapi.OpenApiFilter;
import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.media.Schema;

/** The figures that are null where undefined (UndefinedFiguresAsNull), documented as nullable numbers. */
@OpenApiFilter(OpenApiFilter.RunStage.BUILD)
public class UndefinedFiguresNullable implements OASFilter {
    /** Schema name → its figures that the domain leaves undefined (NaN) in some state. */
    static final Map<String, Set<String>> UNDEFINED = Map.of(
            "CampaignReview", Set.of("roi", "roiLow", "roiHigh"),
            "Estimate", Set.of("value", "low", "high"),
            "Metric", Set.of("differenceInDifferences"),
            "BeforeAfter", Set.of("roi"));

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        if (openAPI.getComponents() == null || openAPI.getComponents().getSchemas() == null) {
            return;
        }
        UNDEFINED.forEach((name, figures) -> {
            Schema schema = openAPI.getComponents().getSchemas().get(name);
            if (schema == null || schema.getProperties() == null) {
                return;
            }
            figures.forEach(figure -> {
                Schema property = schema.getProperties().get(figure);
                if (property != null && property.getType() != null && !property.getType().contains(Schema.SchemaType.NULL)) {
                    property.addType(Schema.SchemaType.NULL);
                }
            });
        });
    }
}
