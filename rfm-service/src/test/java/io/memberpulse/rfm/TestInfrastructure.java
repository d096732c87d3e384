package io.memberpulse.rfm;

import io.memberpulse.devstack.testing.AuthTestResource;
import io.memberpulse.devstack.testing.KafkaTestResource;
import io.memberpulse.devstack.testing.PostgresTestResource;
import io.memberpulse.devstack.testing.RedisTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;

/**
 * Real PostgreSQL, Redis and Kafka for every @QuarkusTest of this module, started once, in parallel, and
 * bearer tokens the service accepts (REST Assured sends an analyst's unless a test sends its own).
 */
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.GLOBAL, parallel = true,
        initArgs = @ResourceArg(name = "database", value = "memberpulse_rfm"))
@WithTestResource(value = RedisTestResource.class, scope = TestResourceScope.GLOBAL, parallel = true)
@WithTestResource(value = KafkaTestResource.class, scope = TestResourceScope.GLOBAL, parallel = true)
@WithTestResource(value = AuthTestResource.class, scope = TestResourceScope.GLOBAL)
public final class TestInfrastructure {
    private TestInfrastructure() {
    }
}
