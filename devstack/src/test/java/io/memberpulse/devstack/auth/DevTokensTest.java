package io.memberpulse.devstack.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Base64;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.keys.RsaKeyUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DevTokensTest {
    @TempDir
    Path dir;

    /** The stack keeps one key pair: tokens signed by a later command verify with the key the services got. */
    @Test
    void theKeyPairIsKeptInTheStateFolderAndItsTokensVerifyWithItsPublicKey() throws Exception {
        DevTokens first = DevTokens.loadOrCreate(dir);
        DevTokens again = DevTokens.loadOrCreate(dir);
        assertThat(again.publicKeyPem()).isEqualTo(first.publicKeyPem());
        assertThat(Files.getPosixFilePermissions(dir.resolve(DevTokens.PRIVATE_KEY_FILE)))
                .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);

        Path created = dir.resolve("state/auth");
        DevTokens.loadOrCreate(created);
        assertThat(Files.getPosixFilePermissions(created)).as("the key's folder, made by the launcher")
                .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
                        PosixFilePermission.OWNER_EXECUTE);

        JwtClaims staff = consumer(first).processToClaims(again.staff("store-7"));
        assertThat(staff.getStringListClaimValue("groups")).containsExactly("staff");
        assertThat(staff.getStringClaimValue("store_id")).isEqualTo("store-7");
        assertThat(staff.getIssuer()).isEqualTo(DevTokens.ISSUER);
        JwtClaims analyst = consumer(first).processToClaims(again.analyst());
        assertThat(analyst.getStringListClaimValue("groups")).containsExactlyInAnyOrder("analyst", "ingest");
        assertThat(analyst.hasClaim("store_id")).isFalse();
        JwtClaims steward = consumer(first).processToClaims(again.steward());
        assertThat(steward.getStringListClaimValue("groups")).containsExactly("steward");
        assertThat(steward.hasClaim("store_id")).isFalse();
    }

    @Test
    void tokensOfAnotherKeyPairDoNotVerify() {
        DevTokens stack = DevTokens.generate();
        String forged = DevTokens.generate().analyst();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> consumer(stack).processToClaims(forged))
                .isInstanceOf(InvalidJwtException.class);
    }

    private static JwtConsumer consumer(DevTokens tokens) throws Exception {
        String base64 = tokens.publicKeyPem().replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        var key = new RsaKeyUtil().fromPemEncoded("-----BEGIN PUBLIC KEY-----\n" + base64 + "\n-----END PUBLIC KEY-----");
        assertThat(Base64.getDecoder().decode(base64.getBytes(StandardCharsets.US_ASCII))).isNotEmpty();
        return new JwtConsumerBuilder().setVerificationKey(key).setExpectedIssuer(DevTokens.ISSUER)
                .setExpectedAudience(DevTokens.AUDIENCE)
                .setRequireExpirationTime().setJwsAlgorithmConstraints(new AlgorithmConstraints(
                        AlgorithmConstraints.ConstraintType.PERMIT, AlgorithmIdentifiers.RSA_USING_SHA256))
                .build();
    }
}
