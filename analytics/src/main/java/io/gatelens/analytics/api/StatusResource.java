package io.gatelens.analytics.api;

import io.gatelens.analytics.catalog.RouteTable;
import io.gatelens.analytics.catalog.ShadowEndpoints;
import io.gatelens.analytics.catalog.SpecCatalog;
import io.gatelens.analytics.ingest.StatsFlusher;
import io.gatelens.analytics.ingest.TransactionIngest;
import io.gatelens.analytics.service.CaptureService;
import io.gatelens.analytics.service.GatelensConfig;
import io.gatelens.analytics.service.ServiceLifecycle;
import io.gatelens.analytics.service.TlsHandshakeConsumer;
import io.gatelens.analytics.service.TransactionConsumer;
import io.gatelens.analytics.store.StatsStore;
import io.gatelens.analytics.tls.TlsIngest;
import io.gatelens.collector.bpf.KernelCounters;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Health of the pipeline: collector counters, ingest progress and lag, store, specs. */
@Path("/api/status")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "status")
public class StatusResource {
    @Inject
    CaptureService capture;
    @Inject
    TransactionIngest ingest;
    @Inject
    TransactionConsumer consumer;
    @Inject
    StatsFlusher flusher;
    @Inject
    StatsStore store;
    @Inject
    SpecCatalog catalog;
    @Inject
    ShadowEndpoints shadows;
    @Inject
    GatelensConfig config;
    @Inject
    ServiceLifecycle lifecycle;
    @Inject
    TlsIngest tlsIngest;
    @Inject
    TlsHandshakeConsumer tlsConsumer;

    public record Capture(boolean enabled, boolean running, List<String> interfaces, String error,
                          Map<String, Long> kernel, long records, long drops, long flowEvictions, long batchesSent) {
    }

    public record Ingest(long rows, long batches, long shadowRows, long ignoredRows, long rejectedBatches,
                         Instant lastBatchAt, Long lagMs) {
    }

    /**
     * @param rowsMerged minute rows merged into hour rows while waiting for a failing store
     * @param reopens times the database was opened again after a fatal DuckDB error (a full disk)
     */
    public record Store(String file, long sizeBytes, long rowsWritten, long rowsDropped, long rowsMerged,
                        Instant lastFlushAt, String lastError, long reopens) {
    }

    public record Specs(int specs, int operations, List<String> routeWarnings) {
    }

    public record Shadows(int endpoints, int hosts) {
    }

    /** TLS handshakes: batches sent by the capture, taken in and refused by the consumer. */
    public record Tls(boolean enabled, long batchesSent, long handshakes, long batches, long rejectedBatches, Instant lastBatchAt) {
    }

    public record Status(Instant startedAt, Capture capture, Ingest ingest, Store store, Specs specs, Shadows shadow, Tls tls) {
    }

    @GET
    @Operation(summary = "Collector counters (records, drops, evictions), ingest progress and lag, store, specs, TLS handshakes")
    public Status status() {
        KernelCounters k = capture.counters();
        Map<String, Long> kernel = k == null ? Map.of() : new LinkedHashMap<>(k.asMap());
        Capture c = new Capture(config.capture().enabled(), capture.running(), capture.interfaces(), capture.error(),
            kernel, k == null ? 0 : k.records(), k == null ? 0 : k.ringbufDrops(), k == null ? 0 : k.flowEvictions(),
            capture.batchesSent());
        long lag = ingest.lastLagMillis();
        Ingest i = new Ingest(ingest.rows(), ingest.batches(), ingest.shadowRows(), ingest.ignoredRows(),
            consumer.rejected(), at(ingest.lastBatchMillis()), lag < 0 ? null : lag);
        java.nio.file.Path file = config.store().file().toAbsolutePath();
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            size = -1;
        }
        Store s = new Store(file.toString(), size, flusher.rowsWritten(), flusher.droppedRows(),
            flusher.mergedRows() + flusher.mergedTlsRows(), at(flusher.lastFlushMillis()), flusher.lastError(),
            store.reopens());
        RouteTable routes = catalog.routes();
        Specs sp = new Specs(routes.specs().size(), routes.operations().size(), routes.warnings());
        Tls tls = new Tls(config.capture().enabled() && config.capture().tls(), capture.tlsBatchesSent(), tlsIngest.handshakes(),
            tlsIngest.batches(), tlsConsumer.rejected(), at(tlsIngest.lastBatchMillis()));
        return new Status(lifecycle.startedAt(), c, i, s, sp, new Shadows(shadows.endpointCount(), shadows.hostCount()), tls);
    }

    private static Instant at(long millis) {
        return millis <= 0 ? null : Instant.ofEpochMilli(millis);
    }
}
