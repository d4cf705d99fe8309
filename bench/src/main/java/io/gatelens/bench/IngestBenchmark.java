package io.gatelens.bench;

import io.gatelens.analytics.catalog.EndpointIds;
import io.gatelens.analytics.catalog.NamedSpec;
import io.gatelens.analytics.catalog.RouteTable;
import io.gatelens.analytics.catalog.ShadowEndpoints;
import io.gatelens.analytics.ingest.TransactionIngest;
import io.gatelens.analytics.spec.ApiSpec;
import io.gatelens.analytics.spec.SpecLoader;
import io.gatelens.analytics.stats.StatsAggregator;
import io.gatelens.analytics.store.EndpointKey;
import io.gatelens.analytics.store.StatsStore;
import io.gatelens.analytics.store.StoreSettings;
import io.gatelens.collector.record.TransactionSchema;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FixedSizeBinaryVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The analytics hot path on one thread: Arrow batches of transactions (GitHub spec traffic, 30 %
 * misses, statuses 2xx/4xx/5xx, log-normal latencies, one minute of timestamps) → match →
 * per-minute aggregation with sketches → DuckDB append of the minute rows. One operation = one
 * transaction; each invocation counts 1 Mi transactions and ends with the flush of everything it
 * aggregated, so the DuckDB write is in the figure (more often than live, where a minute is flushed
 * once: at 2 M/s that is every 120 M transactions).
 *
 * <p>Run from the project root: {@code java -jar bench/target/benchmarks.jar IngestBenchmark}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-opens=java.base/java.nio=ALL-UNNAMED"})
public class IngestBenchmark {
    static final int ROWS = 1 << 16;
    /** Rows per Arrow batch: the service's default (gatelens.capture.batch-rows), which a loaded collector fills. */
    static final int BATCH = Integer.getInteger("gatelens.bench.batchRows", 32768);
    /** The batches are counted this many times before each flush: 1 Mi transactions per flush. */
    static final int PASSES = 16;

    /** 65536: (almost) every path distinct, ids drawn from 10 M; 4096: a hot set repeated 16 times per pass. */
    @Param({"65536", "4096"})
    public int distinctPaths;

    private RootAllocator allocator;
    private final List<VectorSchemaRoot> batches = new ArrayList<>();
    private Path dir;
    private StatsStore store;
    private StatsAggregator aggregator;
    private TransactionIngest ingest;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        ApiSpec api = new SpecLoader().load(RouteMatchBenchmark.specPath());
        dir = Files.createTempDirectory("gatelens-ingest-bench");
        store = StatsStore.open(dir.resolve("bench.duckdb"), StoreSettings.DEFAULTS);
        EndpointIds ids = new EndpointIds() {
            @Override
            public int operation(String spec, String method, String template, String operationId) {
                return store.endpointId(EndpointKey.operation(spec, method, template, operationId));
            }

            @Override
            public int shadow(String host, String method, String template) {
                return store.endpointId(EndpointKey.shadow(method, template, host));
            }
        };
        RouteTable table = RouteTable.compile(List.of(new NamedSpec("github", 1, api)), ids);
        aggregator = new StatsAggregator();
        ingest = new TransactionIngest(() -> table, new ShadowEndpoints(ids), aggregator, null);

        String[] hosts = new String[ROWS];
        String[] methods = new String[ROWS];
        String[] paths = new String[ROWS];
        SplittableRandom rnd = new SplittableRandom(7);
        RouteMatchBenchmark.generate(api, rnd, hosts, methods, paths);
        for (int i = distinctPaths; i < ROWS; i++) {
            hosts[i] = hosts[i % distinctPaths];
            methods[i] = methods[i % distinctPaths];
            paths[i] = paths[i % distinctPaths];
        }
        allocator = new RootAllocator();
        long t0 = 1_790_000_040_000_000_000L - 1_790_000_040_000_000_000L % 60_000_000_000L;
        for (int start = 0; start < ROWS; start += BATCH) {
            VectorSchemaRoot root = VectorSchemaRoot.create(TransactionSchema.schema(), allocator);
            root.allocateNew();
            for (int r = 0; r < BATCH; r++) {
                int i = start + r;
                double z = rnd.nextGaussian();
                long latency = (long) (Math.exp(Math.log(20e6) + 0.8 * z)); // median 20 ms
                int roll = rnd.nextInt(100);
                int status = roll < 90 ? 200 : roll < 97 ? 404 : 503;
                ((BigIntVector) root.getVector(TransactionSchema.COL_TS_NS)).setSafe(r, t0 + (long) i * (60_000_000_000L / ROWS));
                ((FixedSizeBinaryVector) root.getVector(TransactionSchema.COL_SRC)).setSafe(r, new byte[16]);
                ((IntVector) root.getVector(TransactionSchema.COL_SPORT)).setSafe(r, 40000 + (i & 0x3fff));
                ((FixedSizeBinaryVector) root.getVector(TransactionSchema.COL_DST)).setSafe(r, new byte[16]);
                ((IntVector) root.getVector(TransactionSchema.COL_DPORT)).setSafe(r, 443);
                ((TinyIntVector) root.getVector(TransactionSchema.COL_FAMILY)).setSafe(r, 4);
                ((TinyIntVector) root.getVector(TransactionSchema.COL_DIRECTION)).setSafe(r, 1);
                ((IntVector) root.getVector(TransactionSchema.COL_IFINDEX)).setSafe(r, 1);
                ((VarCharVector) root.getVector(TransactionSchema.COL_METHOD)).setSafe(r, methods[i].getBytes(StandardCharsets.UTF_8));
                ((VarCharVector) root.getVector(TransactionSchema.COL_PATH)).setSafe(r, paths[i].getBytes(StandardCharsets.UTF_8));
                ((VarCharVector) root.getVector(TransactionSchema.COL_HOST)).setSafe(r, hosts[i].getBytes(StandardCharsets.UTF_8));
                ((IntVector) root.getVector(TransactionSchema.COL_STATUS)).setSafe(r, status);
                ((BigIntVector) root.getVector(TransactionSchema.COL_REQ_BYTES)).setSafe(r, 300);
                ((BigIntVector) root.getVector(TransactionSchema.COL_RESP_BYTES)).setSafe(r, 2_000 + rnd.nextInt(50_000));
                ((BigIntVector) root.getVector(TransactionSchema.COL_TTFB_NS)).setSafe(r, latency / 2);
                ((BigIntVector) root.getVector(TransactionSchema.COL_LATENCY_NS)).setSafe(r, latency);
                ((IntVector) root.getVector(TransactionSchema.COL_FLAGS)).setSafe(r, 0);
            }
            root.setRowCount(BATCH);
            batches.add(root);
        }
        // warm the shadow templates and endpoint registry, as a running service has
        ingestAndFlush();
        System.out.printf("%n%d operations; %d endpoints after one pass%n", table.operations().size(),
            store.endpoints().size());
    }

    @Benchmark
    @OperationsPerInvocation(ROWS * PASSES)
    public int ingestAndFlush() {
        for (int pass = 0; pass < PASSES; pass++) {
            for (VectorSchemaRoot b : batches) {
                ingest.accept(b);
            }
        }
        var rows = aggregator.takeAll();
        store.append(rows);
        return rows.size();
    }

    @Benchmark
    @OperationsPerInvocation(ROWS * PASSES)
    public int ingestOnly() {
        for (int pass = 0; pass < PASSES; pass++) {
            for (VectorSchemaRoot b : batches) {
                ingest.accept(b);
            }
        }
        return aggregator.takeAll().size();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        batches.forEach(VectorSchemaRoot::close);
        allocator.close();
        store.close();
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
