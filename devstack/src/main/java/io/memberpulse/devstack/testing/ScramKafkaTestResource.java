package io.memberpulse.devstack.testing;

import io.memberpulse.devstack.infra.KafkaServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * A KRaft broker whose clients must sign in with SCRAM-SHA-512, topics created, in place of
 * KafkaTestResource (a test profile that disables the global test resources lists it). The service gets
 * the broker's address and its sign-in as the KAFKA_* variables a deployment sets
 * (KafkaServer.clientEnvironment()), so a test proves those variables alone secure every Kafka client.
 */
public class ScramKafkaTestResource implements QuarkusTestResourceLifecycleManager {
    private KafkaServer server;

    @Override
    public Map<String, String> start() {
        server = KafkaServer.startWithScramUser("memberpulse", "test-" + UUID.randomUUID());
        Map<String, String> config = new HashMap<>(server.clientEnvironment());
        config.put("kafka.bootstrap.servers", server.bootstrapServers());
        return config;
    }

    @Override
    public void stop() {
        if (server != null) {
            server.close();
        }
    }
}
