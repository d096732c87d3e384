package io.memberpulse.identity.api.rest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.memberpulse.identity.api.EventFormat;
import io.memberpulse.identity.api.EventIntake;
import io.memberpulse.identity.api.FieldError;
import io.memberpulse.identity.api.FieldLimits;
import io.memberpulse.proto.auth.Roles;
import io.memberpulse.proto.csv.CsvRecords;
import io.memberpulse.proto.rest.JsonBodyError;
import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.io.input.BOMInputStream;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponseSchema;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Event import over REST: JSON (one event or an array) and the channel-event CSV. Channel integrations
 * send them (ingest); analysts may import too (a CSV export of another system, the demo data set).
 */
@RolesAllowed({Roles.INGEST, Roles.ANALYST})
@Path("/events")
@Tag(name = "events", description = "Import channel events")
@Blocking
public class EventResource {
    private static final Set<String> REQUIRED_COLUMNS = Set.of("event_id", "source", "type", "occurred_at");
    private final EventIntake intake;
    private final ObjectMapper mapper;

    public EventResource(EventIntake intake, ObjectMapper mapper) {
        this.intake = intake;
        this.mapper = mapper;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Import one event (a JSON object with the CSV's column names; a key that is no column is "
            + "refused, and in an array rejects its row) or an array of them")
    @APIResponseSchema(value = ImportResponse.class, responseDescription = "accepted, already known and rejected rows (each with its line and reason)")
    @APIResponse(responseCode = "503",
            description = "another instance holds the writer lock: try again later (Retry-After)")
    public Response importJson(InputStream body) throws IOException {
        // Walked one event at a time (a body may hold 64 MB of them, and the CSV is read as a stream too), and parsed
        // here rather than bound by the framework, so a syntax error names its line and column. Each string, number
        // and nesting is cut past what any column accepts, so that one huge value costs its own row only.
        JsonValueCap capped = new JsonValueCap(body);
        try (JsonParser parser = mapper.createParser(capped)) {
            JsonToken first = parser.nextToken();
            if (first != JsonToken.START_OBJECT && first != JsonToken.START_ARRAY) {
                throw new InvalidRequestException("body", "must be a JSON object or an array of objects");
            }
            if (first == JsonToken.START_OBJECT) {
                Map<String, String> cells = JsonEventCells.read(parser, capped, "");
                EventIntake.Session session = intake.open();
                List<FieldError> errors = session.offerCells(1, 0, cells);
                if (!errors.isEmpty()) {
                    throw new InvalidRequestException(errors);
                }
                return Response.ok(ImportResponse.of(session.finish())).build();
            }
            EventIntake.Session session = intake.open();
            int position = 0;
            try {
                for (JsonToken token = parser.nextToken(); token != JsonToken.END_ARRAY; token = parser.nextToken()) {
                    if (token == null) {
                        throw new JsonEOFException(parser, null, "Unexpected end-of-input: the array is not closed");
                    }
                    position++;
                    if (token != JsonToken.START_OBJECT) {
                        parser.skipChildren(); // a nested array: past its end
                        session.refuse(position, 0, "[" + (position - 1) + "]", "must be a JSON object");
                        continue;
                    }
                    try {
                        session.offerCells(position, 0, JsonEventCells.read(parser, capped, "[" + (position - 1) + "]."));
                    } catch (InvalidRequestException e) {
                        session.refuse(position, 0, e.errors().get(0).field(), e.errors().get(0).reason());
                    }
                }
            } catch (JsonProcessingException e) {
                // Whole batches before the error may be stored already: the events read before it are all taken, and
                // the answer says so (sent again once corrected, each is taken once, by its source and event_id).
                EventIntake.Summary before = session.finish();
                JsonBodyError error = JsonBodyError.of(e);
                throw new InvalidRequestException(error.field(), error.reason() + "; the events before it were taken: "
                        + before.accepted() + " accepted, " + before.duplicates() + " already known, "
                        + before.rejected() + " rejected");
            }
            return Response.ok(ImportResponse.of(session.finish())).build();
        }
    }

    @POST
    @Path("/csv")
    @Consumes({"text/csv", MediaType.TEXT_PLAIN})
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Import the channel-event CSV (shared/docs/EVENT-CSV.md); bad rows are listed with their line, "
            + "and the header's columns the format does not list (ignored: a misspelt margin_rte) in ignoredColumns")
    @APIResponseSchema(value = ImportResponse.class, responseDescription = "accepted, already known and rejected rows (each with its line and reason)")
    @APIResponse(responseCode = "503",
            description = "another instance holds the writer lock: try again later (Retry-After)")
    public ImportResponse importCsv(InputStream body) throws IOException {
        // A byte-order mark (Excel's "CSV UTF-8") would otherwise stick to the first column's name.
        try (Reader reader = new InputStreamReader(BOMInputStream.builder().setInputStream(body).get(), StandardCharsets.UTF_8)) {
            CsvRecords records = new CsvRecords(reader);
            List<String> header = header(records.next());
            List<String> missing = REQUIRED_COLUMNS.stream().filter(c -> !header.contains(c)).sorted().toList();
            if (!missing.isEmpty()) {
                throw new InvalidRequestException("header", "missing required columns " + String.join(", ", missing));
            }
            EventIntake.Session session = intake.open();
            long position = 0;
            for (CsvRecords.Record record = records.next(); record != null; record = records.next()) {
                position++;
                if (record.broken() != null) {
                    // only this record: the reader goes on at the line after it
                    session.refuse(position, record.line(), "row", "malformed CSV: " + record.broken());
                    continue;
                }
                if (record.isBlank()) {
                    // A blank line is no row; skipped here, not by the reader, so later rows keep their line numbers.
                    continue;
                }
                if (record.cells().size() != header.size()) {
                    session.refuse(position, record.line(), "row",
                            "has " + record.cells().size() + " cells, the header has " + header.size());
                    continue;
                }
                session.offerCells(position, record.line(), cells(header, record.cells()));
            }
            return ImportResponse.of(session.finish(), ignoredColumns(header));
        }
    }

    /**
     * The header's column names; one it cannot read (a broken quote) or naming a column twice is a 400 naming it.
     * Unnamed columns (a spreadsheet's trailing comma) are ignored, as any unlisted column is. A first line naming none
     * of the required columns is a data row (a file saved without its header): the 400 says so and quotes none of its
     * cells, which hold phones and e-mail addresses.
     */
    private static List<String> header(CsvRecords.Record header) {
        if (header == null) {
            return List.of();
        }
        if (header.broken() != null) {
            throw new InvalidRequestException("header", "malformed CSV: " + header.broken());
        }
        List<String> names = header.cells();
        if (names.stream().noneMatch(REQUIRED_COLUMNS::contains)) {
            throw new InvalidRequestException("header", "the first line names none of the required columns "
                    + String.join(", ", REQUIRED_COLUMNS.stream().sorted().toList())
                    + ": the file seems to have no header row");
        }
        Map<String, Integer> firstColumn = new HashMap<>();
        for (int column = 1; column <= names.size(); column++) {
            String name = names.get(column - 1);
            Integer before = name.isEmpty() ? null : firstColumn.putIfAbsent(name, column);
            if (before != null) {
                throw new InvalidRequestException("header", "names the column " + FieldLimits.quote(name)
                        + " twice: columns " + before + " and " + column);
            }
        }
        return names;
    }

    /** The named columns the format does not list, in the header's order: read by nobody, so named in the answer. */
    private static List<String> ignoredColumns(List<String> header) {
        return header.stream().filter(name -> !name.isEmpty() && !EventFormat.COLUMNS.contains(name)).toList();
    }

    private static Map<String, String> cells(List<String> header, List<String> values) {
        Map<String, String> cells = new HashMap<>(header.size() * 2);
        for (int i = 0; i < header.size(); i++) {
            if (!header.get(i).isEmpty()) {
                cells.put(header.get(i), values.get(i));
            }
        }
        return cells;
    }
}
