package io.gatelens.analytics.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.gatelens.analytics.stats.EndpointMinute;
import io.gatelens.analytics.stats.LatencySketches;
import io.gatelens.analytics.stats.MinuteRow;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A version 1 file, written here through SQL as version 1 wrote it, opens as the current version with
 * the same figures (converted to version 2's bins, then given version 3's empty TLS tables).
 */
class StatsStoreMigrationTest {
    static final Instant T0 = StatsStoreTest.T0;
    static final String A = StatsStoreTest.A;

    @TempDir
    Path dir;

    private static final String V1_STATS = """
            calls BIGINT NOT NULL, s1xx BIGINT NOT NULL, s2xx BIGINT NOT NULL, s3xx BIGINT NOT NULL, s4xx BIGINT NOT NULL,
            s5xx BIGINT NOT NULL, s_other BIGINT NOT NULL, no_response BIGINT NOT NULL,
            status_codes INTEGER[] NOT NULL, status_counts BIGINT[] NOT NULL, req_bytes BIGINT NOT NULL, resp_bytes BIGINT NOT NULL,
            lat_idx INTEGER[] NOT NULL, lat_cnt BIGINT[] NOT NULL, ttfb_idx INTEGER[] NOT NULL, ttfb_cnt BIGINT[] NOT NULL,
            max_latency_ns BIGINT NOT NULL""";

    private static Instant at(String hhmmss) {
        return Instant.parse("2026-01-01T" + hhmmss + "Z");
    }

    @Test
    void aVersion1FileKeepsItsRowsAndFigures() throws Exception {
        Path file = dir.resolve("v1.duckdb");
        List<MinuteRow> minutes = new ArrayList<>(Oracle.rows(31, T0, 4 * 60, 3, StatsStoreTest.A, StatsStoreTest.B, null));
        List<MinuteRow> live = Oracle.rows(32, at("04:00:00"), 2, 3, A);
        // hours 00 and 01 rolled up by version 1; a late minute of hour 00 as an extra hour row, as version 1 wrote it
        List<MinuteRow> late = Oracle.rows(33, at("00:10:00"), 1, 2, A);
        try (Connection c = new org.duckdb.DuckDBDriver().connect("jdbc:duckdb:" + file, new java.util.Properties());
             Statement s = c.createStatement()) {
            s.execute("CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)");
            s.execute("INSERT INTO meta VALUES ('schema_version', '1'), ('rollup_watermark', '" + at("02:00:00").getEpochSecond() + "')");
            s.execute("CREATE TABLE endpoints (id INTEGER PRIMARY KEY, kind VARCHAR NOT NULL, spec VARCHAR, method VARCHAR NOT NULL, "
                + "template VARCHAR NOT NULL, host VARCHAR, operation_id VARCHAR, first_seen TIMESTAMP NOT NULL)");
            s.execute("INSERT INTO endpoints VALUES (1, 'OPERATION', 'petstore', 'GET', '/v1/pets', NULL, 'listPets', TIMESTAMP '2025-12-31 23:00:00')");
            s.execute("CREATE TABLE stats_minute (minute TIMESTAMP NOT NULL, endpoint_id INTEGER NOT NULL, host VARCHAR, " + V1_STATS + ")");
            s.execute("CREATE TABLE stats_hour (hour TIMESTAMP NOT NULL, endpoint_id INTEGER NOT NULL, host VARCHAR, " + V1_STATS + ")");
            s.execute("CREATE TABLE stats_live AS SELECT * FROM stats_minute LIMIT 0");
            s.execute("CREATE VIEW stats_recent AS SELECT * FROM stats_minute UNION ALL SELECT * FROM stats_live");
            s.execute("CREATE TABLE specs (name VARCHAR PRIMARY KEY, version INTEGER NOT NULL, uploaded_at TIMESTAMP NOT NULL, "
                + "source VARCHAR NOT NULL, content BLOB NOT NULL, servers_override VARCHAR[] NOT NULL)");
            insertV1(c, "stats_minute", minutes, 60);
            insertV1(c, "stats_minute", late, 60);
            insertV1(c, "stats_live", live, 60);
            insertV1(c, "stats_hour", hourRows(minutes, at("02:00:00")), 3600);
            insertV1(c, "stats_hour", late, 3600);
        }
        minutes.addAll(late);
        minutes.addAll(live);
        try (StatsStore store = StatsStore.open(file, StoreSettings.DEFAULTS)) {
            assertEquals(Optional.of(at("02:00:00")), store.rollupWatermark());
            assertEquals("listPets", store.endpoints().get(0).key().operationId());
            assertQueries(store, minutes, "migrated");
            assertEquals(2, store.rollup(at("04:10:00")), "version 2 rolls up the hours version 1 had not");
            assertQueries(store, minutes, "migrated and rolled up");
        }
        try (Connection c = new org.duckdb.DuckDBDriver().connect("jdbc:duckdb:" + file, new java.util.Properties());
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT (SELECT value FROM meta WHERE key = 'schema_version'), "
                 + "(SELECT count(*) FROM stats_live), (SELECT typeof(bins) FROM stats_hour LIMIT 1), "
                 + "(SELECT count(*) FROM tls_minute) + (SELECT count(*) FROM tls_hour) + (SELECT count(*) FROM tls_recent)")) {
            rs.next();
            assertEquals(Integer.toString(StatsStore.SCHEMA_VERSION), rs.getString(1));
            assertEquals(0, rs.getLong(4), "the TLS tables exist, empty");
            assertEquals(0, rs.getLong(2), "live rows became minute rows");
            assertEquals("BLOB", rs.getString(3));
        }
    }

    @Test
    void aVersion3FileKeepsItsSpecsWithTheirContentInFiles() throws Exception {
        Path file = dir.resolve("v3.duckdb");
        // a version 3 file as it was written: the content in the specs row
        try (StatsStore store = StatsStore.open(file, StoreSettings.DEFAULTS)) {
            // (opened by this build only to get the other tables; the specs table is then put back as version 3 had it)
        }
        byte[] content = "openapi: 3.0.3\ninfo: {title: pets, version: '1'}\npaths: {}\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        try (Connection c = new org.duckdb.DuckDBDriver().connect("jdbc:duckdb:" + file, new java.util.Properties());
             Statement s = c.createStatement()) {
            s.execute("DROP TABLE specs");
            s.execute("CREATE TABLE specs (name VARCHAR PRIMARY KEY, version INTEGER NOT NULL, uploaded_at TIMESTAMP NOT NULL, "
                + "source VARCHAR NOT NULL, content BLOB NOT NULL, servers_override VARCHAR[] NOT NULL)");
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO specs VALUES ('pets', 3, TIMESTAMP '2026-01-01 00:00:00', "
                + "'upload', ?, ['http://gw.local/v1'])")) {
                ps.setBytes(1, content);
                ps.executeUpdate();
            }
            s.execute("UPDATE meta SET value = '3' WHERE key = 'schema_version'");
        }
        try (StatsStore store = StatsStore.open(file, StoreSettings.DEFAULTS)) {
            SpecRecord pets = store.spec("pets").orElseThrow();
            assertEquals(3, pets.version());
            assertEquals(List.of("http://gw.local/v1"), pets.serversOverride());
            assertEquals(new String(content, java.nio.charset.StandardCharsets.UTF_8),
                new String(pets.content(), java.nio.charset.StandardCharsets.UTF_8));
        }
        try (Connection c = new org.duckdb.DuckDBDriver().connect("jdbc:duckdb:" + file, new java.util.Properties());
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT (SELECT value FROM meta WHERE key = 'schema_version'), "
                 + "(SELECT count(*) FROM information_schema.columns WHERE table_name = 'specs' AND column_name = 'content'), "
                 + "(SELECT content_file FROM specs WHERE name = 'pets')")) {
            rs.next();
            assertEquals(Integer.toString(StatsStore.SCHEMA_VERSION), rs.getString(1));
            assertEquals(0, rs.getLong(2), "the content column is gone");
            assertArrayEquals(content, java.nio.file.Files.readAllBytes(dir.resolve("v3.duckdb.specs").resolve(rs.getString(3))));
        }
    }

    private static void assertQueries(StatsStore store, List<MinuteRow> rows, String when) {
        for (Instant[] range : StatsStoreTest.RANGES) {
            for (String host : new String[] {null, A}) {
                assertEquals(Oracle.figures(rows, range[0], range[1], host), Oracle.asMap(store.endpointFigures(range[0], range[1], host)),
                    when + ": " + range[0] + " .. " + range[1] + " host " + host);
            }
        }
        Instant to = at("04:02:00");
        assertEquals(Oracle.figures(rows, T0, to, null), Oracle.asMap(store.endpointFigures(T0, to, null)), when + ": all");
        List<SeriesPoint> series = store.series(2, T0, to, Duration.ofMinutes(20), null);
        for (int k = 0; k < series.size(); k++) {
            Instant start = T0.plus(Duration.ofMinutes(20L * k));
            Instant end = start.plus(Duration.ofMinutes(20)).isAfter(to) ? to : start.plus(Duration.ofMinutes(20));
            assertEquals(Oracle.figures(rows, 2, start, end, null), series.get(k).figures(), when + ": series point " + k);
        }
    }

    /** The minutes before {@code end} summed per hour, endpoint and host, as version 1's rollup wrote them. */
    private static List<MinuteRow> hourRows(List<MinuteRow> minutes, Instant end) {
        Map<List<Object>, EndpointMinute> byKey = new LinkedHashMap<>();
        for (MinuteRow m : minutes) {
            if (m.minuteEpochSecond() < end.getEpochSecond()) {
                long hour = Math.floorDiv(m.minuteEpochSecond(), 3600L) * 3600;
                byKey.computeIfAbsent(Arrays.asList(hour, m.endpointId(), m.host()), k -> new EndpointMinute()).merge(m.stats());
            }
        }
        List<MinuteRow> out = new ArrayList<>();
        byKey.forEach((k, stats) -> out.add(new MinuteRow((Long) k.get(0), (Integer) k.get(1), (String) k.get(2), stats)));
        return out;
    }

    /** Rows through version 1's columns; the time is the row's minute floored to {@code unitSeconds}. */
    private static void insertV1(Connection c, String table, List<MinuteRow> rows, long unitSeconds) throws Exception {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table + " VALUES (make_timestamp(?::BIGINT), ?, ?, ?, ?, ?, ?, "
            + "?, ?, ?, ?, ?::INTEGER[], ?::BIGINT[], ?, ?, ?::INTEGER[], ?::BIGINT[], ?::INTEGER[], ?::BIGINT[], ?)")) {
            for (MinuteRow row : rows) {
                EndpointMinute m = row.stats();
                LatencySketches.Bins lat = m.latencyBins();
                LatencySketches.Bins ttfb = m.ttfbBins();
                int i = 1;
                ps.setLong(i++, Math.floorDiv(row.minuteEpochSecond(), unitSeconds) * unitSeconds * 1_000_000L);
                ps.setInt(i++, row.endpointId());
                ps.setString(i++, row.host());
                for (long v : new long[] {m.calls(), m.s1xx(), m.s2xx(), m.s3xx(), m.s4xx(), m.s5xx(), m.sOther(), m.noResponse()}) {
                    ps.setLong(i++, v);
                }
                ps.setString(i++, Arrays.toString(m.statusCodes()));
                ps.setString(i++, Arrays.toString(m.statusCodeCounts()));
                ps.setLong(i++, m.reqBytes());
                ps.setLong(i++, m.respBytes());
                ps.setString(i++, Arrays.toString(lat.indexes()));
                ps.setString(i++, Arrays.toString(lat.counts()));
                ps.setString(i++, Arrays.toString(ttfb.indexes()));
                ps.setString(i++, Arrays.toString(ttfb.counts()));
                ps.setLong(i, m.maxLatencyNs());
                ps.executeUpdate();
            }
        }
    }
}
