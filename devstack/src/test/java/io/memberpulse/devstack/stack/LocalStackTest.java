package io.memberpulse.devstack.stack;

import static org.assertj.core.api.Assertions.assertThat;

import io.memberpulse.devstack.auth.DevTokens;
import org.junit.jupiter.api.Test;

class LocalStackTest {

    @Test
    void theServicesShareOnlyTheTokenIssuerNotEachOthersAddresses() {
        DevTokens tokens = DevTokens.generate();

        assertThat(LocalStack.sharedEnvironment(tokens))
                .containsOnlyKeys("MP_JWT_VERIFY_PUBLICKEY", "MEMBERPULSE_AUTH_ISSUER")
                .containsEntry("MP_JWT_VERIFY_PUBLICKEY", tokens.publicKeyPem())
                .containsEntry("MEMBERPULSE_AUTH_ISSUER", DevTokens.ISSUER);
    }
}
