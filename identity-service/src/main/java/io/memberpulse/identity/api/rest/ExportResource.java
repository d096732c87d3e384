package io.memberpulse.identity.api.rest;

import io.memberpulse.identity.ExportService;
import io.memberpulse.proto.auth.Roles;
import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.util.function.ToLongFunction;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Streamed CSV exports (chunked; nothing is collected in memory, whatever the size). */
@RolesAllowed(Roles.ANALYST)
@Path("/")
@Tag(name = "exports", description = "Stitching and de-duplication results as CSV")
@Blocking
public class ExportResource {
    static final String CSV = "text/csv;charset=UTF-8";

    private final ExportService exports;

    public ExportResource(ExportService exports) {
        this.exports = exports;
    }

    @GET
    @Path("identities/export")
    @Produces(CSV)
    @Operation(summary = "CSV event_id,source,member_id: every member-bearing event under its current member")
    public Response identities() {
        return stream("identities.csv", exports::identities);
    }

    @GET
    @Path("orders/duplicates/export")
    @Produces(CSV)
    @Operation(summary = "CSV source_a,event_id_a,source_b,event_id_b: each order line another channel "
            + "already reported (a = the first report, b = the repeat)")
    public Response duplicateOrders() {
        return stream("duplicate-orders.csv", exports::duplicateOrders);
    }

    private static Response stream(String fileName, ToLongFunction<OutputStream> export) {
        StreamingOutput body = out -> {
            BufferedOutputStream buffered = new BufferedOutputStream(out, 1 << 16);
            export.applyAsLong(buffered);
            buffered.flush();
        };
        return Response.ok(body, CSV).header("Content-Disposition", "attachment; filename=\"" + fileName + "\"").build();
    }
}
