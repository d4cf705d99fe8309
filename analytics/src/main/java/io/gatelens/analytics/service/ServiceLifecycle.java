package io.gatelens.analytics.service;

import io.gatelens.analytics.catalog.SpecCatalog;
import io.gatelens.analytics.ingest.StatsFlusher;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import java.time.Instant;

/**
 * Start and stop in the order the data flows: specs before capture (so the first transactions find
 * their operations), and on the way down capture first, then the last flush, then the store.
 */
@ApplicationScoped
public class ServiceLifecycle {
    @Inject
    GatelensConfig config;
    @Inject
    SpecCatalog catalog;
    @Inject
    StatsFlusher flusher;
    @Inject
    CaptureService capture;

    private volatile Instant startedAt;

    void start(@Observes StartupEvent event) {
        startedAt = Instant.now();
        catalog.start(config.specs().dir().orElse(null));
        flusher.start(config.store().flushInterval());
        capture.start();
    }

    void stop(@Observes ShutdownEvent event) {
        capture.stop();
        flusher.close();
    }

    public Instant startedAt() {
        return startedAt;
    }
}
