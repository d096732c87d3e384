package io.memberpulse.identity;

import io.restassured.builder.RequestSpecBuilder;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The body of POST /members/resolve, for {@code given().spec(identifiers("member_no", "M-1")).post("/members/resolve")}:
 * identifiers are refused in the query string (gateways log URLs).
 */
public final class ResolveBodies {
    private ResolveBodies() {
    }

    /** @param namesAndValues pairs of an identifier's name as the import's column (member_no) and its value */
    public static RequestSpecification identifiers(String... namesAndValues) {
        Map<String, String> body = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            body.put(namesAndValues[i], namesAndValues[i + 1]);
        }
        return new RequestSpecBuilder().setContentType(ContentType.JSON).setBody(body).build();
    }
}
