package io.memberpulse.proto.redis;

import io.quarkus.redis.client.RedisOptionsCustomizer;
import io.vertx.redis.client.RedisOptions;
import jakarta.inject.Singleton;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Signs every service's Redis client in as a Redis ACL user (AUTH username password) when
 * {@code redis-acl.username} (REDIS_USERNAME) is set, as managed Redis with users requires (ElastiCache
 * RBAC, Redis Enterprise, Azure). quarkus-redis-client has a password setting but none for a user name; the
 * Vert.x client takes the user from the address's user-info, where the password must then be too, so each
 * address becomes {@code scheme://user:password@host:port}, both percent-encoded (a password from a Secret may
 * hold '@', ':' or '+'). Unset or blank: the addresses are left as they are (AUTH with the password alone, or none).
 */
@Singleton
public class RedisAclUser implements RedisOptionsCustomizer {
    private final Optional<String> username;

    public RedisAclUser(@ConfigProperty(name = "redis-acl.username") Optional<String> username) {
        this.username = username.filter(name -> !name.isBlank());
    }

    @Override
    public void customize(String clientName, RedisOptions options) {
        username.ifPresent(user -> options.setEndpoints(
                RedisAddresses.withUser(options.getEndpoints(), user, options.getPassword())));
    }
}
