package io.gatelens.bench;

import io.gatelens.analytics.route.Match;
import io.gatelens.analytics.route.RouteTrie;
import io.gatelens.analytics.spec.ApiSpec;
import io.gatelens.analytics.spec.Operation;
import io.gatelens.analytics.spec.ServerBinding;
import io.gatelens.analytics.spec.SpecLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
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

/**
 * Throughput of {@link RouteTrie#find} against the GitHub REST spec (771 operations): requests/s on
 * one thread, one operation = one request. The requests are fixed: concrete paths of the spec's
 * operations (numbers and names for parameters, half with a query string), and about 30% that are not
 * operations (unknown suffixes and prefixes, static files, a method the path does not have).
 *
 * <p>{@code distinctPaths}: 4096 is the figure of record; with 256 the same mix is cycled over fewer
 * strings, which then stay in cache, as a path that the decoder has just produced does in a live
 * pipeline. On the project VM the 4096 distinct strings (~400 KB) do not stay in L2 and every find
 * starts by fetching its path; {@link #readPathsOnly} measures that part alone.
 *
 * <p>{@link #findBytes} asks the same questions with the paths as UTF-8 bytes, laid out one after the
 * other in one buffer as the ingest holds them ({@link #readPathBytesOnly} is its control); with 256
 * distinct paths the buffer holds those 256, and the requests cycle over them.
 *
 * <p>Spec: system property {@code gatelens.github.spec}, else env {@code GATELENS_GITHUB_SPEC}, else
 * {@code ../shared/corpus/openapi/api.github.com.json} (relative to the project root, where the jar
 * is run from). Run: {@code java -jar bench/target/benchmarks.jar RouteMatchBenchmark}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
public class RouteMatchBenchmark {
    static final int REQUESTS = 4096;
    static final int MISS_PERCENT = 30;

    private static final String[] NAMES = {"octocat", "hello-world", "main", "v1.2.3", "docs", "gatelens", "linux"};
    private static final String[] MISSES = {"/favicon.ico", "/robots.txt", "/v4/graphql/schema", "/api/v1/users",
        "/static/js/app.8f3a2c.js", "/.well-known/security.txt", "/healthz"};

    @Param({"4096", "256"})
    public int distinctPaths;

    private RouteTrie<Operation> trie;
    private String[] hosts;
    private String[] methods;
    private String[] paths;
    private byte[] pathBytes;
    private int[] pathOffsets;
    private int[] pathLengths;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        Path spec = specPath();
        ApiSpec api = new SpecLoader().load(spec);
        trie = RouteTrie.build(api.routeEntries());
        List<Operation> ops = api.operations();
        hosts = new String[REQUESTS];
        methods = new String[REQUESTS];
        paths = new String[REQUESTS];
        int expectedHits = generate(api, new SplittableRandom(42), hosts, methods, paths);
        for (int i = distinctPaths; i < REQUESTS; i++) {
            hosts[i] = hosts[i % distinctPaths];
            methods[i] = methods[i % distinctPaths];
            paths[i] = paths[i % distinctPaths];
        }
        compact(paths);
        layOut(paths);
        int hits = 0;
        for (int i = 0; i < REQUESTS; i++) {
            Match<Operation> m = trie.find(hosts[i], methods[i], paths[i]);
            hits += m != null && m.isMatched() ? 1 : 0;
            if (m != trie.find(hosts[i], methods[i], pathBytes, pathOffsets[i], pathLengths[i])) {
                throw new IllegalStateException("bytes and String disagree on " + paths[i]);
            }
        }
        // a miss may still hit another route by chance (an unknown suffix after a {param}); a hit never misses
        if (distinctPaths == REQUESTS && hits < expectedHits) {
            throw new IllegalStateException("only " + hits + " of " + expectedHits + " generated hits matched");
        }
        System.out.printf("%n%s: %d operations, %d routes; %d requests, %d matched (%.0f%%)%n", spec,
            ops.size(), trie.routeCount(), REQUESTS, hits, 100.0 * hits / REQUESTS);
    }

    @Benchmark
    @OperationsPerInvocation(REQUESTS)
    public int find() {
        int matched = 0;
        for (int i = 0; i < REQUESTS; i++) {
            Match<Operation> m = trie.find(hosts[i], methods[i], paths[i]);
            if (m != null) {
                matched++;
            }
        }
        return matched;
    }

    @Benchmark
    @OperationsPerInvocation(REQUESTS)
    public int findBytes() {
        int matched = 0;
        for (int i = 0; i < REQUESTS; i++) {
            Match<Operation> m = trie.find(hosts[i], methods[i], pathBytes, pathOffsets[i], pathLengths[i]);
            if (m != null) {
                matched++;
            }
        }
        return matched;
    }

    /**
     * Fills hosts/methods/paths with requests to the spec's operations, {@value #MISS_PERCENT}% of them
     * made into misses; returns how many are hits. Shared with {@link IngestBenchmark}.
     */
    static int generate(ApiSpec api, SplittableRandom rnd, String[] hosts, String[] methods, String[] paths) {
        List<Operation> ops = api.operations();
        int expectedHits = 0;
        for (int i = 0; i < paths.length; i++) {
            Operation op = ops.get(rnd.nextInt(ops.size()));
            ServerBinding server = api.serversOf(op).get(0);
            hosts[i] = server.host();
            methods[i] = op.method();
            String path = server.basePath() + concrete(op.pathTemplate(), rnd);
            if (rnd.nextInt(100) < MISS_PERCENT) {
                switch (rnd.nextInt(3)) {
                    case 0 -> path = path + "/unknown-" + rnd.nextInt(1000);
                    case 1 -> path = MISSES[rnd.nextInt(MISSES.length)];
                    default -> methods[i] = op.method().equals("TRACE") ? "GET" : "TRACE";
                }
            } else {
                expectedHits++;
            }
            if (rnd.nextBoolean()) {
                path = path + "?per_page=100&page=" + (1 + rnd.nextInt(20));
            }
            paths[i] = path;
        }
        return expectedHits;
    }

    /**
     * Copies the paths so that each String and its bytes sit next to the previous one: built with
     * StringBuilder they are scattered among garbage, and every find would start with two cache
     * misses that a live pipeline (which matches a path it has just decoded) does not have.
     */
    static void compact(String[] paths) {
        java.util.Map<String, String> copies = new java.util.IdentityHashMap<>();
        char[][] chars = new char[paths.length][];
        for (int i = 0; i < paths.length; i++) {
            chars[i] = paths[i].toCharArray();
        }
        for (int i = 0; i < paths.length; i++) {
            String original = paths[i];
            String copy = copies.get(original);
            if (copy == null) {
                copy = new String(chars[i]);
                copies.put(original, copy);
            }
            paths[i] = copy;
        }
    }

    /** The distinct paths as UTF-8, one after the other in {@link #pathBytes}; a repeated path is the same slice. */
    private void layOut(String[] paths) {
        java.util.Map<String, Integer> at = new java.util.IdentityHashMap<>();
        java.io.ByteArrayOutputStream buffer = new java.io.ByteArrayOutputStream();
        pathOffsets = new int[paths.length];
        pathLengths = new int[paths.length];
        for (int i = 0; i < paths.length; i++) {
            byte[] utf8 = paths[i].getBytes(StandardCharsets.UTF_8);
            Integer offset = at.get(paths[i]);
            if (offset == null) {
                offset = buffer.size();
                buffer.writeBytes(utf8);
                at.put(paths[i], offset);
            }
            pathOffsets[i] = offset;
            pathLengths[i] = utf8.length;
        }
        pathBytes = buffer.toByteArray();
    }

    /**
     * Control: reads each path up to its query string and nothing else, the floor for any matcher
     * that looks at every character of the path once. find can only be slower than this.
     */
    @Benchmark
    @OperationsPerInvocation(REQUESTS)
    public int readPathsOnly() {
        int slashes = 0;
        for (int i = 0; i < REQUESTS; i++) {
            String p = paths[i];
            for (int k = 0, n = p.length(); k < n; k++) {
                char c = p.charAt(k);
                if (c == '?') {
                    break;
                }
                slashes += c == '/' ? 1 : 0;
            }
        }
        return slashes;
    }

    /** {@link #readPathsOnly} over the bytes that {@link #findBytes} reads. */
    @Benchmark
    @OperationsPerInvocation(REQUESTS)
    public int readPathBytesOnly() {
        int slashes = 0;
        byte[] bytes = pathBytes;
        for (int i = 0; i < REQUESTS; i++) {
            for (int k = pathOffsets[i], n = k + pathLengths[i]; k < n; k++) {
                byte c = bytes[k];
                if (c == '?') {
                    break;
                }
                slashes += c == '/' ? 1 : 0;
            }
        }
        return slashes;
    }

    static Path specPath() {
        String p = System.getProperty("gatelens.github.spec");
        if (p == null) {
            p = System.getenv("GATELENS_GITHUB_SPEC");
        }
        Path path = Path.of(p != null ? p : "../shared/corpus/openapi/api.github.com.json");
        if (!Files.isRegularFile(path)) {
            throw new IllegalStateException("GitHub spec not found at " + path.toAbsolutePath()
                + ": run from the project root or set -Dgatelens.github.spec=/path/to/api.github.com.json");
        }
        return path;
    }

    /** The template with each {param} replaced: numbers for ids and numbers, names otherwise. */
    static String concrete(String template, SplittableRandom rnd) {
        StringBuilder sb = new StringBuilder(template.length() + 16);
        int i = 0;
        while (i < template.length()) {
            int open = template.indexOf('{', i);
            if (open < 0) {
                sb.append(template, i, template.length());
                break;
            }
            int close = template.indexOf('}', open);
            sb.append(template, i, open);
            String name = template.substring(open + 1, close);
            if (name.endsWith("id") || name.endsWith("number") || name.endsWith("_id")) {
                sb.append(1 + rnd.nextInt(10_000_000));
            } else {
                sb.append(NAMES[rnd.nextInt(NAMES.length)]);
            }
            i = close + 1;
        }
        return sb.toString();
    }
}
