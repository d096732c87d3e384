package io.memberpulse.devstack.infra;

import io.memberpulse.proto.kafka.Topics;
import io.smallrye.reactive.messaging.kafka.companion.test.EmbeddedKafkaBroker;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.logging.Logger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.security.auth.SecurityProtocol;

/**
 * Kafka: the servers named by KAFKA_BOOTSTRAP_SERVERS, otherwise a KRaft broker (combined broker and
 * controller, Apache Kafka from Maven artifacts) started in this JVM on a free port. Either way the
 * memberpulse topics and their dead-letter topics are created with several partitions.
 * {@link #startWithScramUser} starts one whose clients must sign in, as on a secured platform cluster.
 */
public final class KafkaServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(KafkaServer.class.getName());
    public static final int PARTITIONS = 4;
    public static final String SCRAM_MECHANISM = "SCRAM-SHA-512";

    private final String bootstrapServers;
    /** Where topics are created: bootstrapServers, or the broker's own listener when clients must sign in. */
    private final String adminServers;
    /** The services' client settings for this broker, as environment variables (empty: plaintext). */
    private final Map<String, String> clientEnvironment;
    private final EmbeddedKafkaBroker embedded;

    private KafkaServer(String bootstrapServers, String adminServers, Map<String, String> clientEnvironment,
            EmbeddedKafkaBroker embedded) {
        this.bootstrapServers = bootstrapServers;
        this.adminServers = adminServers;
        this.clientEnvironment = Map.copyOf(clientEnvironment);
        this.embedded = embedded;
    }

    public static KafkaServer startOrReuse(InfraSettings settings) {
        KafkaServer server;
        if (settings.kafkaBootstrapServers() != null) {
            LOG.info(() -> "Kafka: using the configured servers " + settings.kafkaBootstrapServers());
            server = new KafkaServer(settings.kafkaBootstrapServers(), settings.kafkaBootstrapServers(), Map.of(), null);
        } else {
            long started = System.nanoTime();
            EmbeddedKafkaBroker broker = embeddedBroker(FreePorts.next(), properties -> { }).start();
            LOG.info(() -> "Kafka: started a KRaft broker at " + broker.getAdvertisedListeners() + " in "
                    + (System.nanoTime() - started) / 1_000_000 + " ms");
            server = new KafkaServer(broker.getAdvertisedListeners(), broker.getAdvertisedListeners(), Map.of(), broker);
        }
        server.createTopics();
        return server;
    }

    /**
     * A KRaft broker in this JVM whose clients sign in over SASL_PLAINTEXT with SCRAM-SHA-512 as the one
     * user it knows, topics created. bootstrapServers() is that listener; the broker's own PLAINTEXT
     * listener (inter-broker traffic, creating the user and the topics) is not given out.
     */
    public static KafkaServer startWithScramUser(String username, String password) {
        return startWithScramUser(username, password, null);
    }

    /**
     * The same over TLS (SASL_SSL, as managed Kafka is reached): the listener shows the certificate in tls,
     * and clients trust its CA through the KAFKA_SSL_TRUSTSTORE_* variables, checking the host name.
     */
    public static KafkaServer startWithScramUserOverTls(String username, String password, TlsMaterial tls) {
        return startWithScramUser(username, password, Objects.requireNonNull(tls, "tls"));
    }

    private static KafkaServer startWithScramUser(String username, String password, TlsMaterial tls) {
        if (username == null || username.isBlank() || password == null || password.isEmpty()) {
            throw new IllegalArgumentException("a SCRAM user needs a name and a password");
        }
        long started = System.nanoTime();
        int plainPort = FreePorts.next();
        int saslPort = FreePorts.next();
        SecurityProtocol protocol = tls == null ? SecurityProtocol.SASL_PLAINTEXT : SecurityProtocol.SASL_SSL;
        String listener = "listener.name." + protocol.name.toLowerCase(Locale.ROOT) + ".";
        EmbeddedKafkaBroker broker = embeddedBroker(plainPort, properties -> {
            properties.put("sasl.enabled.mechanisms", SCRAM_MECHANISM);
            properties.put(listener + "scram-sha-512.sasl.jaas.config",
                    "org.apache.kafka.common.security.scram.ScramLoginModule required;");
            if (tls != null) {
                properties.put(listener + "ssl.keystore.type", "PKCS12");
                properties.put(listener + "ssl.keystore.location", tls.serverKeyStore().toString());
                properties.put(listener + "ssl.keystore.password", tls.password());
                properties.put(listener + "ssl.key.password", tls.password());
            }
        }).withAdvertisedListeners(EmbeddedKafkaBroker.endpoint(SecurityProtocol.PLAINTEXT, "localhost", plainPort),
                EmbeddedKafkaBroker.endpoint(protocol, "localhost", saslPort)).start();
        String brokerOwn = "localhost:" + plainPort;
        String signIn = "localhost:" + saslPort;
        Map<String, String> environment = new LinkedHashMap<>();
        environment.put("KAFKA_SECURITY_PROTOCOL", protocol.name);
        environment.put("KAFKA_SASL_MECHANISM", SCRAM_MECHANISM);
        environment.put("KAFKA_SASL_JAAS_CONFIG", scramJaasConfig(username, password));
        if (tls != null) {
            environment.put("KAFKA_SSL_TRUSTSTORE_LOCATION", tls.trustStore().toString());
            environment.put("KAFKA_SSL_TRUSTSTORE_PASSWORD", tls.password());
            environment.put("KAFKA_SSL_TRUSTSTORE_TYPE", "PKCS12");
        }
        KafkaServer server = new KafkaServer(signIn, brokerOwn, environment, broker);
        try {
            server.createScramUser(username, password);
            server.createTopics();
        } catch (RuntimeException e) {
            broker.close();
            throw e;
        }
        LOG.info(() -> "Kafka: started a KRaft broker with SCRAM sign-in over " + protocol.name + " at " + signIn
                + " in " + (System.nanoTime() - started) / 1_000_000 + " ms");
        return server;
    }

    /** The JAAS line of a SCRAM client, as the Helm charts write it into KAFKA_SASL_JAAS_CONFIG. */
    public static String scramJaasConfig(String username, String password) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + username
                + "\" password=\"" + password + "\";";
    }

    private static EmbeddedKafkaBroker embeddedBroker(int kafkaPort, Consumer<Properties> moreProperties) {
        return new EmbeddedKafkaBroker()
                .withKafkaPort(kafkaPort)
                .withControllerPort(FreePorts.next())
                .withDeleteLogDirsOnClose(true)
                .withAdditionalProperties(properties -> {
                    properties.put("num.partitions", String.valueOf(PARTITIONS));
                    properties.put("group.initial.rebalance.delay.ms", "0");
                    properties.put("offsets.topic.num.partitions", "4");
                    properties.put("auto.create.topics.enable", "true");
                    moreProperties.accept(properties);
                });
    }

    /** Adds the user, then waits until the broker lets it sign in (credentials spread through the metadata log). */
    private void createScramUser(String username, String password) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, adminServers))) {
            admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(username,
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), password)))
                    .all().get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating the SCRAM user", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not create the SCRAM user " + username, e);
        }
        Map<String, Object> signedIn = new LinkedHashMap<>(clientProperties());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try (Admin admin = Admin.create(signedIn)) {
                admin.describeCluster().clusterId().get(10, TimeUnit.SECONDS);
                return;
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof SaslAuthenticationException) || System.nanoTime() > deadline) {
                    throw new IllegalStateException("the SCRAM user " + username + " cannot sign in at " + bootstrapServers, e);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the SCRAM user", e);
            } catch (TimeoutException e) {
                throw new IllegalStateException("the SCRAM user " + username + " cannot sign in at " + bootstrapServers, e);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the SCRAM user", e);
            }
        }
    }

    /** Creates the memberpulse topics (and their dead-letter topics) that do not exist yet. */
    public void createTopics() {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, adminServers))) {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> missing = new ArrayList<>();
            for (String topic : Topics.ALL) {
                for (String name : List.of(topic, Topics.deadLetter(topic))) {
                    if (!existing.contains(name)) {
                        missing.add(new NewTopic(name, PARTITIONS, (short) 1));
                    }
                }
            }
            // Each topic on its own: on a loaded machine the admin client may retry a create that had
            // already succeeded, and a topic that exists is exactly what we want.
            admin.createTopics(missing).values().forEach((name, created) -> {
                try {
                    created.get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("could not create topic " + name + " on " + bootstrapServers, e);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while creating topics", e);
                } catch (TimeoutException e) {
                    throw new IllegalStateException("could not create topic " + name + " on " + bootstrapServers, e);
                }
            });
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not create the memberpulse topics on " + bootstrapServers, e);
        }
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    /**
     * What a service needs to reach this broker, as the environment variables its application.properties
     * and quarkus-kafka-client read (KAFKA_SECURITY_PROTOCOL, KAFKA_SASL_*, KAFKA_SSL_TRUSTSTORE_*); empty for
     * plaintext.
     */
    public Map<String, String> clientEnvironment() {
        return clientEnvironment;
    }

    /**
     * Kafka client properties for this broker: bootstrap.servers plus clientEnvironment() under the Kafka
     * names quarkus-kafka-client gives them (KAFKA_SASL_JAAS_CONFIG is sasl.jaas.config).
     */
    public Map<String, Object> clientProperties() {
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        clientEnvironment.forEach((variable, value) -> properties.put(kafkaName(variable), value));
        return properties;
    }

    /** KAFKA_SASL_JAAS_CONFIG to sasl.jaas.config: quarkus-kafka-client's reading of a KAFKA_* variable. */
    public static String kafkaName(String variable) {
        if (!variable.startsWith("KAFKA_")) {
            throw new IllegalArgumentException(variable + " is not a KAFKA_* variable");
        }
        return variable.substring("KAFKA_".length()).toLowerCase(Locale.ROOT).replace('_', '.');
    }

    public boolean isEmbedded() {
        return embedded != null;
    }

    @Override
    public void close() {
        if (embedded != null) {
            embedded.close();
        }
    }
}
