import io.gatelens.analytics.catalog.EndpointIds;
import io.gatelens.analytics.catalog.NamedSpec;
import io.gatelens.analytics.catalog.RouteTable;
import io.gatelens.analytics.catalog.SpecCatalog;
import io.gatelens.analytics.spec.ApiSpec;
import io.gatelens.analytics.spec.Operation;
import io.gatelens.analytics.spec.SpecLoader;
import io.gatelens.analytics.store.EndpointKey;
import io.gatelens.analytics.store.SpecRecord;
import io.gatelens.analytics.store.StatsStore;
import io.gatelens.analytics.store.StoreSettings;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the time of a spec upload goes, outside the HTTP layer: SpecCatalog.put (what POST /api/specs
 * calls) and its parts, SpecLoader.load, StatsStore.saveSpec, RouteTable.compile, each repeated
 * (first = cold), with the process's RSS, the Java heap and DuckDB's duckdb_memory() after each round.
 * Evidence for bench/service-load.sh's upload figure; same classes as the service.
 *
 * Usage (project root, jar built):
 *   java -cp 'analytics/target/quarkus-app/app/*:analytics/target/quarkus-app/lib/main/*' \
 *     bench/load/UploadParts.java SPEC.json [ROUNDS=10] [DUCKDB-SETTING-SQL]...
 */
public class UploadParts {
    public static void main(String[] args) throws Exception {
        byte[] content = Files.readAllBytes(Path.of(args[0]));
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        Path dir = Files.createTempDirectory("gatelens-upload-parts");
        try (StatsStore store = StatsStore.open(dir.resolve("g.duckdb"), StoreSettings.DEFAULTS)) {
            EndpointIds ids = new EndpointIds() {
                @Override
                public int operation(String spec, String method, String template, String operationId) {
                    return store.endpointId(EndpointKey.operation(spec, method, template, operationId));
                }

                @Override
                public int[] operations(String spec, List<Operation> ops) {
                    return store.endpointIds(ops.stream()
                        .map(op -> EndpointKey.operation(spec, op.method(), op.pathTemplate(), op.operationId())).toList());
                }

                @Override
                public int shadow(String host, String method, String template) {
                    return store.endpointId(EndpointKey.shadow(method, template, host));
                }
            };
            SpecLoader loader = new SpecLoader();
            SpecCatalog catalog = new SpecCatalog(store, loader, ids, Clock.systemUTC());
            java.lang.reflect.Field writer = StatsStore.class.getDeclaredField("writer");
            writer.setAccessible(true);
            java.sql.Connection duck = (java.sql.Connection) writer.get(store);
            for (int a = 2; a < args.length; a++) { // DuckDB settings to try, e.g. "SET allocator_flush_threshold = '16MB'"
                try (java.sql.Statement st = duck.createStatement()) {
                    st.execute(args[a]);
                }
            }
            System.out.printf("%5s %9s %9s %9s %10s %8s %11s %7s %8s %9s%n", "round", "put_ms", "load_ms", "save_ms",
                "compile_ms", "heap_mb", "heap_com_mb", "rss_mb", "anon_mb", "duckdb_mb");
            for (int r = 1; r <= rounds; r++) {
                long t0 = System.nanoTime();
                catalog.put("github", content, List.of(), "upload");
                long t1 = System.nanoTime();
                ApiSpec spec = loader.load(content);
                long t2 = System.nanoTime();
                store.saveSpec(new SpecRecord("github-copy", r, Instant.now(), "upload", content, List.of()));
                long t3 = System.nanoTime();
                RouteTable.compile(new ArrayList<>(List.of(new NamedSpec("github", r, spec))), ids);
                long t4 = System.nanoTime();
                Runtime rt = Runtime.getRuntime();
                long duckMb;
                try (java.sql.Statement st = duck.createStatement();
                     java.sql.ResultSet rs = st.executeQuery("SELECT sum(memory_usage_bytes) FROM duckdb_memory()")) {
                    rs.next();
                    duckMb = rs.getLong(1) >> 20;
                }
                System.out.printf("%5d %9.1f %9.1f %9.1f %10.1f %8d %11d %7d %8d %9d%n", r, (t1 - t0) / 1e6, (t2 - t1) / 1e6,
                    (t3 - t2) / 1e6, (t4 - t3) / 1e6, (rt.totalMemory() - rt.freeMemory()) >> 20, rt.totalMemory() >> 20,
                    proc("VmRSS"), proc("RssAnon"), duckMb);
            }
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static long proc(String key) throws java.io.IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith(key + ":")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) >> 10;
            }
        }
        return -1;
    }
}
