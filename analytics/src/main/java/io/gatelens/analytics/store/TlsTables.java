package io.gatelens.analytics.store;

import io.gatelens.analytics.stats.LatencySketches;
import io.gatelens.analytics.tls.CountMix;
import io.gatelens.analytics.tls.TlsCounts;
import io.gatelens.analytics.tls.TlsFront;
import io.gatelens.analytics.tls.TlsMinuteRow;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

/**
 * The TLS tables of the {@link StatsStore} (schema version 3): their DDL, how a {@link TlsCounts} row
 * is written and read back, the hour rollup and retention. Called only from inside the store's
 * transactions, with its connections; the store decides which rows a range reads (as for the HTTP
 * tables: hour rows for whole rolled-up hours, minute and live rows for the rest).
 *
 * <pre>
 * CREATE TABLE tls_minute (            -- one row per front and minute (more if handshakes came late: rows add up)
 *     minute            TIMESTAMP NOT NULL,
 *     kind              VARCHAR NOT NULL,    -- 'sni' | 'address' (no SNI: the server's address) | 'other' (past the bound)
 *     front             VARCHAR NOT NULL,    -- SNI lower-cased; '10.0.0.1:443', '[::1]:443'; '{other-fronts}'
 *     handshakes        BIGINT NOT NULL,     -- connections whose handshake was seen (ClientHello, or only ServerHello)
 *     no_server_hello   BIGINT NOT NULL,     -- ... that no ServerHello answered
 *     unparseable       BIGINT NOT NULL,     -- ... whose ClientHello or ServerHello did not parse
 *     alpn_not_selected BIGINT NOT NULL,     -- TLS &lt;= 1.2 ServerHellos without ALPN
 *     alpn_encrypted    BIGINT NOT NULL,     -- TLS 1.3 ServerHellos (the ALPN choice is encrypted)
 *     max_handshake_ns  BIGINT NOT NULL,     -- 0 when none was measured
 *     offered_max       MAP(INTEGER, BIGINT) NOT NULL,  -- highest version offered (GREASE excluded) → handshakes
 *     offered           MAP(INTEGER, BIGINT) NOT NULL,  -- version → hellos offering it
 *     negotiated        MAP(INTEGER, BIGINT) NOT NULL,  -- version the server selected → handshakes
 *     cipher            MAP(INTEGER, BIGINT) NOT NULL,  -- cipher suite the server selected → handshakes
 *     alpn_offered      MAP(VARCHAR, BIGINT) NOT NULL,  -- protocol → hellos offering it
 *     alpn_selected     MAP(VARCHAR, BIGINT) NOT NULL,  -- protocol a TLS &lt;= 1.2 ServerHello selected → handshakes
 *     ja4               MAP(VARCHAR, BIGINT) NOT NULL,  -- JA4 → handshakes; the 32 most frequent of the row
 *     other             MAP(VARCHAR, BIGINT) NOT NULL,  -- column name → counts past that map's bound
 *     handshake_bins    MAP(INTEGER, BIGINT) NOT NULL); -- handshake-time sketch: bin index → count
 * CREATE TABLE tls_live (...);         -- the columns of tls_minute: the open minutes as of the last flush
 * CREATE VIEW tls_recent AS SELECT * FROM tls_minute UNION ALL SELECT * FROM tls_live;
 * CREATE TABLE tls_hour (hour TIMESTAMP NOT NULL, ...);  -- tls_minute rolled up, maps cut to the same bounds
 * </pre>
 * Versions and cipher suites are the wire's 16-bit numbers (names are the API's business). The maps
 * hold values from the wire only: what fell past a map's bound is in {@code other} under the map's
 * column name, so no value a client sends can be mistaken for the overflow. A map's values plus its
 * {@code other} add up exactly; a value outside a row's kept ones counts only in {@code other}, so a
 * JA4's count over a range is exact when it was among every row's top 32, a lower bound otherwise.
 */
final class TlsTables {
    private TlsTables() {
    }

    static final String COLUMNS_DDL = """
            kind              VARCHAR NOT NULL,
            front             VARCHAR NOT NULL,
            handshakes        BIGINT NOT NULL,
            no_server_hello   BIGINT NOT NULL,
            unparseable       BIGINT NOT NULL,
            alpn_not_selected BIGINT NOT NULL,
            alpn_encrypted    BIGINT NOT NULL,
            max_handshake_ns  BIGINT NOT NULL,
            offered_max       MAP(INTEGER, BIGINT) NOT NULL,
            offered           MAP(INTEGER, BIGINT) NOT NULL,
            negotiated        MAP(INTEGER, BIGINT) NOT NULL,
            cipher            MAP(INTEGER, BIGINT) NOT NULL,
            alpn_offered      MAP(VARCHAR, BIGINT) NOT NULL,
            alpn_selected     MAP(VARCHAR, BIGINT) NOT NULL,
            ja4               MAP(VARCHAR, BIGINT) NOT NULL,
            other             MAP(VARCHAR, BIGINT) NOT NULL,
            handshake_bins    MAP(INTEGER, BIGINT) NOT NULL
        """;

    /** Every column after the time, in table order. */
    static final String COLUMNS = "kind, front, handshakes, no_server_hello, unparseable, alpn_not_selected, alpn_encrypted, "
        + "max_handshake_ns, offered_max, offered, negotiated, cipher, alpn_offered, alpn_selected, ja4, other, handshake_bins";
    /** How many columns {@link #COLUMNS} names. */
    static final int COLUMN_COUNT = 17;

    /** The tables of version 3 (new files, and the step from version 2). */
    static void create(Statement s) throws SQLException {
        s.execute("CREATE TABLE tls_minute (\n    minute TIMESTAMP NOT NULL,\n" + COLUMNS_DDL + ")");
        s.execute("CREATE TABLE tls_hour (\n    hour TIMESTAMP NOT NULL,\n" + COLUMNS_DDL + ")");
    }

    /** At every open: the live rows a previous process left become minute rows; the view over both. */
    static void openLive(Statement s) throws SQLException {
        s.execute("CREATE TABLE IF NOT EXISTS tls_live AS SELECT * FROM tls_minute LIMIT 0");
        s.execute("INSERT INTO tls_minute SELECT * FROM tls_live");
        s.execute("DELETE FROM tls_live");
        s.execute("CREATE OR REPLACE VIEW tls_recent AS SELECT * FROM tls_minute UNION ALL SELECT * FROM tls_live");
    }

    /**
     * Appends completed minute rows (and late ones of rolled-up hours to tls_hour as well) and, unless
     * live is null, replaces the live rows; in the caller's transaction.
     */
    static void append(DuckDBConnection c, List<TlsMinuteRow> rows, List<TlsMinuteRow> live, long watermarkMicros)
        throws SQLException {
        if (live != null) {
            try (Statement s = c.createStatement()) {
                s.execute("DELETE FROM tls_live");
            }
            try (DuckDBAppender a = c.createAppender(DuckDBConnection.DEFAULT_SCHEMA, "tls_live")) {
                for (TlsMinuteRow row : live) {
                    appendRow(a, row.minuteEpochSecond() * 1_000_000L, row.front(), row.counts());
                }
            }
        }
        List<TlsMinuteRow> late = new ArrayList<>();
        try (DuckDBAppender a = c.createAppender(DuckDBConnection.DEFAULT_SCHEMA, "tls_minute")) {
            for (TlsMinuteRow row : rows) {
                long micros = row.minuteEpochSecond() * 1_000_000L;
                appendRow(a, micros, row.front(), row.counts());
                if (micros < watermarkMicros) {
                    late.add(row);
                }
            }
        }
        if (!late.isEmpty()) {
            try (DuckDBAppender a = c.createAppender(DuckDBConnection.DEFAULT_SCHEMA, "tls_hour")) {
                for (TlsMinuteRow row : late) {
                    long hour = Math.floorDiv(row.minuteEpochSecond(), 3600L) * 3600L * 1_000_000L;
                    appendRow(a, hour, row.front(), row.counts());
                }
            }
        }
    }

    private static void appendRow(DuckDBAppender a, long timeMicros, TlsFront front, TlsCounts c) throws SQLException {
        a.beginRow().appendEpochMicros(timeMicros).append(front.kind().id()).append(front.name())
            .append(c.handshakes()).append(c.noServerHello()).append(c.unparseable()).append(c.alpnNotSelected())
            .append(c.alpnEncrypted()).append(c.maxHandshakeNs())
            .append(c.offeredMax().asMap()).append(c.offered().asMap()).append(c.negotiated().asMap())
            .append(c.ciphers().asMap()).append(c.alpnOffered().asMap()).append(c.alpnSelected().asMap())
            .append(c.ja4().asMap()).append(others(c)).append(bins(c))
            .endRow();
    }

    private static Map<String, Long> others(TlsCounts c) {
        Map<String, Long> m = new LinkedHashMap<>();
        putOther(m, "offered_max", c.offeredMax());
        putOther(m, "offered", c.offered());
        putOther(m, "negotiated", c.negotiated());
        putOther(m, "cipher", c.ciphers());
        putOther(m, "alpn_offered", c.alpnOffered());
        putOther(m, "alpn_selected", c.alpnSelected());
        putOther(m, "ja4", c.ja4());
        return m;
    }

    private static void putOther(Map<String, Long> m, String column, CountMix<?> mix) {
        if (mix.other() != 0) {
            m.put(column, mix.other());
        }
    }

    private static Map<Integer, Long> bins(TlsCounts c) {
        LatencySketches.Bins bins = c.handshakeTime().bins();
        Map<Integer, Long> m = new LinkedHashMap<>();
        for (int i = 0; i < bins.indexes().length; i++) {
            m.put(bins.indexes()[i], bins.counts()[i]);
        }
        return m;
    }

    /** The front of a row whose {@link #COLUMNS} start at column {@code first}. */
    static TlsFront front(ResultSet rs, int first) throws SQLException {
        return new TlsFront(TlsFront.Kind.of(rs.getString(first)), rs.getString(first + 1));
    }

    /** Adds the figures of a row whose {@link #COLUMNS} start at column {@code first} to into. */
    static void addRow(ResultSet rs, int first, TlsCounts into) throws SQLException {
        into.addScalars(rs.getLong(first + 2), rs.getLong(first + 3), rs.getLong(first + 4), rs.getLong(first + 5),
            rs.getLong(first + 6), rs.getLong(first + 7));
        into.offeredMax().addAll(intMap(rs.getObject(first + 8)));
        into.offered().addAll(intMap(rs.getObject(first + 9)));
        into.negotiated().addAll(intMap(rs.getObject(first + 10)));
        into.ciphers().addAll(intMap(rs.getObject(first + 11)));
        into.alpnOffered().addAll(stringMap(rs.getObject(first + 12)));
        into.alpnSelected().addAll(stringMap(rs.getObject(first + 13)));
        into.ja4().addAll(stringMap(rs.getObject(first + 14)));
        Map<String, Long> other = stringMap(rs.getObject(first + 15));
        into.offeredMax().addOther(other.getOrDefault("offered_max", 0L));
        into.offered().addOther(other.getOrDefault("offered", 0L));
        into.negotiated().addOther(other.getOrDefault("negotiated", 0L));
        into.ciphers().addOther(other.getOrDefault("cipher", 0L));
        into.alpnOffered().addOther(other.getOrDefault("alpn_offered", 0L));
        into.alpnSelected().addOther(other.getOrDefault("alpn_selected", 0L));
        into.ja4().addOther(other.getOrDefault("ja4", 0L));
        for (Map.Entry<Integer, Long> e : intMap(rs.getObject(first + 16)).entrySet()) {
            into.handshakeTime().add(e.getKey(), e.getValue());
        }
    }

    private static Map<Integer, Long> intMap(Object value) {
        Map<Integer, Long> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
            out.put(((Number) e.getKey()).intValue(), ((Number) e.getValue()).longValue());
        }
        return out;
    }

    private static Map<String, Long> stringMap(Object value) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
            out.put((String) e.getKey(), ((Number) e.getValue()).longValue());
        }
        return out;
    }

    /** Hours [from, to) that hold TLS minute rows, ascending (epoch µs). */
    static List<Long> hoursWithMinutes(Connection c, Object from, Object to) throws SQLException {
        List<Long> hours = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT DISTINCT epoch_us(date_trunc('hour', minute)) AS h FROM tls_minute "
            + "WHERE minute >= ? AND minute < ? ORDER BY h")) {
            ps.setObject(1, from);
            ps.setObject(2, to);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    hours.add(rs.getLong(1));
                }
            }
        }
        return hours;
    }

    /** Sums one hour's minute rows per front into hour rows, each cut to the row bounds; in the caller's transaction. */
    static void rollupHour(DuckDBConnection c, long hourMicros, Object from, Object to) throws SQLException {
        Map<TlsFront, TlsCounts> byFront = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM tls_minute WHERE minute >= ? AND minute < ? "
            + "ORDER BY kind, front")) {
            ps.setObject(1, from);
            ps.setObject(2, to);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    addRow(rs, 1, byFront.computeIfAbsent(front(rs, 1), k -> TlsCounts.merging()));
                }
            }
        }
        try (DuckDBAppender a = c.createAppender(DuckDBConnection.DEFAULT_SCHEMA, "tls_hour")) {
            for (Map.Entry<TlsFront, TlsCounts> e : byFront.entrySet()) {
                e.getValue().trim();
                appendRow(a, hourMicros, e.getKey(), e.getValue());
            }
        }
    }

    /** Minute rows before minuteCutoff and hour rows before hourCutoff go; in the caller's transaction. */
    static void applyRetention(Connection c, Object minuteCutoffOrNull, Object hourCutoff) throws SQLException {
        if (minuteCutoffOrNull != null) {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM tls_minute WHERE minute < ?")) {
                ps.setObject(1, minuteCutoffOrNull);
                ps.executeUpdate();
            }
        }
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM tls_hour WHERE hour < ?")) {
            ps.setObject(1, hourCutoff);
            ps.executeUpdate();
        }
    }
}
