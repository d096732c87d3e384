package io.memberpulse.devstack.testing;

import static io.restassured.RestAssured.given;

import io.restassured.path.json.JsonPath;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The OpenAPI document of the service under test (REST Assured's port), read as a frontend's code generator reads
 * it: what each operation answers, and whether every error is documented as the problem document it is.
 */
public final class OpenApiDocument {
    private static final Set<String> HTTP_METHODS = Set.of("get", "put", "post", "delete", "patch", "head", "options");
    private static final String PROBLEM_REF = "#/components/schemas/Problem";

    private final JsonPath json;

    private OpenApiDocument(JsonPath json) {
        this.json = json;
    }

    public static OpenApiDocument fetch() {
        return new OpenApiDocument(given().header("Authorization", "").get("/q/openapi?format=json").then()
                .statusCode(200).extract().jsonPath());
    }

    /** The response codes an operation declares, e.g. responses("get", "/campaigns/{id}"). */
    public Set<String> responses(String method, String path) {
        Map<String, Object> responses = json.getMap(operation(method, path) + ".responses");
        if (responses == null) {
            throw new AssertionError("no operation " + method.toUpperCase() + " " + path + " in the OpenAPI document");
        }
        return new TreeSet<>(responses.keySet());
    }

    /** The $ref of a response's JSON schema (of its items, for an array), or null. */
    public String schemaOf(String method, String path, String code) {
        String schema = operation(method, path) + ".responses.'" + code + "'.content.'application/json'.schema";
        String ref = json.getString(schema + ".'$ref'");
        return ref != null ? ref : json.getString(schema + ".items.'$ref'");
    }

    /** The $ref of a response's application/problem+json schema, or null when it documents none. */
    public String problemSchemaOf(String method, String path, String code) {
        return json.getString(operation(method, path) + ".responses.'" + code
                + "'.content.'application/problem+json'.schema.'$ref'");
    }

    /** A query or path parameter's schema (type, minimum, maximum, default...), e.g. parameter("get", "/jobs", "limit"). */
    public Map<String, Object> parameter(String method, String path, String name) {
        List<Map<String, Object>> parameters = json.getList(operation(method, path) + ".parameters");
        if (parameters != null) {
            for (Map<String, Object> parameter : parameters) {
                if (name.equals(parameter.get("name"))) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> schema = (Map<String, Object>) parameter.get("schema");
                    return schema;
                }
            }
        }
        throw new AssertionError("no parameter " + name + " on " + method.toUpperCase() + " " + path);
    }

    /**
     * A numeric parameter's schema in one line, as "integer 1..20 default 5" ("(0..1]" with an exclusive minimum, an
     * open end left empty: "number 0.01.. default 10"), so that a test states what a client generator reads.
     */
    public String numberParameter(String method, String path, String name) {
        Map<String, Object> schema = parameter(method, path, name);
        Object exclusive = schema.get("exclusiveMinimum");
        String low = exclusive instanceof Number ? "(" + plain(exclusive)
                : (Boolean.TRUE.equals(exclusive) ? "(" : "") + plain(schema.get("minimum"));
        Object exclusiveMax = schema.get("exclusiveMaximum");
        String high = exclusiveMax instanceof Number ? plain(exclusiveMax) + ")"
                : plain(schema.get("maximum")) + (Boolean.TRUE.equals(exclusiveMax) ? ")" : "");
        return schema.get("type") + " " + low + ".." + high
                + (schema.get("default") == null ? "" : " default " + plain(schema.get("default")));
    }

    private static String plain(Object number) {
        return number == null ? "" : new java.math.BigDecimal(number.toString()).stripTrailingZeros().toPlainString();
    }

    /** The required properties of a component schema, e.g. required("CampaignRequest"); empty when none. */
    public List<String> required(String schema) {
        List<String> required = json.getList("components.schemas." + schema + ".required", String.class);
        return required == null ? List.of() : required;
    }

    /**
     * Asserts that every 4xx and 5xx response but 401 and 403 (which carry no body, unless a 403 documents the problem
     * document a resource answers itself) is application/problem+json
     * with the Problem schema, that every operation taking a parameter or a body declares its 400, and that the
     * Problem schema names its fields.
     *
     * @return how many operations were checked
     * @throws AssertionError naming every operation and response that breaks this
     */
    public int assertEveryErrorIsAProblem() {
        List<String> broken = new ArrayList<>();
        if (json.getMap("components.schemas.Problem.properties") == null
                || !json.getMap("components.schemas.Problem.properties").keySet().containsAll(
                        Set.of("type", "title", "status", "detail", "errors"))) {
            broken.add("components.schemas.Problem lacks type, title, status, detail or errors");
        }
        int operations = 0;
        Map<String, Map<String, Object>> paths = json.getMap("paths");
        for (var path : paths.entrySet()) {
            for (var method : path.getValue().keySet()) {
                if (!HTTP_METHODS.contains(method)) {
                    continue;
                }
                operations++;
                String operation = operation(method, path.getKey());
                String name = method.toUpperCase() + " " + path.getKey();
                Set<String> codes = responses(method, path.getKey());
                List<Object> parameters = json.getList(operation + ".parameters");
                boolean takesInput = json.get(operation + ".requestBody") != null
                        || (parameters != null && !parameters.isEmpty());
                if (takesInput && !codes.contains("400")) {
                    broken.add(name + " takes input but declares no 400");
                }
                for (String code : codes) {
                    boolean error = code.startsWith("4") || code.startsWith("5");
                    boolean bodiless = code.equals("401") || code.equals("403")
                            && json.get(operation + ".responses.'403'.content") == null;
                    if (error && !bodiless && !PROBLEM_REF.equals(problemSchemaOf(method, path.getKey(), code))) {
                        broken.add(name + " " + code + " is not an application/problem+json Problem");
                    }
                }
            }
        }
        if (!broken.isEmpty()) {
            throw new AssertionError(broken.size() + " errors not documented as problems: " + String.join("; ", broken));
        }
        return operations;
    }

    private static String operation(String method, String path) {
        return "paths.'" + path + "'." + method.toLowerCase();
    }
}
