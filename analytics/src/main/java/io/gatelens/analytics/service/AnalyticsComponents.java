package io.gatelens.analytics.service;

import io.gatelens.analytics.catalog.EndpointIds;
import io.gatelens.analytics.catalog.ShadowEndpoints;
import io.gatelens.analytics.catalog.SpecCatalog;
import io.gatelens.analytics.ingest.StatsFlusher;
import io.gatelens.analytics.ingest.TransactionIngest;
import io.gatelens.analytics.metrics.TlsMetrics;
import io.gatelens.analytics.metrics.TrafficMetrics;
import io.gatelens.analytics.spec.SpecLoader;
import io.gatelens.analytics.stats.StatsAggregator;
import io.gatelens.analytics.store.EndpointKey;
import io.gatelens.analytics.store.StatsStore;
import io.gatelens.analytics.store.StoreSettings;
import io.gatelens.analytics.tls.TlsAggregator;
import io.gatelens.analytics.tls.TlsIngest;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.time.Clock;
import java.util.Set;

/**
 * The analytics' parts, made once from the configuration: the classes themselves know nothing of
 * CDI, so tests and the offline report build them the same way.
 */
@ApplicationScoped
public class AnalyticsComponents {
    @Produces
    @Singleton
    Clock clock() {
        return Clock.systemUTC();
    }

    @Produces
    @Singleton
    StatsStore store(GatelensConfig config) {
        GatelensConfig.Store s = config.store();
        return StatsStore.open(s.file(), new StoreSettings(s.minuteRetention(), s.hourRetention(), s.rollupGrace(),
            (long) s.queryCacheMib() << 20, s.duckdbMemoryLimit(), s.duckdbCheckpointThreshold()));
    }

    void closeStore(@Disposes StatsStore store) {
        store.close();
    }

    @Produces
    @Singleton
    EndpointIds endpointIds(StatsStore store) {
        return new EndpointIds() {
            @Override
            public int operation(String spec, String method, String template, String operationId) {
                return store.endpointId(EndpointKey.operation(spec, method, template, operationId));
            }

            @Override
            public int[] operations(String spec, java.util.List<io.gatelens.analytics.spec.Operation> ops) {
                return store.endpointIds(ops.stream()
                    .map(op -> EndpointKey.operation(spec, op.method(), op.pathTemplate(), op.operationId())).toList());
            }

            @Override
            public int shadow(String host, String method, String template) {
                return store.endpointId(EndpointKey.shadow(method, template, host));
            }
        };
    }

    @Produces
    @Singleton
    SpecCatalog catalog(StatsStore store, EndpointIds ids, GatelensConfig config, Clock clock) {
        return new SpecCatalog(store, new SpecLoader(config.specs().maxBytes()), ids, clock);
    }

    @Produces
    @Singleton
    ShadowEndpoints shadows(EndpointIds ids, GatelensConfig config) {
        return new ShadowEndpoints(ids, config.shadow().maxHosts(), config.shadow().maxEndpoints());
    }

    @Produces
    @Singleton
    StatsAggregator aggregator() {
        return new StatsAggregator();
    }

    @Produces
    @Singleton
    TransactionIngest ingest(SpecCatalog catalog, ShadowEndpoints shadows, StatsAggregator aggregator,
                             TrafficMetrics metrics, GatelensConfig config) {
        return new TransactionIngest(catalog::routes, shadows, aggregator, metrics::record)
            .ignoringServerPorts(config.ingest().ignorePorts().orElse(Set.of()));
    }

    @Produces
    @Singleton
    TlsAggregator tlsAggregator(GatelensConfig config) {
        return new TlsAggregator(config.tls().maxFrontsPerMinute());
    }

    @Produces
    @Singleton
    TlsIngest tlsIngest(TlsAggregator aggregator, TlsMetrics metrics) {
        return new TlsIngest(aggregator, metrics::record);
    }

    @Produces
    @Singleton
    StatsFlusher flusher(StatsAggregator aggregator, TlsAggregator tls, StatsStore store, Clock clock, GatelensConfig config) {
        return new StatsFlusher(aggregator, tls, store, clock, config.store().flushGrace());
    }
}
