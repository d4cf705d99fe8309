package io.gatelens.analytics.demo;

import io.smallrye.config.ConfigMapping;

/** {@code gatelens.demo.*}; defaults in application.properties. */
@ConfigMapping(prefix = "gatelens.demo")
public interface DemoConfig {
    /** Serve the demo API and call it ({@code ./gatelens run --demo}). */
    boolean enabled();

    /** The demo API's port on 127.0.0.1; 0 for any free port. */
    int port();

    /** Requests per second the demo client sends, all virtual users together. */
    double ratePerSecond();

    /** Concurrent demo users, each with at most one request in flight. */
    int virtualUsers();

    /** Seeds the shop's data, its latencies and faults, and the users' choices. */
    long seed();
}
