package io.gatelens.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * {@link IngestBenchmark}'s methods timed by the ingest thread's own CPU time rather than the wall
 * clock: on the 2-vCPU project VM other work (builds, tests) shares the cores, and wall-clock JMH
 * scores then swing by ±50 %, while CPU time per transaction stays within a few percent. Each figure
 * is 8 runs of the method (8 Mi transactions) after 8 warm-up runs.
 *
 * <p>Run from the project root, after {@code ./mvnw -q -B install -DskipTests}:
 * {@code java --add-opens=java.base/java.nio=ALL-UNNAMED -cp bench/target/benchmarks.jar io.gatelens.bench.IngestCpuTime}
 */
public final class IngestCpuTime {
    private static final int WARMUP = 8;
    private static final int RUNS = 8;

    public static void main(String[] args) throws Exception {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        for (String distinct : new String[] {"65536", "4096"}) {
            IngestBenchmark b = new IngestBenchmark();
            b.distinctPaths = Integer.parseInt(distinct);
            b.setUp();
            for (int w = 0; w < WARMUP; w++) {
                b.ingestOnly();
            }
            for (String method : new String[] {"ingestOnly", "ingestAndFlush"}) {
                long cpu0 = threads.getCurrentThreadCpuTime();
                long transactions = 0;
                for (int r = 0; r < RUNS; r++) {
                    if (method.equals("ingestOnly")) {
                        b.ingestOnly();
                    } else {
                        b.ingestAndFlush();
                    }
                    transactions += IngestBenchmark.ROWS * (long) IngestBenchmark.PASSES;
                }
                long cpuNs = threads.getCurrentThreadCpuTime() - cpu0;
                System.out.printf("%s distinctPaths=%s: %.2f M transactions per CPU-second%n", method, distinct,
                    transactions / (cpuNs / 1e9) / 1e6);
            }
            b.tearDown();
        }
    }
}
