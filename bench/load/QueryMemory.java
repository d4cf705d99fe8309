import io.gatelens.analytics.store.StatsStore;
import io.gatelens.analytics.store.StoreSettings;
import org.duckdb.DuckDBConnection;

import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;

/**
 * Whose memory GET /api/endpoints takes: opens a COPY of a service's DuckDB file with the service's
 * StatsStore, runs StatsStore.endpointFigures (what the endpoint calls) over the last hour N times,
 * and prints the process's VmRSS / RssAnon, the Java heap in use and DuckDB's own accounting
 * (duckdb_memory(), memory_limit, threads) before, during and after. With a MEMORY_LIMIT argument
 * (e.g. 64MB) it first sets DuckDB's memory_limit on the store's connection (the store has no
 * setting for it today) to show the effect.
 *
 * Usage (project root, jar built):
 *   java -cp 'analytics/target/quarkus-app/app/*:analytics/target/quarkus-app/lib/main/*' \
 *     bench/load/QueryMemory.java DB.duckdb [QUERIES=20] [MEMORY_LIMIT]
 */
public class QueryMemory {
    public static void main(String[] args) throws Exception {
        Path src = Path.of(args[0]);
        int queries = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        String limit = args.length > 2 ? args[2] : null;
        Path dir = Files.createTempDirectory("gatelens-query-memory");
        Path db = dir.resolve("g.duckdb");
        Files.copy(src, db, StandardCopyOption.REPLACE_EXISTING);
        Path wal = Path.of(src + ".wal");
        if (Files.exists(wal)) {
            Files.copy(wal, Path.of(db + ".wal"));
        }
        try (StatsStore store = StatsStore.open(db, StoreSettings.DEFAULTS)) {
            Field f = StatsStore.class.getDeclaredField("writer");
            f.setAccessible(true);
            DuckDBConnection c = (DuckDBConnection) f.get(store);
            if (limit != null) {
                try (Statement s = c.createStatement()) {
                    s.execute("SET memory_limit = '" + limit + "'");
                }
            }
            report("opened", c);
            Instant to = Instant.now();
            Instant from = to.minus(Duration.ofHours(1));
            for (int i = 1; i <= queries; i++) {
                long t0 = System.nanoTime();
                int n = store.endpointFigures(from, to, null).size();
                long ms = (System.nanoTime() - t0) / 1_000_000;
                if (i == 1 || i == queries || i % 5 == 0) {
                    report("query " + i + " (" + n + " endpoints, " + ms + " ms)", c);
                }
            }
            System.gc();
            Thread.sleep(15_000);
            report("15 s later, after a GC", c);
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void report(String when, DuckDBConnection c) throws Exception {
        Runtime rt = Runtime.getRuntime();
        StringBuilder duck = new StringBuilder();
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT current_setting('memory_limit'), current_setting('threads'),"
                 + " (SELECT sum(memory_usage_bytes) FROM duckdb_memory()),"
                 + " (SELECT string_agg(tag || '=' || memory_usage_bytes // 1048576 || 'MB', ' ') FROM duckdb_memory()"
                 + "  WHERE memory_usage_bytes > 1048576)")) {
            rs.next();
            duck.append("memory_limit ").append(rs.getString(1)).append(", threads ").append(rs.getString(2))
                .append(", duckdb_memory() ").append(rs.getLong(3) / 1048576).append(" MB [").append(rs.getString(4))
                .append("]");
        }
        System.out.printf("%-36s VmRSS %4d MB, RssAnon %4d MB, heap used %4d / committed %4d MB; %s%n", when,
            proc("VmRSS"), proc("RssAnon"), (rt.totalMemory() - rt.freeMemory()) >> 20, rt.totalMemory() >> 20, duck);
    }

    private static long proc(String key) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith(key + ":")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) >> 10;
            }
        }
        return -1;
    }
}
