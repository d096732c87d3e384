package io.memberpulse.proto.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.impl.RedisURI;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The addresses RedisAclUser writes, read back by the Vert.x client's own parser (RedisURI, what it signs in
 * with): the user and password come out exactly as given, whatever they hold, and nothing else changes.
 */
class RedisAclUserTest {

    @Test
    void theClientReadsBackTheUserAndPasswordExactly() {
        for (String password : List.of("plain", "p@ss:w/rd", "a+b c%20d", "ünï€ode", "#?&=")) {
            String address = RedisAddresses.withUser(List.of("rediss://redis.example:6380"), "memberpulse-rfm", password).get(0);
            RedisURI read = new RedisURI(address);
            assertThat(read.user()).isEqualTo("memberpulse-rfm");
            assertThat(read.password()).as(password).isEqualTo(password);
            assertThat(read.socketAddress().host()).isEqualTo("redis.example");
            assertThat(read.socketAddress().port()).isEqualTo(6380);
            assertThat(read.ssl()).isTrue();
        }
    }

    @Test
    void eachAddressKeepsItsHostPortDatabaseAndSchemeAndLosesOldUserInfo() {
        List<String> addresses = RedisAddresses.withUser(
                List.of("redis://old:secret@10.0.0.1:6379/2", "redis://[::1]:7000"), "user:1", "pw");
        assertThat(addresses).containsExactly("redis://user%3A1:pw@10.0.0.1:6379/2", "redis://user%3A1:pw@[::1]:7000");
        RedisURI first = new RedisURI(addresses.get(0));
        assertThat(first.user()).isEqualTo("user:1");
        assertThat(first.select()).isEqualTo(2);
        assertThat(first.ssl()).isFalse();
    }

    @Test
    void aUserWithoutPasswordIsRefusedNamingTheVariables() {
        assertThatThrownBy(() -> RedisAddresses.withUser(List.of("redis://h:1"), "u", ""))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("REDIS_USERNAME")
                .hasMessageContaining("REDIS_PASSWORD");
        assertThatThrownBy(() -> RedisAddresses.withUser(List.of("redis://h:1"), "u", null))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void withoutAUserNameTheOptionsAreLeftAlone() {
        for (Optional<String> none : List.of(Optional.<String>empty(), Optional.of(" "))) {
            RedisOptions options = new RedisOptions().setEndpoints(List.of("redis://h:1")).setPassword("pw");
            new RedisAclUser(none).customize("<default>", options);
            assertThat(options.getEndpoints()).containsExactly("redis://h:1");
        }
        RedisOptions options = new RedisOptions().setEndpoints(List.of("redis://h:1")).setPassword("pw");
        new RedisAclUser(Optional.of("svc")).customize("<default>", options);
        assertThat(new RedisURI(options.getEndpoint()).user()).isEqualTo("svc");
        assertThat(new RedisURI(options.getEndpoint()).password()).isEqualTo("pw");
    }
}
