package io.gatelens.analytics.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatelens.analytics.tls.Handshakes;
import io.gatelens.analytics.tls.TlsAggregator;
import io.gatelens.analytics.tls.TlsCounts;
import io.gatelens.analytics.tls.TlsFront;
import io.gatelens.analytics.tls.TlsHandshakeFacts;
import io.gatelens.analytics.tls.TlsMinuteRow;
import io.gatelens.analytics.tls.TlsNames;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS rows in a real DuckDB file: exact figures per front and minute, through live rows, rollups, restarts and retention. */
class TlsStoreTest {
    static final Instant T0 = StatsStoreTest.T0;
    static final String HOSTILE = "<script>alert(1)</script>' OR 1=1; --" + "x".repeat(263);

    @TempDir
    Path dir;

    private StatsStore open() {
        return StatsStore.open(dir.resolve("tls.duckdb"), StoreSettings.DEFAULTS);
    }

    private static long ns(Instant t) {
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }

    /** Handshakes over 4 h 20 min: three SNIs (one hostile), an address without SNI, mixed versions, ALPN, failures. */
    static List<TlsHandshakeFacts> handshakes(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        String[] snis = {"api.example.com", "Shop.Example.COM", HOSTILE, null};
        int[][] versions = {{TlsNames.TLS_1_3, 0x1301}, {TlsNames.TLS_1_2, 0xc02f}, {TlsNames.TLS_1_1, 0x002f}, {TlsNames.TLS_1_0, 0x0035}};
        List<TlsHandshakeFacts> out = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            long ts = ns(T0) + r.nextLong(260L * 60_000_000_000L);
            Handshakes h = Handshakes.at(ts).sni(snis[r.nextInt(snis.length)]).server("192.0.2.7", 443)
                .ja4("t13d15" + r.nextInt(6) + "h2_aaaa_bbbb").handshakeNs(100_000 + r.nextLong(500_000_000));
            int[] v = versions[r.nextInt(versions.length)];
            if (v[0] <= TlsNames.TLS_1_2) {
                h.offered().clientVersion(v[0]).alpn("http/1.1");
            }
            switch (r.nextInt(10)) {
                case 0 -> h.noServerHello();
                case 1 -> h.unparseable().noServerHello();
                default -> h.negotiated(v[0], v[1], v[0] == TlsNames.TLS_1_3 ? null : (r.nextBoolean() ? "http/1.1" : null));
            }
            out.add(h.build());
        }
        return out;
    }

    static List<TlsMinuteRow> rows(List<TlsHandshakeFacts> facts) {
        TlsAggregator agg = new TlsAggregator();
        facts.forEach(agg::record);
        return agg.takeAll();
    }

    /** What the store should answer for [from, to): the handshakes whose minute starts in the range, counted directly. */
    static Map<TlsFront, Map<String, Object>> oracle(List<TlsHandshakeFacts> facts, Instant from, Instant to) {
        Map<TlsFront, TlsCounts> byFront = new LinkedHashMap<>();
        long fromMicros = Math.addExact(from.getEpochSecond() * 1_000_000L, (from.getNano() + 999) / 1_000);
        long toMicros = Math.addExact(to.getEpochSecond() * 1_000_000L, (to.getNano() + 999) / 1_000);
        for (TlsHandshakeFacts f : facts) {
            long minuteMicros = Math.floorDiv(f.tsNs(), 60_000_000_000L) * 60_000_000L;
            if (minuteMicros >= fromMicros && minuteMicros < toMicros) {
                byFront.computeIfAbsent(TlsFront.of(f), k -> TlsCounts.merging()).record(f);
            }
        }
        Map<TlsFront, Map<String, Object>> out = new TreeMap<>(FRONTS);
        byFront.forEach((k, v) -> out.put(k, describe(v)));
        return out;
    }

    static final java.util.Comparator<TlsFront> FRONTS = java.util.Comparator.comparing(TlsFront::kind).thenComparing(TlsFront::name);

    static Map<TlsFront, Map<String, Object>> described(List<TlsFrontCounts> fronts) {
        Map<TlsFront, Map<String, Object>> out = new TreeMap<>(FRONTS);
        for (TlsFrontCounts f : fronts) {
            out.put(f.front(), describe(f.counts()));
        }
        return out;
    }

    /** Every figure of a TlsCounts, comparable with equals. */
    static Map<String, Object> describe(TlsCounts c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("handshakes", c.handshakes());
        m.put("noServerHello", c.noServerHello());
        m.put("unparseable", c.unparseable());
        m.put("alpnNotSelected", c.alpnNotSelected());
        m.put("alpnEncrypted", c.alpnEncrypted());
        m.put("maxHandshakeNs", c.maxHandshakeNs());
        m.put("offeredMax", c.offeredMax().asMap() + " +" + c.offeredMax().other());
        m.put("offered", c.offered().asMap() + " +" + c.offered().other());
        m.put("negotiated", c.negotiated().asMap() + " +" + c.negotiated().other());
        m.put("ciphers", c.ciphers().asMap() + " +" + c.ciphers().other());
        m.put("alpnOffered", c.alpnOffered().asMap() + " +" + c.alpnOffered().other());
        m.put("alpnSelected", c.alpnSelected().asMap() + " +" + c.alpnSelected().other());
        m.put("ja4", c.ja4().asMap() + " +" + c.ja4().other());
        m.put("bins", c.handshakeTime().bins());
        return m;
    }

    private static void assertQueriesMatch(StatsStore store, List<TlsHandshakeFacts> facts, String when) {
        for (Instant[] range : StatsStoreTest.RANGES) {
            Map<TlsFront, Map<String, Object>> expected = oracle(facts, range[0], range[1]);
            assertEquals(expected, described(store.tlsFronts(range[0], range[1])),
                when + ": tlsFronts " + range[0] + " .. " + range[1]);
            TlsFront api = TlsFront.sni("api.example.com");
            assertEquals(expected.getOrDefault(api, describe(TlsCounts.merging())), describe(store.tlsFront(api, range[0], range[1])),
                when + ": tlsFront " + range[0]);
        }
    }

    @Test
    void figuresPerFrontAreExactThroughLiveRowsRollupsAndRestarts() {
        List<TlsHandshakeFacts> facts = handshakes(1);
        List<TlsMinuteRow> rows = rows(facts);
        // the last 3 minutes as open (live) rows, the rest as completed minutes
        long liveFrom = T0.plus(Duration.ofMinutes(257)).getEpochSecond();
        List<TlsMinuteRow> done = rows.stream().filter(r -> r.minuteEpochSecond() < liveFrom).toList();
        List<TlsMinuteRow> live = rows.stream().filter(r -> r.minuteEpochSecond() >= liveFrom).toList();
        assertTrue(!done.isEmpty() && !live.isEmpty());
        try (StatsStore store = open()) {
            store.appendTlsAndReplaceLive(done, live);
            assertQueriesMatch(store, facts, "minutes and live rows");
            assertEquals(2, store.rollup(T0.plus(Duration.ofMinutes(125))), "hours 00 and 01");
            assertQueriesMatch(store, facts, "after rolling up two hours");
        }
        try (StatsStore store = open()) {
            assertQueriesMatch(store, facts, "after a restart (live rows became minute rows)");
            store.rollup(T0.plus(Duration.ofHours(6)));
            assertQueriesMatch(store, facts, "after rolling up everything");
        }
        try (StatsStore store = open()) {
            assertQueriesMatch(store, facts, "rolled up, after a restart");
        }
    }

    @Test
    void exactCountsAndMixesPerSniAndMinute() {
        Instant minute = T0.plus(Duration.ofMinutes(7));
        long t = ns(minute);
        List<TlsHandshakeFacts> facts = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            facts.add(Handshakes.at(t + i * 100_000_000L).sni("api.example.com").handshakeNs((i + 1) * 1_000_000L).build());
        }
        for (int i = 0; i < 20; i++) {
            facts.add(Handshakes.at(t + i).sni("api.example.com").offered().clientVersion(TlsNames.TLS_1_0).alpn()
                .negotiated(TlsNames.TLS_1_0, 0x002f, null).handshakeNs(-1).build());
        }
        facts.add(Handshakes.at(t).sni("api.example.com").noServerHello().build());
        facts.add(Handshakes.at(t).sni("api.example.com").unparseable().noServerHello().build());
        facts.add(Handshakes.at(t + 61_000_000_000L).sni("api.example.com").negotiated(TlsNames.TLS_1_2, 0xc02f, "h2").build());
        try (StatsStore store = open()) {
            store.appendTlsAndReplaceLive(rows(facts), List.of());
            TlsCounts c = store.tlsFront(TlsFront.sni("api.example.com"), minute, minute.plusSeconds(60));
            assertEquals(122, c.handshakes());
            assertEquals(Map.of(TlsNames.TLS_1_3, 100L, TlsNames.TLS_1_0, 20L), c.negotiated().asMap());
            assertEquals(Map.of(TlsNames.TLS_1_3, 102L, TlsNames.TLS_1_0, 20L), c.offeredMax().asMap());
            assertEquals(Map.of(0x1301, 100L, 0x002f, 20L), c.ciphers().asMap());
            assertEquals(Map.of("h2", 102L, "http/1.1", 102L), c.alpnOffered().asMap());
            assertEquals(100, c.alpnEncrypted());
            assertEquals(20, c.alpnNotSelected());
            assertEquals(2, c.noServerHello());
            assertEquals(1, c.unparseable());
            assertEquals(20, c.legacyNegotiated());
            assertEquals(100, c.handshakeTime().count());
            assertEquals(100_000_000, c.maxHandshakeNs());
            for (double[] q : new double[][] {{0.5, 50}, {0.95, 95}, {0.99, 99}}) {
                assertEquals(q[1] * 1e6, c.handshakeQuantileNs(q[0]), q[1] * 1e6 * 0.01, "p" + q[0] + " within the sketch's 1 %");
            }
            // the next minute holds only the TLS 1.2 handshake
            List<TlsPoint> series = store.tlsSeries(TlsFront.sni("api.example.com"), minute, minute.plusSeconds(180), Duration.ofMinutes(1));
            assertEquals(List.of(122L, 1L, 0L), series.stream().map(p -> p.counts().handshakes()).toList());
            assertEquals(Map.of(TlsNames.TLS_1_2, 1L), series.get(1).counts().negotiated().asMap());
            assertEquals(Map.of("h2", 1L), series.get(1).counts().alpnSelected().asMap());
        }
    }

    @Test
    void seriesOverRolledUpHoursMatchesMinutes() {
        List<TlsHandshakeFacts> facts = handshakes(2);
        try (StatsStore store = open()) {
            store.appendTlsAndReplaceLive(rows(facts), List.of());
            TlsFront front = TlsFront.sni("shop.example.com");
            Instant from = T0.plus(Duration.ofMinutes(17));
            Instant to = T0.plus(Duration.ofMinutes(250));
            List<Map<String, Object>> before = store.tlsSeries(front, from, to, Duration.ofMinutes(60)).stream()
                .map(p -> describe(p.counts())).toList();
            List<Map<String, Object>> minutesBefore = store.tlsSeries(front, from, to, Duration.ofMinutes(1)).stream()
                .map(p -> describe(p.counts())).toList();
            store.rollup(T0.plus(Duration.ofHours(6)));
            assertEquals(before, store.tlsSeries(front, from, to, Duration.ofMinutes(60)).stream().map(p -> describe(p.counts())).toList());
            assertEquals(minutesBefore, store.tlsSeries(front, from, to, Duration.ofMinutes(1)).stream()
                .map(p -> describe(p.counts())).toList());
            // steps of two hours from an hour boundary read hour rows
            Instant h0 = T0;
            List<TlsPoint> twoHours = store.tlsSeries(front, h0, h0.plus(Duration.ofHours(4)), Duration.ofHours(2));
            assertEquals(oracle(facts, h0, h0.plus(Duration.ofHours(2))).get(front), describe(twoHours.get(0).counts()));
            assertEquals(oracle(facts, h0.plus(Duration.ofHours(2)), h0.plus(Duration.ofHours(4))).get(front),
                describe(twoHours.get(1).counts()));
            assertThrows(IllegalArgumentException.class, () -> store.tlsSeries(front, from, to, Duration.ofSeconds(30)));
        }
    }

    @Test
    void aHostileSniIsStoredAndReturnedAsData() {
        long t = ns(T0);
        List<TlsHandshakeFacts> facts = List.of(
            Handshakes.at(t).sni(HOSTILE).alpn("h2'; DROP TABLE tls_minute; --", "<img src=x onerror=alert(1)>")
                .ja4("'); DELETE FROM meta; --").build());
        assertEquals(300, HOSTILE.length());
        try (StatsStore store = open()) {
            store.appendTlsAndReplaceLive(rows(facts), List.of());
            store.rollup(T0.plus(Duration.ofHours(2)));
        }
        try (StatsStore store = open()) {
            List<TlsFrontCounts> fronts = store.tlsFronts(T0, T0.plus(Duration.ofHours(1)));
            assertEquals(1, fronts.size());
            assertEquals(TlsFront.sni(HOSTILE.toLowerCase(java.util.Locale.ROOT)), fronts.get(0).front());
            assertEquals(300, fronts.get(0).front().name().length());
            TlsCounts c = store.tlsFront(fronts.get(0).front(), T0, T0.plus(Duration.ofHours(1)));
            assertEquals(1, c.handshakes());
            assertEquals(Map.of("h2'; DROP TABLE tls_minute; --", 1L, "<img src=x onerror=alert(1)>", 1L), c.alpnOffered().asMap());
            assertEquals(Map.of("'); DELETE FROM meta; --", 1L), c.ja4().asMap());
        }
    }

    @Test
    void ja4BeyondTheBoundOfARowFoldsIntoOtherAndTotalsStayExact() {
        // 60 minutes, each with 40 fingerprints of its own: every minute row keeps 32, the hour row 32 of 2,400
        List<TlsHandshakeFacts> facts = new ArrayList<>();
        for (int m = 0; m < 60; m++) {
            for (int j = 0; j < 40; j++) {
                for (int k = 0; k < 1 + (j < 2 ? 100 : 0) + (m == 0 && j == 2 ? 10_000 : 0); k++) {
                    facts.add(Handshakes.at(ns(T0.plus(Duration.ofMinutes(m)))).ja4(j < 2 ? "common" + j : "m" + m + "j" + j).build());
                }
            }
        }
        try (StatsStore store = open()) {
            store.appendTlsAndReplaceLive(rows(facts), List.of());
            TlsCounts minutes = store.tlsFront(TlsFront.sni("api.example.com"), T0, T0.plus(Duration.ofHours(1)));
            assertEquals(facts.size(), minutes.handshakes());
            assertEquals(facts.size(), minutes.ja4().total(), "kept plus other");
            assertEquals(2 + 60 * 30, minutes.ja4().size(), "the minute rows' kept fingerprints merged: two common, 30 own each");
            assertEquals(6_060, minutes.ja4().count("common0"));
            store.rollup(T0.plus(Duration.ofHours(2)));
            TlsCounts hour = store.tlsFront(TlsFront.sni("api.example.com"), T0, T0.plus(Duration.ofHours(1)));
            assertEquals(facts.size(), hour.handshakes());
            assertEquals(facts.size(), hour.ja4().total());
            assertEquals(TlsCounts.KEEP_JA4, hour.ja4().size(), "an hour row keeps 32 too");
            assertEquals(10_001, hour.ja4().count("m0j2"));
            assertEquals(6_060, hour.ja4().count("common0"));
            assertEquals(6_060, hour.ja4().count("common1"));
        }
    }

    @Test
    void lateRowsOfRolledUpHoursAndRetention() {
        try (StatsStore store = open()) {
            store.appendTlsAndReplaceLive(rows(List.of(Handshakes.at(ns(T0)).build())), List.of());
            store.rollup(T0.plus(Duration.ofHours(2)));
            // a late row for minute 00:30, after the hour was rolled up, counts in the hour's figures
            store.appendTlsAndReplaceLive(rows(List.of(Handshakes.at(ns(T0.plus(Duration.ofMinutes(30)))).build())), List.of());
            assertEquals(2, store.tlsFront(TlsFront.sni("api.example.com"), T0, T0.plus(Duration.ofHours(1))).handshakes());
            assertEquals(1, store.tlsFront(TlsFront.sni("api.example.com"), T0.plus(Duration.ofMinutes(30)),
                T0.plus(Duration.ofMinutes(31))).handshakes());
            // minute retention (7 d) drops the minutes; the hour stays until hour retention (90 d)
            store.applyRetention(T0.plus(Duration.ofDays(8)));
            assertEquals(0, store.tlsFront(TlsFront.sni("api.example.com"), T0.plus(Duration.ofMinutes(30)),
                T0.plus(Duration.ofMinutes(31))).handshakes());
            assertEquals(2, store.tlsFront(TlsFront.sni("api.example.com"), T0, T0.plus(Duration.ofHours(1))).handshakes());
            store.applyRetention(T0.plus(Duration.ofDays(91)));
            assertTrue(store.tlsFronts(T0, T0.plus(Duration.ofHours(1))).isEmpty());
        }
    }

    @Test
    void tlsOnlyTrafficIsRolledUpToo() {
        try (StatsStore store = open()) {
            store.appendTlsAndReplaceLive(rows(List.of(Handshakes.at(ns(T0.plus(Duration.ofMinutes(5)))).build())), List.of());
            assertEquals(2, store.rollup(T0.plus(Duration.ofMinutes(125))), "the first rollup starts at the oldest TLS minute");
            assertEquals(1, store.tlsFronts(T0, T0.plus(Duration.ofHours(1))).get(0).counts().handshakes());
        }
    }

    @Test
    void aVersion2FileGetsTheTlsTables() throws Exception {
        Path file = dir.resolve("tls.duckdb");
        Object httpFigures;
        try (StatsStore store = open()) {
            store.append(Oracle.rows(5, T0, 10, 2, "a.example"));
            httpFigures = Oracle.asMap(store.endpointFigures(T0, T0.plus(Duration.ofHours(1)), null));
        }
        // make it a version 2 file: no TLS tables, the spec content in the specs row
        try (Connection c = new org.duckdb.DuckDBDriver().connect("jdbc:duckdb:" + file, new java.util.Properties());
             Statement s = c.createStatement()) {
            s.execute("DROP VIEW tls_recent");
            s.execute("DROP TABLE tls_live");
            s.execute("DROP TABLE tls_minute");
            s.execute("DROP TABLE tls_hour");
            s.execute("DROP TABLE specs");
            s.execute("CREATE TABLE specs (name VARCHAR PRIMARY KEY, version INTEGER NOT NULL, uploaded_at TIMESTAMP NOT NULL, "
                + "source VARCHAR NOT NULL, content BLOB NOT NULL, servers_override VARCHAR[] NOT NULL)");
            s.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'");
        }
        try (StatsStore store = open()) {
            assertEquals(httpFigures, Oracle.asMap(store.endpointFigures(T0, T0.plus(Duration.ofHours(1)), null)));
            store.appendTlsAndReplaceLive(rows(List.of(Handshakes.at(ns(T0)).build())), List.of());
            assertEquals(1, store.tlsFronts(T0, T0.plus(Duration.ofHours(1))).size());
        }
        try (Connection c = new org.duckdb.DuckDBDriver().connect("jdbc:duckdb:" + file, new java.util.Properties());
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT value FROM meta WHERE key = 'schema_version'")) {
            rs.next();
            assertEquals(Integer.toString(StatsStore.SCHEMA_VERSION), rs.getString(1));
        }
    }
}
