package io.memberpulse.devstack.stack;

/** The four services as the local stack runs them: module, default ports, database, Redis key prefix. */
public enum ServiceSpec {
    IDENTITY("identity-service", 8081, 9081, "memberpulse_identity"),
    RFM("rfm-service", 8082, 9082, "memberpulse_rfm"),
    CHURN("churn-service", 8083, 9083, "memberpulse_churn"),
    CAMPAIGN("campaign-service", 8084, 9084, "memberpulse_campaign");

    private final String moduleName;
    private final int httpPort;
    private final int grpcPort;
    private final String database;

    ServiceSpec(String moduleName, int httpPort, int grpcPort, String database) {
        this.moduleName = moduleName;
        this.httpPort = httpPort;
        this.grpcPort = grpcPort;
        this.database = database;
    }

    public String moduleName() {
        return moduleName;
    }

    public int httpPort() {
        return httpPort;
    }

    public int grpcPort() {
        return grpcPort;
    }

    public String database() {
        return database;
    }

    /** The prefix of the service's Redis keys when REDIS_KEY_PREFIX is unset (its application.properties). */
    public String redisKeyPrefix() {
        return "mp:" + name().toLowerCase(java.util.Locale.ROOT) + ":";
    }

    public static ServiceSpec byModuleName(String moduleName) {
        for (ServiceSpec spec : values()) {
            if (spec.moduleName.equals(moduleName) || spec.name().equalsIgnoreCase(moduleName)) {
                return spec;
            }
        }
        throw new IllegalArgumentException("no such service: " + moduleName);
    }
}
