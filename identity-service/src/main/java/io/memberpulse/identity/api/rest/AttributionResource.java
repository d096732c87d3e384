package io.memberpulse.identity.api.rest;

import io.memberpulse.identity.AttributionService;
import io.memberpulse.identity.api.EventFormat;
import io.memberpulse.identity.domain.Attribution.Credit;
import io.memberpulse.identity.domain.Attribution.Model;
import io.memberpulse.identity.domain.CampaignAttribution;
import io.memberpulse.identity.domain.OrderNotFoundException;
import io.memberpulse.proto.auth.Roles;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponseSchema;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Orders attributed to touch points (coupons, campaigns, channel visits) within configured windows. */
@RolesAllowed(Roles.ANALYST)
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "attribution", description = "Last-touch and linear attribution of orders, counted once")
public class AttributionResource {
    private final AttributionService attribution;

    public AttributionResource(AttributionService attribution) {
        this.attribution = attribution;
    }

    public record CreditResponse(String kind, String event, String channel, String campaignId, Instant occurredAt,
            double weight, double amount) {
        static CreditResponse of(Credit credit) {
            var touch = credit.touch();
            return new CreditResponse(touch.kind().code(), touch.key(), touch.channel(), touch.campaignId(), touch.at(),
                    credit.weight(), credit.amount());
        }
    }

    public record OrderAttributionResponse(String source, String orderId, String memberId, Instant occurredAt,
            double amount, int lines, String duplicateOf, String model, List<CreditResponse> credits) {
    }

    public record CampaignsResponse(String model, long orders, double revenue, long attributedOrders,
            List<CampaignAttribution.CampaignTotal> campaigns) {
    }

    @GET
    @Path("orders/{source}/{orderId}/attribution")
    @Operation(summary = "The touch points one order is credited to (model=last-touch|linear); an order "
            + "another channel reported first names it in duplicateOf and gets no credits")
    @APIResponseSchema(value = OrderAttributionResponse.class, responseDescription = "the order and its credits")
    @APIResponse(responseCode = "404", description = "no order with this id from this source")
    @APIResponse(responseCode = "400", description = "source names no channel (pos, miniapp, app, delivery, ecommerce, crm, other)")
    public Uni<OrderAttributionResponse> order(@PathParam("source") String source, @PathParam("orderId") String orderId,
            @QueryParam("model") @DefaultValue("last-touch") String model) {
        // spelt as the import takes it, in any case: "POS" found nothing before
        if (EventFormat.source(source).isEmpty()) {
            throw new InvalidRequestException("source", EventFormat.unknownSource(source));
        }
        String code = source.toLowerCase(Locale.ROOT);
        return attribution.order(code, orderId, model(model)).map(found -> found
                .map(a -> new OrderAttributionResponse(a.source(), a.orderId(), a.memberId(), a.occurredAt(), a.amount(),
                        a.lines(), a.duplicateOf(), a.model().code(), a.credits().stream().map(CreditResponse::of).toList()))
                .orElseThrow(() -> new OrderNotFoundException(code, orderId)));
    }

    @GET
    @Path("attribution/campaigns")
    @Operation(summary = "Orders and revenue credited to each campaign (model=last-touch|linear), every order counted once")
    public Uni<CampaignsResponse> campaigns(@QueryParam("model") @DefaultValue("last-touch") String model) {
        Model chosen = model(model);
        return attribution.campaigns(chosen).map(totals -> new CampaignsResponse(chosen.code(), totals.orders(),
                totals.revenue(), totals.attributedOrders(), totals.campaigns()));
    }

    private static Model model(String code) {
        return Model.fromCode(code).orElseThrow(() -> new InvalidRequestException("model",
                "unknown attribution model '" + code + "' (last-touch, linear)"));
    }
}
