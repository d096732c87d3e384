package io.memberpulse.devstack.auth;

import io.memberpulse.proto.auth.Roles;
import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.build.JwtClaimsBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.Set;

/**
 * The identity provider of the local stack and the tests: an RSA key pair of its own that signs the bearer
 * tokens the services verify (the services get only the public key). Production tokens come from the
 * platform's identity provider; this key never leaves the machine.
 */
public final class DevTokens {
    /** The issuer the services accept from the local stack and the tests. */
    public static final String ISSUER = "https://memberpulse.local/dev";
    /** The audience the services accept by default (MEMBERPULSE_AUTH_AUDIENCE): tokens issued to other apps are refused. */
    public static final String AUDIENCE = "memberpulse";
    static final String PRIVATE_KEY_FILE = "token-signing.key";
    static final String PUBLIC_KEY_FILE = "token-signing.pub";

    private final PrivateKey privateKey;
    private final PublicKey publicKey;

    private DevTokens(PrivateKey privateKey, PublicKey publicKey) {
        this.privateKey = privateKey;
        this.publicKey = publicKey;
    }

    /** A new key pair, held in memory (tests). */
    public static DevTokens generate() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            KeyPair pair = generator.generateKeyPair();
            return new DevTokens(pair.getPrivate(), pair.getPublic());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no RSA key pair generator", e);
        }
    }

    private interface Creation {
        Path create(Path path, FileAttribute<?>... attributes) throws IOException;
    }

    /** Creates the path with these permissions; on a file system without POSIX permissions, just creates it. */
    private static void ownerOnly(Path path, String permissions, Creation creation) throws IOException {
        try {
            creation.create(path, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(permissions)));
        } catch (UnsupportedOperationException notPosix) {
            creation.create(path);
        }
    }

    /** The key pair kept in dir (the stack's state directory), made on first use; the private key owner-only. */
    public static DevTokens loadOrCreate(Path dir) {
        Path privateFile = dir.resolve(PRIVATE_KEY_FILE);
        Path publicFile = dir.resolve(PUBLIC_KEY_FILE);
        try {
            if (Files.exists(privateFile) && Files.exists(publicFile)) {
                KeyFactory rsa = KeyFactory.getInstance("RSA");
                return new DevTokens(rsa.generatePrivate(new PKCS8EncodedKeySpec(der(Files.readString(privateFile)))),
                        rsa.generatePublic(new X509EncodedKeySpec(der(Files.readString(publicFile)))));
            }
            DevTokens tokens = generate();
            ownerOnly(dir, "rwx------", Files::createDirectories);
            Files.deleteIfExists(privateFile);
            // Created owner-only before the key is written: never readable by others, not even for a moment.
            ownerOnly(privateFile, "rw-------", Files::createFile);
            Files.writeString(privateFile, pem("PRIVATE KEY", tokens.privateKey.getEncoded()), StandardCharsets.US_ASCII);
            Files.writeString(publicFile, tokens.publicKeyPem(), StandardCharsets.US_ASCII);
            return tokens;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the token signing key in " + dir, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("unreadable token signing key in " + dir + ": delete it to make a new one", e);
        }
    }

    /** Where loadOrCreate keeps the public key: what the services are given to verify tokens. */
    public static Path publicKeyFile(Path dir) {
        return dir.resolve(PUBLIC_KEY_FILE);
    }

    /** The public key, PEM (SubjectPublicKeyInfo): the services' mp.jwt.verify.publickey. */
    public String publicKeyPem() {
        return pem("PUBLIC KEY", publicKey.getEncoded());
    }

    /**
     * A token for subject with the roles and, for staff, the store they work at (null: none).
     *
     * @param ttl how long it is valid
     */
    public String token(String subject, Set<String> roles, String storeId, Duration ttl) {
        JwtClaimsBuilder claims = Jwt.issuer(ISSUER).audience(AUDIENCE).subject(subject).upn(subject).groups(roles)
                .expiresIn(ttl.toSeconds());
        if (storeId != null) {
            claims.claim(Roles.STORE_CLAIM, storeId);
        }
        return sign(claims);
    }

    /** Any claims signed with this key: tests make tokens that are well signed and wrong in another way. */
    public String sign(JwtClaimsBuilder claims) {
        return claims.jws().keyId("memberpulse-dev").sign(privateKey);
    }

    /** How long the launcher's and the tests' tokens are valid: a working day, longer than any import, training run or test run. */
    public static final Duration LAUNCHER_TTL = Duration.ofHours(12);

    /** Head office, also allowed to send events: the launcher's own calls (import, summary, churn score). */
    public String analyst() {
        return token("analyst@memberpulse.local", Set.of(Roles.ANALYST, Roles.INGEST), null, LAUNCHER_TTL);
    }

    /** A data steward: may read members' identifiers in full, each reveal recorded (identity-service). */
    public String steward() {
        return token("steward@memberpulse.local", Set.of(Roles.STEWARD), null, LAUNCHER_TTL);
    }

    /** A store staff member of storeId. */
    public String staff(String storeId) {
        return token("staff@" + storeId, Set.of(Roles.STAFF), storeId, LAUNCHER_TTL);
    }

    /** A channel integration that sends events and nothing else. */
    public String ingest() {
        return token("integration@memberpulse.local", Set.of(Roles.INGEST), null, LAUNCHER_TTL);
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static byte[] der(String pem) {
        return Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
    }
}
