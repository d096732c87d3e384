package io.memberpulse.proto.redis;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Redis addresses as the Vert.x Redis client reads them; no Quarkus here, so the launcher and tests use it too. */
public final class RedisAddresses {
    private RedisAddresses() {
    }

    /** The addresses with the user and password as their user-info, replacing any there. */
    public static List<String> withUser(List<String> endpoints, String user, String password) {
        if (password == null || password.isEmpty()) {
            throw new IllegalArgumentException("REDIS_USERNAME is set but REDIS_PASSWORD is empty: a Redis ACL user"
                    + " signs in with both");
        }
        String userInfo = encode(user) + ":" + encode(password);
        return endpoints.stream().map(endpoint -> {
            URI address = URI.create(endpoint);
            if (address.getHost() == null) {
                throw new IllegalArgumentException("not a Redis address with a host: " + endpoint);
            }
            return address.getScheme() + "://" + userInfo + "@" + address.getRawAuthority()
                    .substring(address.getRawAuthority().lastIndexOf('@') + 1)
                    + (address.getRawPath() == null ? "" : address.getRawPath())
                    + (address.getRawQuery() == null ? "" : "?" + address.getRawQuery());
        }).toList();
    }

    /** The Vert.x client decodes user-info as a form value (URLDecoder: '+' is a space), so encode it as one. */
    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
