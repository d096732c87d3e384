package io.memberpulse.proto.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.CallCredentials;
import io.grpc.Metadata;
import io.grpc.Status;
import io.quarkus.security.identity.request.TokenAuthenticationRequest;
import org.junit.jupiter.api.Test;

class BearerTokenCallCredentialsTest {
    @Test
    void theServersMechanismReadsBackTheTokenTheClientSends() {
        Metadata sent = new Metadata();
        new BearerTokenCallCredentials("abc.def.ghi").applyRequestMetadata(null, Runnable::run,
                new CallCredentials.MetadataApplier() {
                    @Override
                    public void apply(Metadata headers) {
                        sent.merge(headers);
                    }

                    @Override
                    public void fail(Status status) {
                        throw new AssertionError(status);
                    }
                });
        BearerTokenMechanism mechanism = new BearerTokenMechanism();
        assertThat(mechanism.handles(sent)).isTrue();
        assertThat(((TokenAuthenticationRequest) mechanism.createAuthenticationRequest(sent)).getToken().getToken())
                .isEqualTo("abc.def.ghi");
    }

    @Test
    void aMissingTokenIsRefusedWhereItIsGiven() {
        assertThatThrownBy(() -> new BearerTokenCallCredentials(null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("token is required");
        assertThatThrownBy(() -> new BearerTokenCallCredentials(" ")).isInstanceOf(IllegalArgumentException.class);
    }
}
