package io.gatelens.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Two or more builds of the benchmarks jar compared in ONE JVM, each in a class loader of its own,
 * their runs alternated: on the 2-vCPU project VM the machine's state drifts by ±30 % within minutes
 * (other work, the host's shared L3), which separate runs cannot tell from a change; alternation can.
 *
 * <ul>
 *   <li>{@code ingest}: {@link IngestBenchmark#ingestOnly} (1 Mi transactions a run), CPU time of
 *       this thread; {@code -Ddistinct=65536|4096}, {@code -Drounds=12}.</li>
 *   <li>{@code match}: {@link RouteMatchBenchmark#findBytes} in 200 ms blocks, wall clock;
 *       {@code -Ddistinct=4096|256}, {@code -Drounds=30}.</li>
 * </ul>
 * Prints median, quartiles and maximum per jar. Run from the project root:
 * {@code java --add-opens=java.base/java.nio=ALL-UNNAMED -cp bench/target/benchmarks.jar io.gatelens.bench.JarAb ingest OLD.jar NEW.jar}
 */
public final class JarAb {
    public static void main(String[] args) throws Exception {
        if (args.length < 2 || !(args[0].equals("ingest") || args[0].equals("match"))) {
            System.err.println("usage: JarAb ingest|match JAR [JAR...]");
            System.exit(2);
        }
        boolean ingest = args[0].equals("ingest");
        String[] jars = Arrays.copyOfRange(args, 1, args.length);
        int distinct = Integer.getInteger("distinct", ingest ? 65536 : 4096);
        int rounds = Integer.getInteger("rounds", ingest ? 12 : 30);
        Object[] bench = new Object[jars.length];
        Method[] run = new Method[jars.length];
        for (int k = 0; k < jars.length; k++) {
            ClassLoader loader = new URLClassLoader(new URL[] {Path.of(jars[k]).toUri().toURL()}, ClassLoader.getPlatformClassLoader());
            Class<?> c = loader.loadClass(ingest ? "io.gatelens.bench.IngestBenchmark" : "io.gatelens.bench.RouteMatchBenchmark");
            bench[k] = c.getConstructor().newInstance();
            c.getField("distinctPaths").setInt(bench[k], distinct);
            c.getMethod("setUp").invoke(bench[k]);
            run[k] = c.getMethod(ingest ? "ingestOnly" : "findBytes");
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        double[][] results = new double[jars.length][rounds];
        for (int r = -Math.max(4, rounds / 3); r < rounds; r++) { // the first rounds warm up
            for (int k = 0; k < jars.length; k++) {
                double millionsPerSecond;
                if (ingest) {
                    long cpu0 = threads.getCurrentThreadCpuTime();
                    run[k].invoke(bench[k]);
                    millionsPerSecond = IngestBenchmark.ROWS * (double) IngestBenchmark.PASSES
                        / ((threads.getCurrentThreadCpuTime() - cpu0) / 1e9) / 1e6;
                } else {
                    long t0 = System.nanoTime();
                    long calls = 0;
                    while (System.nanoTime() - t0 < 200_000_000L) {
                        run[k].invoke(bench[k]);
                        calls++;
                    }
                    millionsPerSecond = calls * RouteMatchBenchmark.REQUESTS / ((System.nanoTime() - t0) / 1e9) / 1e6;
                }
                if (r >= 0) {
                    results[k][r] = millionsPerSecond;
                }
            }
        }
        for (int k = 0; k < jars.length; k++) {
            double[] x = results[k].clone();
            Arrays.sort(x);
            System.out.printf("%s %s distinct=%d: median %.2f M/s, p25 %.2f, p75 %.2f, max %.2f (%s)%n", args[0], jars[k], distinct,
                x[x.length / 2], x[x.length / 4], x[3 * x.length / 4], x[x.length - 1], ingest ? "per CPU-second" : "wall clock");
        }
    }
}
