package io.memberpulse.proto.rest;

import java.util.Map;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.Components;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;
import org.eclipse.microprofile.openapi.models.responses.APIResponses;

/**
 * Documents every service's errors in its OpenAPI document the way they are answered: RFC 9457 problem documents
 * ({@code application/problem+json}, schema {@code Problem}) for each 4xx and 5xx an operation declares, and a
 * 400 for every operation that takes a parameter or a body, since each of them checks what it is given. 401 and
 * 403 from the security layer carry no body and stay as they are; a 403 a resource answers itself with a problem
 * document (churn's store not permitted, campaign's reveals turned off) declares that content on the resource method.
 * Each service registers it with {@code mp.openapi.filter}; the 404s, 409s and 503s are declared where they can
 * happen, on the resource methods.
 */
public class ProblemResponses implements OASFilter {
    public static final String PROBLEM_JSON = "application/problem+json";
    public static final String PROBLEM_SCHEMA = "Problem";
    private static final String PROBLEM_REF = "#/components/schemas/" + PROBLEM_SCHEMA;

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        if (openAPI.getComponents() == null) {
            openAPI.setComponents(OASFactory.createComponents());
        }
        addSchemas(openAPI.getComponents());
        if (openAPI.getPaths() == null || openAPI.getPaths().getPathItems() == null) {
            return;
        }
        openAPI.getPaths().getPathItems().values().forEach(item -> item.getOperations().values().forEach(this::describe));
    }

    private void describe(Operation operation) {
        if (operation.getResponses() == null) {
            operation.setResponses(OASFactory.createAPIResponses());
        }
        APIResponses responses = operation.getResponses();
        boolean takesInput = operation.getRequestBody() != null
                || (operation.getParameters() != null && !operation.getParameters().isEmpty());
        if (takesInput && !responses.hasAPIResponse("400")) {
            responses.addAPIResponse("400", OASFactory.createAPIResponse()
                    .description("Bad Request: the problem document names each refused field and why"));
        }
        for (Map.Entry<String, APIResponse> entry : responses.getAPIResponses().entrySet()) {
            if (carriesAProblem(entry.getKey())) {
                entry.getValue().setContent(OASFactory.createContent().addMediaType(PROBLEM_JSON,
                        OASFactory.createMediaType().schema(OASFactory.createSchema().ref(PROBLEM_REF))));
            }
        }
    }

    private static boolean carriesAProblem(String code) {
        return (code.startsWith("4") || code.startsWith("5")) && !code.equals("401") && !code.equals("403");
    }

    private static void addSchemas(Components components) {
        Schema fieldError = object("A refused field: as the request spells it (a JSON path in a body), and why")
                .addProperty("field", string("the field, query parameter or JSON path; 'body' when the body is not JSON"))
                .addProperty("reason", string("why it was refused"));
        Schema problem = object("An RFC 9457 problem document: what every error of this service answers")
                .addProperty("type", string("always about:blank"))
                .addProperty("title", string("the HTTP status's phrase"))
                .addProperty("status", OASFactory.createSchema().addType(Schema.SchemaType.INTEGER).format("int32"))
                .addProperty("detail", string("what went wrong, for a person: 'field: reason' for a 400"))
                .addProperty("errors", OASFactory.createSchema().addType(Schema.SchemaType.ARRAY)
                        .description("every refused field (400); empty otherwise")
                        .items(OASFactory.createSchema().ref("#/components/schemas/ProblemFieldError")))
                .addRequired("title").addRequired("status").addRequired("detail");
        components.addSchema("ProblemFieldError", fieldError);
        components.addSchema(PROBLEM_SCHEMA, problem);
    }

    private static Schema object(String description) {
        return OASFactory.createSchema().addType(Schema.SchemaType.OBJECT).description(description);
    }

    private static Schema string(String description) {
        return OASFactory.createSchema().addType(Schema.SchemaType.STRING).description(description);
    }
}
