package io.memberpulse.devstack.testing;

import io.memberpulse.devstack.infra.InfraSettings;
import io.memberpulse.devstack.infra.KafkaServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/** A KRaft broker in the test JVM on free ports (or KAFKA_BOOTSTRAP_SERVERS), topics created. */
public class KafkaTestResource implements QuarkusTestResourceLifecycleManager {
    private KafkaServer server;

    @Override
    public Map<String, String> start() {
        server = KafkaServer.startOrReuse(InfraSettings.fromEnvironment());
        return Map.of("kafka.bootstrap.servers", server.bootstrapServers());
    }

    @Override
    public void stop() {
        if (server != null) {
            server.close();
        }
    }
}
