package io.memberpulse.devstack.infra;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away certificate authority and one server certificate it signed, for localhost and 127.0.0.1, in
 * the forms the servers and clients here read: PEM for PostgreSQL, Redis and the services' Redis and
 * PostgreSQL clients, PKCS12 for the Kafka broker and the services' Kafka clients. Made with the JDK's keytool
 * (no certificate library needed; sun.security.x509 is not exported) so that tests run the real TLS
 * handshakes, with the certificate and host name checked, against real servers.
 *
 * @param caCertificatePem         the CA's certificate: what a client trusts
 * @param serverCertificatePem     the server's certificate (signed by the CA)
 * @param serverPrivateKeyPem      the server's private key, PKCS#8 PEM, readable by its owner only
 * @param serverKeyStore           PKCS12: the server's key with its chain (server, CA)
 * @param trustStore               PKCS12: the CA's certificate alone
 * @param password                 of both PKCS12 files and of the key in the key store
 */
public record TlsMaterial(Path caCertificatePem, Path serverCertificatePem, Path serverPrivateKeyPem,
        Path serverKeyStore, Path trustStore, String password) {

    private static final String PASSWORD = "memberpulse-test";
    private static final long KEYTOOL_TIMEOUT_SECONDS = 60;

    /** Writes a new CA and server certificate (valid for two days) into dir. */
    public static TlsMaterial generate(Path dir) {
        try {
            Files.createDirectories(dir);
            Path ca = dir.resolve("ca.p12");
            Path server = dir.resolve("server.p12");
            Path request = dir.resolve("server.csr");
            TlsMaterial material = new TlsMaterial(dir.resolve("ca.pem"), dir.resolve("server.pem"),
                    dir.resolve("server-key.pem"), server, dir.resolve("truststore.p12"), PASSWORD);
            keytool("-genkeypair", "-alias", "ca", "-dname", "CN=memberpulse test CA", "-ext", "bc:c",
                    "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2", "-keystore", ca.toString());
            keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", ca.toString(),
                    "-file", material.caCertificatePem().toString());
            keytool("-genkeypair", "-alias", "server", "-dname", "CN=localhost", "-keyalg", "EC",
                    "-groupname", "secp256r1", "-validity", "2", "-keystore", server.toString());
            keytool("-certreq", "-alias", "server", "-keystore", server.toString(), "-file", request.toString());
            // Clients check the host name against the subject alternative names, never the CN.
            keytool("-gencert", "-rfc", "-alias", "ca", "-keystore", ca.toString(), "-infile", request.toString(),
                    "-outfile", material.serverCertificatePem().toString(), "-validity", "2",
                    "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-ext", "KU=digitalSignature",
                    "-ext", "EKU=serverAuth");
            keytool("-importcert", "-noprompt", "-alias", "ca", "-keystore", server.toString(),
                    "-file", material.caCertificatePem().toString());
            keytool("-importcert", "-alias", "server", "-keystore", server.toString(),
                    "-file", material.serverCertificatePem().toString());
            keytool("-importcert", "-noprompt", "-alias", "ca", "-keystore", material.trustStore().toString(),
                    "-file", material.caCertificatePem().toString());
            writePrivateKeyPem(server, material.serverPrivateKeyPem());
            return material;
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the test certificates to " + dir, e);
        }
    }

    private static void keytool(String... arguments) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(arguments));
        command.addAll(List.of("-storetype", "PKCS12", "-storepass", PASSWORD, "-keypass", PASSWORD));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try (InputStream output = process.getInputStream()) {
            String printed = new String(output.readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(KEYTOOL_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException("keytool " + arguments[0] + " did not finish");
            }
            if (process.exitValue() != 0) {
                throw new IOException("keytool " + arguments[0] + " failed: " + printed.strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while keytool ran", e);
        }
    }

    /** keytool cannot export a private key; PostgreSQL and Redis want it as a PEM file only its owner reads. */
    private static void writePrivateKeyPem(Path keyStoreFile, Path pem) throws IOException {
        try (InputStream in = Files.newInputStream(keyStoreFile)) {
            KeyStore keyStore = KeyStore.getInstance("PKCS12");
            keyStore.load(in, PASSWORD.toCharArray());
            Key key = keyStore.getKey("server", PASSWORD.toCharArray());
            String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                    .encodeToString(key.getEncoded());
            Files.deleteIfExists(pem);
            Files.createFile(pem, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(pem, "-----BEGIN PRIVATE KEY-----\n" + body + "\n-----END PRIVATE KEY-----\n");
        } catch (GeneralSecurityException e) {
            throw new IOException("could not read the server key from " + keyStoreFile, e);
        }
    }
}
