package io.gatelens.analytics.demo;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Starts the demo with the application when {@code gatelens.demo.enabled} is set: the {@link DemoApi}
 * first, then the {@link DemoClient} that calls it; stops both on shutdown. A port that is taken fails
 * the start: the demo was asked for, and the message says which setting to change.
 */
@ApplicationScoped
public class DemoRunner {
    private static final Logger LOG = Logger.getLogger(DemoRunner.class);

    private final DemoConfig config;
    private DemoApi api;
    private DemoClient client;

    DemoRunner(DemoConfig config) {
        this.config = config;
    }

    synchronized void onStart(@Observes StartupEvent event) throws IOException {
        if (!config.enabled()) {
            return;
        }
        api = new DemoApi(config.port(), config.seed());
        api.start();
        client = new DemoClient(api.port(), config.ratePerSecond(), config.virtualUsers(), config.seed());
        client.start();
        LOG.infof("demo: pet shop API at %s (spec openapi-specs/gatelens-demo.yaml), called %.0f times a second by %d users",
            client.baseUri(), client.ratePerSecond(), client.virtualUsers());
    }

    synchronized void onStop(@Observes ShutdownEvent event) {
        if (client != null) {
            client.stop();
            client = null;
        }
        if (api != null) {
            api.stop();
            api = null;
        }
    }

    /** The running demo API; empty when the demo is off. */
    public synchronized Optional<DemoApi> api() {
        return Optional.ofNullable(api);
    }

    /** The running demo client; empty when the demo is off. */
    public synchronized Optional<DemoClient> client() {
        return Optional.ofNullable(client);
    }
}
