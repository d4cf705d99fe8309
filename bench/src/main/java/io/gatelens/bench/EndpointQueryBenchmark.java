package io.gatelens.bench;

import io.gatelens.analytics.stats.EndpointMinute;
import io.gatelens.analytics.stats.MinuteRow;
import io.gatelens.analytics.stats.StatsAggregator;
import io.gatelens.analytics.store.EndpointFigures;
import io.gatelens.analytics.store.SeriesPoint;
import io.gatelens.analytics.store.StatsStore;
import io.gatelens.analytics.store.StoreSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The statistics store: per-endpoint figures over 24 h of 1,000 endpoints, appends, the hourly
 * rollup, and the aggregator's per-transaction cost.
 *
 * <p>Data: 1,000 endpoints over 24 h, every minute a row per endpoint (a second host for one
 * endpoint in ten), 5 to 65 calls a minute, log-normal latencies (medians 1 to 300 ms by endpoint,
 * sigma 0.25: 40 to 60 distinct sketch bins per endpoint-hour), 95% 2xx, all hours rolled up. Built
 * once through {@link StatsStore#append} and {@link StatsStore#rollup} into a template file (about
 * two minutes; kept under {@code gatelens.bench.dir}, default the temp dir, and reused while its
 * name's version matches), then copied for each trial so no benchmark sees another's writes.
 *
 * <p>Each trial opens its copy with an empty block cache; the first query of a trial fills the
 * cache with the blocks it needs (its time is printed as "cold"), the measured ones then take them
 * from the cache, as a dashboard's repeated queries do: the figures benchmarks measure the query path
 * with the cache warm (the default 32 MiB budget; the day's hour groups and spans take about 27 MB).
 *
 * <ul>
 *   <li>{@link #figures24hAligned}: the 24 h ending on an hour: 24 hour rows per endpoint and host
 *       (two groups of 16 and 8 hours);</li>
 *   <li>{@link #figures24hUnaligned}: 00:30 to 23:30: 22 whole hours (seven groups) and two half
 *       hours (twelve five-minute spans);</li>
 *   <li>{@link #series24hBy15min}: one endpoint, 92 points of 15 minutes: its minute rows (no hour
 *       lies within one step), read from the database;</li>
 *   <li>{@link #append}: one flush of 1,000 minute rows, committed (score per row);</li>
 *   <li>{@link #rollupOneHour}: rolling up one hour of 1,000 endpoints (single shot per iteration);</li>
 *   <li>{@link #aggregatorRecord}: {@link StatsAggregator#record} per transaction, 1,000 endpoints;</li>
 *   <li>{@link #endpointMinuteRecord}: {@link EndpointMinute#record} alone, the same transactions.</li>
 * </ul>
 * Run: {@code java --add-opens=java.base/java.nio=ALL-UNNAMED -jar bench/target/benchmarks.jar EndpointQuery -f 1 -wi 2 -i 3}
 */
@Fork(1)
public class EndpointQueryBenchmark {
    static final int ENDPOINTS = 1_000;
    static final int HOURS = 24;
    static final Instant END = Instant.parse("2026-01-02T00:00:00Z");
    static final Instant START = END.minus(Duration.ofHours(HOURS));
    static final String HOST = "api.example.com";
    static final String SECOND_HOST = "api-eu.example.com";
    /** Bump when the data or the schema changes, so that a stale template is not reused. */
    static final String TEMPLATE = "endpoint-query-24h-v2.duckdb";

    /** A copy of the 24 h template, opened for the trial. */
    @State(Scope.Benchmark)
    public static class RolledUpDay {
        Path dir;
        StatsStore store;

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            Path template = template();
            dir = Files.createTempDirectory("gatelens-bench-");
            Path copy = dir.resolve("stats.duckdb");
            Files.copy(template, copy);
            store = StatsStore.open(copy, StoreSettings.DEFAULTS);
            long t0 = System.nanoTime();
            List<EndpointFigures> figures = store.endpointFigures(START, END, null);
            long t1 = System.nanoTime();
            store.endpointFigures(START.plus(Duration.ofMinutes(30)), END.minus(Duration.ofMinutes(30)), null);
            long t2 = System.nanoTime();
            long calls = figures.stream().mapToLong(f -> f.figures().calls()).sum();
            System.out.printf("%n%s: %d endpoints, %,d calls in 24 h, rolled up to %s; cold: aligned %.0f ms, then unaligned %.0f ms%n",
                template, figures.size(), calls, store.rollupWatermark().orElseThrow(), (t1 - t0) / 1e6, (t2 - t1) / 1e6);
        }

        @TearDown(Level.Trial)
        public void tearDown() throws IOException {
            store.close();
            deleteTree(dir);
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public List<EndpointFigures> figures24hAligned(RolledUpDay day) {
        return day.store.endpointFigures(START, END, null);
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public List<EndpointFigures> figures24hUnaligned(RolledUpDay day) {
        return day.store.endpointFigures(START.plus(Duration.ofMinutes(30)), END.minus(Duration.ofMinutes(30)), null);
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public List<SeriesPoint> series24hBy15min(RolledUpDay day) {
        return day.store.series(500, START.plus(Duration.ofMinutes(30)), END.minus(Duration.ofMinutes(30)), Duration.ofMinutes(15), null);
    }

    /** A fresh store and ten minutes of 1,000-row flushes, appended round-robin. */
    @State(Scope.Benchmark)
    public static class Appending {
        Path dir;
        StatsStore store;
        List<List<MinuteRow>> flushes;
        int next;

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            dir = Files.createTempDirectory("gatelens-bench-");
            store = StatsStore.open(dir.resolve("stats.duckdb"), StoreSettings.DEFAULTS);
            Traffic traffic = new Traffic(7);
            flushes = new ArrayList<>();
            for (int m = 0; m < 10; m++) {
                flushes.add(traffic.minute(START.getEpochSecond() + 60L * m, true));
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() throws IOException {
            store.close();
            deleteTree(dir);
        }
    }

    /** Score: seconds per row (throughput mode: rows per second). */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @OperationsPerInvocation(ENDPOINTS)
    public void append(Appending a) {
        a.store.append(a.flushes.get(a.next++ % a.flushes.size()));
    }

    /** One hour of minute rows for 1,000 endpoints, not rolled up; a fresh copy per iteration. */
    @State(Scope.Benchmark)
    public static class OneHourToRollUp {
        Path template;
        Path dir;
        StatsStore store;

        @Setup(Level.Trial)
        public void buildTemplate() throws IOException {
            dir = Files.createTempDirectory("gatelens-bench-");
            template = dir.resolve("hour-template.duckdb");
            Traffic traffic = new Traffic(11);
            try (StatsStore s = StatsStore.open(template, StoreSettings.DEFAULTS)) {
                for (int m = 0; m < 60; m++) {
                    s.append(traffic.minute(START.getEpochSecond() + 60L * m, true));
                }
            }
        }

        @Setup(Level.Iteration)
        public void copy() throws IOException {
            Path copy = dir.resolve("stats.duckdb");
            Files.deleteIfExists(copy);
            Files.deleteIfExists(dir.resolve("stats.duckdb.wal"));
            Files.copy(template, copy, StandardCopyOption.REPLACE_EXISTING);
            store = StatsStore.open(copy, StoreSettings.DEFAULTS);
        }

        @TearDown(Level.Iteration)
        public void close() {
            store.close();
        }

        @TearDown(Level.Trial)
        public void tearDown() throws IOException {
            deleteTree(dir);
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @Warmup(iterations = 2)
    @Measurement(iterations = 5)
    public int rollupOneHour(OneHourToRollUp h) {
        int hours = h.store.rollup(START.plus(Duration.ofMinutes(70)));
        if (hours != 1) {
            throw new IllegalStateException("rolled up " + hours + " hours, expected 1");
        }
        return hours;
    }

    /** Transactions of 1,000 endpoints within one minute, as the ingest thread sees them. */
    @State(Scope.Thread)
    public static class Ingest {
        static final int RECORDS = 4096;
        final StatsAggregator aggregator = new StatsAggregator();
        final EndpointMinute minute = new EndpointMinute();
        final int[] endpoints = new int[RECORDS];
        final int[] statuses = new int[RECORDS];
        final long[] latencies = new long[RECORDS];
        final long[] timestamps = new long[RECORDS];

        @Setup(Level.Trial)
        public void setUp() {
            SplittableRandom r = new SplittableRandom(3);
            long minuteNs = START.getEpochSecond() * 1_000_000_000L;
            for (int i = 0; i < RECORDS; i++) {
                endpoints[i] = 1 + r.nextInt(ENDPOINTS);
                statuses[i] = r.nextInt(100) < 95 ? 200 : 503;
                latencies[i] = (long) (Traffic.medianNs(endpoints[i]) * Math.exp(0.25 * r.nextGaussian()));
                timestamps[i] = minuteNs + (long) i * 10_000_000L; // 40 s of the minute
            }
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    @OperationsPerInvocation(Ingest.RECORDS)
    public StatsAggregator aggregatorRecord(Ingest in) {
        for (int i = 0; i < Ingest.RECORDS; i++) {
            in.aggregator.record(in.endpoints[i], HOST, in.timestamps[i], in.statuses[i], 400, 2_000, in.latencies[i] / 2,
                in.latencies[i]);
        }
        return in.aggregator;
    }

    /** The same transactions straight into one endpoint's accumulator: the per-transaction floor. */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    @OperationsPerInvocation(Ingest.RECORDS)
    public EndpointMinute endpointMinuteRecord(Ingest in) {
        EndpointMinute m = in.minute;
        for (int i = 0; i < Ingest.RECORDS; i++) {
            m.record(in.statuses[i], 400, 2_000, in.latencies[i] / 2, in.latencies[i]);
        }
        return m;
    }

    /** Deterministic traffic: the same seed gives the same rows. */
    static final class Traffic {
        private final SplittableRandom r;

        Traffic(long seed) {
            r = new SplittableRandom(seed);
        }

        /** Medians spread log-uniformly over 1 to 300 ms by endpoint id. */
        static double medianNs(int endpoint) {
            return 1e6 * Math.pow(300, (endpoint * 0.618034) % 1.0);
        }

        static int callsPerMinute(int endpoint) {
            return 5 + (endpoint * 37) % 61;
        }

        /** One minute's rows, every endpoint; one in ten also on a second host unless {@code oneHost}. */
        List<MinuteRow> minute(long minuteEpochSecond, boolean oneHost) {
            List<MinuteRow> rows = new ArrayList<>(ENDPOINTS + ENDPOINTS / 10);
            for (int e = 1; e <= ENDPOINTS; e++) {
                rows.add(new MinuteRow(minuteEpochSecond, e, HOST, stats(e, callsPerMinute(e))));
            }
            if (!oneHost) {
                for (int e = 10; e <= ENDPOINTS; e += 10) {
                    rows.add(new MinuteRow(minuteEpochSecond, e, SECOND_HOST, stats(e, 1 + callsPerMinute(e) / 4)));
                }
            }
            return rows;
        }

        private EndpointMinute stats(int endpoint, int calls) {
            EndpointMinute s = new EndpointMinute();
            double median = medianNs(endpoint);
            for (int i = 0; i < calls; i++) {
                int roll = r.nextInt(1000);
                int status = roll < 950 ? 200 : roll < 965 ? 201 : roll < 975 ? 304 : roll < 990 ? 404 : roll < 997 ? 503 : 0;
                long latency = (long) (median * Math.exp(0.25 * r.nextGaussian()));
                s.record(status, 200 + r.nextInt(800), 500 + r.nextInt(20_000), latency / 3, latency);
            }
            return s;
        }
    }

    /** The 24 h template file, built if it is not there yet. */
    static synchronized Path template() throws IOException {
        String dirName = System.getProperty("gatelens.bench.dir", System.getProperty("java.io.tmpdir"));
        Path dir = Path.of(dirName, "gatelens-bench");
        Path template = dir.resolve(TEMPLATE);
        Path done = dir.resolve(TEMPLATE + ".complete");
        if (Files.exists(done) && Files.exists(template)) {
            return template;
        }
        Files.createDirectories(dir);
        Files.deleteIfExists(template);
        Files.deleteIfExists(dir.resolve(TEMPLATE + ".wal"));
        long t0 = System.nanoTime();
        long appendNs = 0;
        long rows = 0;
        Traffic traffic = new Traffic(1);
        try (StatsStore store = StatsStore.open(template, StoreSettings.DEFAULTS)) {
            for (int m = 0; m < HOURS * 60; m++) {
                List<MinuteRow> minute = traffic.minute(START.getEpochSecond() + 60L * m, false);
                long a = System.nanoTime();
                store.append(minute);
                appendNs += System.nanoTime() - a;
                rows += minute.size();
            }
            long r = System.nanoTime();
            int hours = store.rollup(END.plus(StoreSettings.DEFAULTS.rollupGrace()));
            System.out.printf("%nbuilt %s: %,d minute rows in %.0f s (append %.0f rows/s), rollup of %d hours %.1f s%n", template, rows,
                (System.nanoTime() - t0) / 1e9, rows / (appendNs / 1e9), hours, (System.nanoTime() - r) / 1e9);
        }
        Files.createFile(done);
        return template;
    }

    static void deleteTree(Path dir) throws IOException {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
