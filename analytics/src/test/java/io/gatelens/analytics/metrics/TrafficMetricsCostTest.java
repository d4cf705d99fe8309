package io.gatelens.analytics.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import java.lang.management.ManagementFactory;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The cost of {@link TrafficMetrics#record} on the ingest path, against the Timers it ends in: a quick
 * single-thread microbenchmark (printed, not asserted: timings on a shared build host vary) and the
 * bytes allocated per call (asserted: finding a known series must allocate nothing beyond what the
 * Timer itself does). The registry is what Quarkus injects as {@code MeterRegistry}: Micrometer's
 * global composite over the Prometheus registry. Only that one: with two Timer types through the same
 * call site the JIT stops inlining {@code CompositeTimer.record}, whose capturing lambda then
 * allocates 40 bytes a call, which a production JVM (one registry) does not. 200 routes x 3 methods x
 * 4 statuses in a seeded random order; the two variants run in turn, so JIT warm-up and profile
 * pollution touch them alike, and each keeps its best round.
 */
@SuppressWarnings("deprecation") // the simpleclient Prometheus registry is the one Quarkus 3.32 uses
class TrafficMetricsCostTest {
    private static final int ROUNDS = 6;
    private static final int WARMUP_ROUNDS = 2;
    private static final int CALLS = 500_000;
    private static final int INPUTS = 4_096;

    private final String[] routes = new String[INPUTS];
    private final String[] methods = new String[INPUTS];
    private final int[] statuses = new int[INPUTS];
    private final long[] latencies = new long[INPUTS];

    TrafficMetricsCostTest() {
        String[] routePool = new String[200];
        for (int i = 0; i < routePool.length; i++) {
            routePool[i] = "/resource" + i + "/{id}";
        }
        String[] methodPool = {"GET", "POST", "DELETE"};
        int[] statusPool = {200, 201, 404, 500};
        Random random = new Random(1);
        for (int i = 0; i < INPUTS; i++) {
            routes[i] = routePool[random.nextInt(routePool.length)];
            methods[i] = new String(methodPool[random.nextInt(methodPool.length)]); // as decoded: not the interned literal
            statuses[i] = statusPool[random.nextInt(statusPool.length)];
            latencies[i] = 1_000_000L + random.nextInt(200_000_000);
        }
    }

    @Test
    void recordCostsLittleMoreThanTheTimerAndAllocatesNothingOfItsOwn() {
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        CompositeMeterRegistry composite = new CompositeMeterRegistry();
        composite.add(prometheus);
        TrafficMetrics metrics = new TrafficMetrics(composite, 5_000);
        for (int i = 0; i < INPUTS; i++) { // create the series, so the bare Timers can be looked up
            metrics.record(1, routes[i], methods[i], statuses[i], latencies[i]);
        }

        Variant viaMetrics = new Variant("TrafficMetrics.record", (i) -> metrics.record(1, routes[i], methods[i], statuses[i], latencies[i]));
        Variant bare = new Variant("the same Timers' record alone", timersOf(composite));
        for (int round = 0; round < ROUNDS; round++) {
            viaMetrics.run(round >= WARMUP_ROUNDS);
            bare.run(round >= WARMUP_ROUNDS);
        }
        System.out.printf("%-32s %6.1f ns/call  %5.1f bytes/call%n", viaMetrics.name, viaMetrics.bestNs, viaMetrics.bytesPerCall);
        System.out.printf("%-32s %6.1f ns/call  %5.1f bytes/call%n", bare.name, bare.bestNs, bare.bytesPerCall);

        long combinations = java.util.stream.IntStream.range(0, INPUTS)
            .mapToObj(i -> routes[i] + " " + methods[i] + " " + statuses[i]).distinct().count();
        assertEquals(combinations, prometheus.find(TrafficMetrics.SERVER_DURATION).timers().size(), "one series per combination");
        long recorded = INPUTS + 2L * ROUNDS * CALLS; // creation, then TrafficMetrics and the bare Timers
        assertEquals(recorded, prometheus.find(TrafficMetrics.SERVER_DURATION).timers().stream().mapToLong(Timer::count).sum());
        // nothing beyond what the Timer allocates (a byte per call of slack for the counter's own noise)
        assertTrue(viaMetrics.bytesPerCall <= bare.bytesPerCall + 1, viaMetrics + " vs " + bare);
    }

    /** The Timers TrafficMetrics made, looked up once per input: the floor {@code record} cannot go below. */
    private Recorder timersOf(MeterRegistry registry) {
        Timer[] timers = new Timer[INPUTS];
        for (int i = 0; i < INPUTS; i++) {
            timers[i] = registry.get(TrafficMetrics.SERVER_DURATION)
                .tags("http.route", routes[i], "http.request.method", methods[i], "http.response.status_code", Integer.toString(statuses[i]))
                .timer();
        }
        return (i) -> timers[i].record(latencies[i], TimeUnit.NANOSECONDS);
    }

    private static final class Variant {
        private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        final String name;
        final Recorder recorder;
        double bestNs = Double.MAX_VALUE;
        double bytesPerCall = Double.MAX_VALUE;

        Variant(String name, Recorder recorder) {
            this.name = name;
            this.recorder = recorder;
        }

        void run(boolean measured) {
            long tid = Thread.currentThread().getId();
            long allocatedBefore = THREADS.getThreadAllocatedBytes(tid);
            long start = System.nanoTime();
            for (int k = 0; k < CALLS; k++) {
                recorder.record(k & (INPUTS - 1));
            }
            long elapsed = System.nanoTime() - start;
            long allocated = THREADS.getThreadAllocatedBytes(tid) - allocatedBefore;
            if (measured) {
                bestNs = Math.min(bestNs, (double) elapsed / CALLS);
                bytesPerCall = Math.min(bytesPerCall, (double) allocated / CALLS);
            }
        }

        @Override
        public String toString() {
            return name.strip() + ": " + bestNs + " ns, " + bytesPerCall + " bytes per call";
        }
    }

    private interface Recorder {
        void record(int input);
    }
}
