package io.gatelens.analytics.store;

import io.gatelens.analytics.stats.EndpointMinute;
import io.gatelens.analytics.stats.LatencySketches;
import io.gatelens.analytics.stats.MinuteRow;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

/**
 * Per-endpoint statistics, the endpoint registry and the spec catalog, in one DuckDB database file.
 *
 * <h2>Tables</h2>
 * Times are {@code TIMESTAMP} in UTC (DuckDB's timezone-less type, microseconds). Latency and TTFB
 * sketches are the positive bins of a {@link LatencySketches} DDSketch (1% relative accuracy,
 * logarithmic mapping, nanoseconds): parallel lists of ascending bin indexes and counts; sketches
 * merge by summing counts per index.
 * <pre>
 * CREATE TABLE meta (               -- schema_version; rollup_watermark (epoch second, hours before it are rolled up)
 *     key   VARCHAR PRIMARY KEY,
 *     value VARCHAR NOT NULL);
 * CREATE TABLE endpoints (          -- identity: kind, spec, method, template, host (NULLs equal)
 *     id           INTEGER PRIMARY KEY,
 *     kind         VARCHAR NOT NULL,  -- 'OPERATION' | 'SHADOW'
 *     spec         VARCHAR,           -- spec name; NULL for SHADOW
 *     method       VARCHAR NOT NULL,
 *     template     VARCHAR NOT NULL,  -- path template incl. base path, e.g. /v1/pets/{petId}
 *     host         VARCHAR,           -- SHADOW: the host the traffic named, or NULL; OPERATION: NULL
 *     operation_id VARCHAR,           -- not part of the identity
 *     first_seen   TIMESTAMP NOT NULL);
 * CREATE TABLE stats_minute (       -- one row per endpoint, host, minute (more if records came late: rows add up)
 *     minute         TIMESTAMP NOT NULL,  -- start of the minute
 *     endpoint_id    INTEGER NOT NULL,
 *     host           VARCHAR,             -- NULL: no host named
 *     calls          BIGINT NOT NULL,
 *     s1xx           BIGINT NOT NULL,     -- s1xx..s5xx: responses with status 100..599 by class
 *     s2xx           BIGINT NOT NULL,
 *     s3xx           BIGINT NOT NULL,
 *     s4xx           BIGINT NOT NULL,
 *     s5xx           BIGINT NOT NULL,
 *     s_other        BIGINT NOT NULL,     -- responses with a status outside 100..599
 *     no_response    BIGINT NOT NULL,     -- transactions without a response (status 0)
 *     status_codes   INTEGER[] NOT NULL,  -- distinct codes 100..599, ascending
 *     status_counts  BIGINT[] NOT NULL,   -- responses per code, parallel to status_codes
 *     req_bytes      BIGINT NOT NULL,
 *     resp_bytes     BIGINT NOT NULL,
 *     lat_idx        INTEGER[] NOT NULL,  -- latency sketch: bin indexes, ascending
 *     lat_cnt        BIGINT[] NOT NULL,   --   and their counts
 *     ttfb_idx       INTEGER[] NOT NULL,  -- time-to-first-byte sketch, the same way
 *     ttfb_cnt       BIGINT[] NOT NULL,
 *     max_latency_ns BIGINT NOT NULL);    -- 0 when no latency was measured
 * CREATE TABLE stats_hour (         -- the same columns with hour (start of the hour) instead of minute:
 *     hour TIMESTAMP NOT NULL, ...);   -- stats_minute rolled up; rows add up as in stats_minute
 * CREATE TABLE specs (
 *     name             VARCHAR PRIMARY KEY,
 *     version          INTEGER NOT NULL,
 *     uploaded_at      TIMESTAMP NOT NULL,
 *     source           VARCHAR NOT NULL,   -- 'upload' | 'folder'
 *     content          BLOB NOT NULL,      -- the raw upload
 *     servers_override VARCHAR[] NOT NULL); -- empty: the spec's own servers
 * </pre>
 *
 * <h2>Rollup and queries</h2>
 * {@link #rollup} sums the minutes of every hour that ended more than the rollup grace ago into
 * {@code stats_hour} and moves the watermark past it, in one transaction. A minute row appended after
 * its hour was rolled up is also written to {@code stats_hour} as an extra row, so an hour's rows
 * always add up to its minutes. A query over [from, to) reads hour rows for the rolled-up hours all of
 * whose minutes lie in the range and minute rows for the rest; a minute belongs to the range when its
 * start does. Results are the same as reading minutes only (as long as minute retention has not
 * removed the minutes a range's partial hours need).
 *
 * <h2>Threads and durability</h2>
 * Thread-safe. Writes go through one connection under a lock (DuckDB has one writer anyway); each
 * write commits before returning, and DuckDB's write-ahead log makes a committed write survive the
 * process being killed. Queries run on a pool of connections to the same database, one per
 * concurrent caller, each query in its own transaction (a consistent snapshot of watermark and rows).
 * Strings from the wire (hosts, templates) are bound as parameters or appended as values, never
 * spliced into SQL.
 */
public final class StatsStore implements AutoCloseable {
    public static final int SCHEMA_VERSION = 1;
    public static final int MAX_SERIES_POINTS = 2_000;

    private static final long MICROS_PER_MINUTE = 60_000_000L;
    private static final long MICROS_PER_HOUR = 3_600_000_000L;
    private static final String KEY_SCHEMA_VERSION = "schema_version";
    private static final String KEY_ROLLUP_WATERMARK = "rollup_watermark";

    private static final String STAT_COLUMNS_DDL = """
            calls          BIGINT NOT NULL,
            s1xx           BIGINT NOT NULL,
            s2xx           BIGINT NOT NULL,
            s3xx           BIGINT NOT NULL,
            s4xx           BIGINT NOT NULL,
            s5xx           BIGINT NOT NULL,
            s_other        BIGINT NOT NULL,
            no_response    BIGINT NOT NULL,
            status_codes   INTEGER[] NOT NULL,
            status_counts  BIGINT[] NOT NULL,
            req_bytes      BIGINT NOT NULL,
            resp_bytes     BIGINT NOT NULL,
            lat_idx        INTEGER[] NOT NULL,
            lat_cnt        BIGINT[] NOT NULL,
            ttfb_idx       INTEGER[] NOT NULL,
            ttfb_cnt       BIGINT[] NOT NULL,
            max_latency_ns BIGINT NOT NULL
        """;

    private static final List<String> SCHEMA_V1 = List.of(
        """
        CREATE TABLE endpoints (
            id           INTEGER PRIMARY KEY,
            kind         VARCHAR NOT NULL,
            spec         VARCHAR,
            method       VARCHAR NOT NULL,
            template     VARCHAR NOT NULL,
            host         VARCHAR,
            operation_id VARCHAR,
            first_seen   TIMESTAMP NOT NULL)""",
        "CREATE TABLE stats_minute (\n    minute TIMESTAMP NOT NULL,\n    endpoint_id INTEGER NOT NULL,\n    host VARCHAR,\n"
            + STAT_COLUMNS_DDL + ")",
        "CREATE TABLE stats_hour (\n    hour TIMESTAMP NOT NULL,\n    endpoint_id INTEGER NOT NULL,\n    host VARCHAR,\n"
            + STAT_COLUMNS_DDL + ")",
        """
        CREATE TABLE specs (
            name             VARCHAR PRIMARY KEY,
            version          INTEGER NOT NULL,
            uploaded_at      TIMESTAMP NOT NULL,
            source           VARCHAR NOT NULL,
            content          BLOB NOT NULL,
            servers_override VARCHAR[] NOT NULL)""");

    /** Every statistics column after the time, endpoint and host columns, in table order. */
    private static final String STATS = "calls, s1xx, s2xx, s3xx, s4xx, s5xx, s_other, no_response, status_codes, "
        + "status_counts, req_bytes, resp_bytes, lat_idx, lat_cnt, ttfb_idx, ttfb_cnt, max_latency_ns";

    private final Path file;
    private final StoreSettings settings;
    private final ReentrantLock writeLock = new ReentrantLock();
    /** Guarded by writeLock; autocommit off, every write ends in commit or rollback. */
    private final DuckDBConnection writer;
    private final ConcurrentLinkedQueue<DuckDBConnection> idleReaders = new ConcurrentLinkedQueue<>();
    private final List<DuckDBConnection> allReaders = new CopyOnWriteArrayList<>();
    private final ConcurrentHashMap<EndpointKey.Identity, EndpointInfo> endpointsByIdentity = new ConcurrentHashMap<>();
    /** Guarded by writeLock. */
    private int nextEndpointId;
    private volatile boolean closed;

    private StatsStore(Path file, StoreSettings settings, DuckDBConnection writer) {
        this.file = file;
        this.settings = settings;
        this.writer = writer;
    }

    /** Opens (creating if needed, with parent directories) the database file and brings its schema up to date. */
    public static StatsStore open(Path file, StoreSettings settings) {
        if (file == null || settings == null) {
            throw new IllegalArgumentException("file and settings are required, got " + file + ", " + settings);
        }
        Path absolute = file.toAbsolutePath();
        try {
            Files.createDirectories(absolute.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the directory of " + absolute, e);
        }
        DuckDBConnection connection;
        try {
            // the driver directly: DriverManager only sees drivers of its caller's class loader, and Quarkus tests
            // restart the application in new class loaders within one JVM
            connection = (DuckDBConnection) new org.duckdb.DuckDBDriver().connect("jdbc:duckdb:" + absolute, new java.util.Properties());
        } catch (SQLException e) {
            throw new StoreException("cannot open DuckDB database " + absolute + ": " + e.getMessage(), e);
        }
        StatsStore store = new StatsStore(absolute, settings, connection);
        try {
            connection.setAutoCommit(false);
            store.migrate();
            store.loadEndpoints();
        } catch (SQLException | RuntimeException e) {
            store.close();
            throw e instanceof RuntimeException re ? re : new StoreException("cannot open " + absolute + ": " + e.getMessage(), e);
        }
        return store;
    }

    public Path file() {
        return file;
    }

    public StoreSettings settings() {
        return settings;
    }

    private void migrate() throws SQLException {
        try (Statement s = writer.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)");
            String version = metaValue(writer, KEY_SCHEMA_VERSION);
            int current = version == null ? 0 : Integer.parseInt(version);
            if (current > SCHEMA_VERSION) {
                writer.rollback();
                throw new IllegalStateException(file + " has schema version " + current + ", newer than this build's "
                    + SCHEMA_VERSION + ": refusing to touch it");
            }
            if (current < 1) {
                for (String ddl : SCHEMA_V1) {
                    s.execute(ddl);
                }
            }
            // the minutes still open at the last flush: rewritten at every flush, so a kill -9 loses at most
            // one flush interval; at open they become ordinary minute rows (the process that wrote them is gone)
            s.execute("CREATE TABLE IF NOT EXISTS stats_live AS SELECT * FROM stats_minute LIMIT 0");
            s.execute("INSERT INTO stats_minute SELECT * FROM stats_live");
            s.execute("DELETE FROM stats_live");
            s.execute("CREATE OR REPLACE VIEW stats_recent AS SELECT * FROM stats_minute UNION ALL SELECT * FROM stats_live");
            // later versions: `if (current < 2) { ALTER ... }`, each step in this same transaction
            setMeta(writer, KEY_SCHEMA_VERSION, Integer.toString(SCHEMA_VERSION));
            writer.commit();
        } catch (SQLException | RuntimeException e) {
            rollbackQuietly(writer);
            throw e;
        }
    }

    private void loadEndpoints() throws SQLException {
        int maxId = 0;
        try (Statement s = writer.createStatement();
             ResultSet rs = s.executeQuery("SELECT id, kind, spec, method, template, operation_id, host, epoch_us(first_seen) "
                 + "FROM endpoints")) {
            while (rs.next()) {
                EndpointInfo info = endpointInfo(rs);
                endpointsByIdentity.put(info.key().identity(), info);
                maxId = Math.max(maxId, info.id());
            }
        } finally {
            writer.commit();
        }
        nextEndpointId = maxId + 1;
    }

    private static EndpointInfo endpointInfo(ResultSet rs) throws SQLException {
        EndpointKey key = new EndpointKey(EndpointKey.Kind.valueOf(rs.getString(2)), rs.getString(3), rs.getString(4),
            rs.getString(5), rs.getString(6), rs.getString(7));
        return new EndpointInfo(rs.getInt(1), key, instantOfMicros(rs.getLong(8)));
    }

    // ---------------------------------------------------------------- endpoint registry

    /**
     * The id of an endpoint, registering it on first sight; stable across restarts. A known endpoint
     * given with a different non-null operationId has it updated (a null one changes nothing).
     */
    public int endpointId(EndpointKey key) {
        return endpointIds(List.of(key))[0];
    }

    /**
     * {@link #endpointId} for many keys in one transaction: a spec of thousands of operations is
     * registered with one commit, not one per operation.
     */
    public int[] endpointIds(List<EndpointKey> keys) {
        int[] ids = new int[keys.size()];
        boolean allKnown = true;
        for (int i = 0; i < ids.length; i++) {
            EndpointKey key = keys.get(i);
            EndpointInfo known = endpointsByIdentity.get(key.identity());
            if (known != null && (key.operationId() == null || key.operationId().equals(known.key().operationId()))) {
                ids[i] = known.id();
            } else {
                allKnown = false;
            }
        }
        if (allKnown) {
            return ids;
        }
        return write(c -> {
            Map<EndpointKey.Identity, EndpointInfo> changed = new HashMap<>();
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO endpoints (id, kind, spec, method, template, host, "
                     + "operation_id, first_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
                 PreparedStatement update = c.prepareStatement("UPDATE endpoints SET operation_id = ? WHERE id = ?")) {
                int next = nextEndpointId;
                for (int i = 0; i < ids.length; i++) {
                    EndpointKey key = keys.get(i);
                    EndpointKey.Identity identity = key.identity();
                    EndpointInfo info = changed.containsKey(identity) ? changed.get(identity) : endpointsByIdentity.get(identity);
                    if (info == null) {
                        info = new EndpointInfo(next++, key, Instant.now().truncatedTo(ChronoUnit.MICROS));
                        insert.setInt(1, info.id());
                        insert.setString(2, key.kind().name());
                        insert.setString(3, key.spec());
                        insert.setString(4, key.method());
                        insert.setString(5, key.template());
                        insert.setString(6, key.host());
                        insert.setString(7, key.operationId());
                        insert.setObject(8, timestamp(toMicros(info.firstSeen())));
                        insert.executeUpdate();
                        changed.put(identity, info);
                    } else if (key.operationId() != null && !key.operationId().equals(info.key().operationId())) {
                        update.setString(1, key.operationId());
                        update.setInt(2, info.id());
                        update.executeUpdate();
                        info = new EndpointInfo(info.id(), key, info.firstSeen());
                        changed.put(identity, info);
                    }
                    ids[i] = info.id();
                }
                c.commit();
                nextEndpointId = next;
            }
            endpointsByIdentity.putAll(changed);
            return ids;
        });
    }

    /** Every registered endpoint, by id. */
    public List<EndpointInfo> endpoints() {
        List<EndpointInfo> all = new ArrayList<>(endpointsByIdentity.values());
        all.sort((a, b) -> Integer.compare(a.id(), b.id()));
        return all;
    }

    // ---------------------------------------------------------------- writes

    /**
     * Appends minute rows in one transaction, committed on return. Rows of hours already rolled up
     * are also written to {@code stats_hour}.
     *
     * <p>Through DuckDB's Appender, which takes the list columns as Java arrays. Measured with
     * 1,000-row flushes on the project VM (2 vCPUs, shared): the Appender about 12,000-16,000 rows/s
     * including the commit, a batched prepared INSERT with {@code createArrayOf} lists about 640 rows/s.
     */
    public void append(List<MinuteRow> rows) {
        if (rows.isEmpty()) {
            return;
        }
        appendAndReplaceLive(rows, null);
    }

    /**
     * {@link #append} completed minute rows and replace the rows of the minutes still open with live
     * (null: leave them), in one transaction: queries never see a minute twice or not at all. Queries
     * read the live rows with the minute rows (view {@code stats_recent}).
     */
    public void appendAndReplaceLive(List<MinuteRow> rows, List<MinuteRow> live) {
        write(c -> {
            if (live != null) {
                try (Statement s = c.createStatement()) {
                    s.execute("DELETE FROM stats_live");
                }
                try (DuckDBAppender open = c.createAppender(DuckDBConnection.DEFAULT_SCHEMA, "stats_live")) {
                    for (MinuteRow row : live) {
                        appendRow(open, row.minuteEpochSecond() * 1_000_000L, row.endpointId(), row.host(), row.stats());
                    }
                }
            }
            // the first statement starts the transaction the appenders then join
            long watermark = watermarkMicros(c);
            List<MinuteRow> late = new ArrayList<>();
            try (DuckDBAppender minutes = c.createAppender(DuckDBConnection.DEFAULT_SCHEMA, "stats_minute")) {
                for (MinuteRow row : rows) {
                    long minuteMicros = row.minuteEpochSecond() * 1_000_000L;
                    appendRow(minutes, minuteMicros, row.endpointId(), row.host(), row.stats());
                    if (minuteMicros < watermark) {
                        late.add(row);
                    }
                }
            }
            if (!late.isEmpty()) {
                try (DuckDBAppender hours = c.createAppender(DuckDBConnection.DEFAULT_SCHEMA, "stats_hour")) {
                    for (MinuteRow row : late) {
                        long hourMicros = Math.floorDiv(row.minuteEpochSecond() * 1_000_000L, MICROS_PER_HOUR) * MICROS_PER_HOUR;
                        appendRow(hours, hourMicros, row.endpointId(), row.host(), row.stats());
                    }
                }
            }
            c.commit();
            return null;
        });
    }

    private static void appendRow(DuckDBAppender a, long timeMicros, int endpointId, String host, EndpointMinute s)
        throws SQLException {
        LatencySketches.Bins latency = s.latencyBins();
        LatencySketches.Bins ttfb = s.ttfbBins();
        a.beginRow().appendEpochMicros(timeMicros).append(endpointId);
        if (host == null) {
            a.appendNull();
        } else {
            a.append(host);
        }
        a.append(s.calls()).append(s.s1xx()).append(s.s2xx()).append(s.s3xx()).append(s.s4xx()).append(s.s5xx())
            .append(s.sOther()).append(s.noResponse())
            .append(s.statusCodes()).append(s.statusCodeCounts())
            .append(s.reqBytes()).append(s.respBytes())
            .append(latency.indexes()).append(latency.counts())
            .append(ttfb.indexes()).append(ttfb.counts())
            .append(s.maxLatencyNs())
            .endRow();
    }

    /**
     * Rolls up into {@code stats_hour} every hour not rolled up yet that ended more than the rollup
     * grace before {@code now}, and moves the watermark to the end of the last one; one transaction,
     * so a crash leaves either all of it or none, and running it again rolls up nothing twice. The
     * first rollup starts at the hour of the oldest minute row.
     *
     * <p>The merge runs in SQL (unnest the three list pairs in one pass, sum per key, list), one
     * statement: about 0.2-0.3 s for an hour of 1,000 endpoints on the project VM, where merely
     * reading 24,000 rows' lists over JDBC takes about 0.2 s (every element is boxed), so merging in
     * Java could only be slower.
     *
     * @return the number of hours rolled up
     */
    public int rollup(Instant now) {
        long endMicros = floorTo(toMicros(now.minus(settings.rollupGrace())), MICROS_PER_HOUR);
        return write(c -> {
            long watermark = watermarkMicros(c);
            if (watermark == Long.MIN_VALUE) {
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT epoch_us(min(minute)) FROM stats_minute")) {
                    rs.next();
                    long oldest = rs.getLong(1);
                    watermark = rs.wasNull() ? endMicros : Math.min(endMicros, floorTo(oldest, MICROS_PER_HOUR));
                }
            }
            if (watermark >= endMicros) {
                if (metaValue(c, KEY_ROLLUP_WATERMARK) == null) {
                    setMeta(c, KEY_ROLLUP_WATERMARK, Long.toString(watermark / 1_000_000L));
                }
                c.commit();
                return 0;
            }
            try (PreparedStatement ps = c.prepareStatement(ROLLUP_SQL)) {
                ps.setObject(1, timestamp(watermark));
                ps.setObject(2, timestamp(endMicros));
                ps.executeUpdate();
            }
            setMeta(c, KEY_ROLLUP_WATERMARK, Long.toString(endMicros / 1_000_000L));
            c.commit();
            return (int) ((endMicros - watermark) / MICROS_PER_HOUR);
        });
    }

    /** The end of the rolled-up hours: hours before it are in {@code stats_hour}; empty before the first rollup. */
    public Optional<Instant> rollupWatermark() {
        return read(c -> {
            long w = watermarkMicros(c);
            return w == Long.MIN_VALUE ? Optional.empty() : Optional.of(instantOfMicros(w));
        });
    }

    private static final String ROLLUP_SQL = "INSERT INTO stats_hour (hour, endpoint_id, host, " + STATS + ")\n"
        + "WITH m AS NOT MATERIALIZED (\n"
        + "  SELECT date_trunc('hour', minute) AS hour, endpoint_id, host, " + STATS + "\n"
        + "  FROM stats_minute WHERE minute >= ? AND minute < ?),\n"
        + "totals AS (\n"
        + "  SELECT hour, endpoint_id, host, sum(calls)::BIGINT AS calls, sum(s1xx)::BIGINT AS s1xx, sum(s2xx)::BIGINT AS s2xx,\n"
        + "    sum(s3xx)::BIGINT AS s3xx, sum(s4xx)::BIGINT AS s4xx, sum(s5xx)::BIGINT AS s5xx, sum(s_other)::BIGINT AS s_other,\n"
        + "    sum(no_response)::BIGINT AS no_response, sum(req_bytes)::BIGINT AS req_bytes, sum(resp_bytes)::BIGINT AS resp_bytes,\n"
        + "    max(max_latency_ns) AS max_latency_ns\n"
        + "  FROM m GROUP BY hour, endpoint_id, host),\n"
        // the three (key, count) lists summed per key in one pass; l: 0 status codes, 1 latency bins, 2 TTFB bins
        + "lists AS (\n"
        + "  SELECT hour, endpoint_id, host,\n"
        + "    list(i ORDER BY i) FILTER (WHERE l = 0) AS codes, list(n ORDER BY i) FILTER (WHERE l = 0) AS code_counts,\n"
        + "    list(i ORDER BY i) FILTER (WHERE l = 1) AS lat_idx, list(n ORDER BY i) FILTER (WHERE l = 1) AS lat_cnt,\n"
        + "    list(i ORDER BY i) FILTER (WHERE l = 2) AS ttfb_idx, list(n ORDER BY i) FILTER (WHERE l = 2) AS ttfb_cnt\n"
        + "  FROM (\n"
        + "    SELECT hour, endpoint_id, host, l, i, sum(n)::BIGINT AS n FROM (\n"
        + "      SELECT hour, endpoint_id, host, 0 AS l, unnest(status_codes) AS i, unnest(status_counts) AS n FROM m\n"
        + "      UNION ALL SELECT hour, endpoint_id, host, 1 AS l, unnest(lat_idx) AS i, unnest(lat_cnt) AS n FROM m\n"
        + "      UNION ALL SELECT hour, endpoint_id, host, 2 AS l, unnest(ttfb_idx) AS i, unnest(ttfb_cnt) AS n FROM m)\n"
        + "    GROUP BY hour, endpoint_id, host, l, i)\n"
        + "  GROUP BY hour, endpoint_id, host)\n"
        + "SELECT t.hour, t.endpoint_id, t.host, t.calls, t.s1xx, t.s2xx, t.s3xx, t.s4xx, t.s5xx, t.s_other, t.no_response,\n"
        + "  coalesce(x.codes, []), coalesce(x.code_counts, []), t.req_bytes, t.resp_bytes,\n"
        + "  coalesce(x.lat_idx, []), coalesce(x.lat_cnt, []), coalesce(x.ttfb_idx, []), coalesce(x.ttfb_cnt, []), t.max_latency_ns\n"
        + "FROM totals t LEFT JOIN lists x\n"
        + "  ON x.hour = t.hour AND x.endpoint_id = t.endpoint_id AND x.host IS NOT DISTINCT FROM t.host";

    /**
     * Deletes minute rows that ended at least minute retention before {@code now} (only of hours
     * already rolled up) and hour rows that ended at least hour retention before it.
     */
    public void applyRetention(Instant now) {
        long minuteCutoff = floorTo(toMicros(now.minus(settings.minuteRetention())), MICROS_PER_MINUTE);
        long hourCutoff = floorTo(toMicros(now.minus(settings.hourRetention())), MICROS_PER_HOUR);
        write(c -> {
            long watermark = watermarkMicros(c);
            if (watermark != Long.MIN_VALUE) {
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM stats_minute WHERE minute < ?")) {
                    ps.setObject(1, timestamp(Math.min(minuteCutoff, watermark)));
                    ps.executeUpdate();
                }
            }
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM stats_hour WHERE hour < ?")) {
                ps.setObject(1, timestamp(hourCutoff));
                ps.executeUpdate();
            }
            c.commit();
            return null;
        });
    }

    // ---------------------------------------------------------------- queries

    /**
     * Figures per endpoint over [from, to), summed over hosts or for one host; endpoints without rows
     * in the range are absent. Ordered by endpoint id.
     */
    public List<EndpointFigures> endpointFigures(Instant from, Instant to, String hostOrNull) {
        checkRange(from, to);
        return read(c -> {
            Plan plan = plan(c, from, to);
            Sql src = new Sql();
            src.add("SELECT endpoint_id AS k, " + STATS + " FROM stats_hour WHERE hour >= ? AND hour < ?",
                timestamp(plan.hoursFrom), timestamp(plan.hoursTo));
            hostFilter(src, hostOrNull);
            src.add("\nUNION ALL SELECT endpoint_id AS k, " + STATS + " FROM stats_recent WHERE minute >= ? AND minute < ?",
                timestamp(plan.from), timestamp(plan.headTo()));
            hostFilter(src, hostOrNull);
            src.add("\nUNION ALL SELECT endpoint_id AS k, " + STATS + " FROM stats_recent WHERE minute >= ? AND minute < ?",
                timestamp(plan.tailFrom()), timestamp(plan.to));
            hostFilter(src, hostOrNull);
            List<EndpointFigures> out = new ArrayList<>();
            for (Map.Entry<Long, Figures> e : figures(c, src).entrySet()) {
                out.add(new EndpointFigures(Math.toIntExact(e.getKey()), e.getValue()));
            }
            return out;
        });
    }

    /**
     * Figures of one endpoint per step over [from, to): point k covers [from + k * step, from + (k + 1) * step)
     * clipped to the range; steps without rows are present with zero calls.
     *
     * @throws IllegalArgumentException if from &gt;= to, step is not a positive whole number of minutes,
     *     or the range holds more than {@value #MAX_SERIES_POINTS} steps
     */
    public List<SeriesPoint> series(int endpointId, Instant from, Instant to, Duration step, String hostOrNull) {
        checkRange(from, to);
        if (step == null || step.isNegative() || step.isZero() || step.toNanos() % 60_000_000_000L != 0) {
            throw new IllegalArgumentException("step must be a positive whole number of minutes, got " + step);
        }
        long stepMicros = step.toNanos() / 1_000;
        long fromMicros = ceilMicros(from);
        long toMicros = ceilMicros(to);
        long points = (toMicros - fromMicros + stepMicros - 1) / stepMicros;
        if (points > MAX_SERIES_POINTS) {
            throw new IllegalArgumentException("series of " + points + " points requested (" + Duration.between(from, to) + " in steps of "
                + step + "); at most " + MAX_SERIES_POINTS + ": use a larger step");
        }
        Map<Long, Figures> byStep = read(c -> {
            Plan plan = plan(c, from, to);
            // an hour row stands for its minutes only if all of them fall into the same step
            String hourInOneStep = "(epoch_us(%1$s) - ?) // ? = (epoch_us(%1$s) + " + (MICROS_PER_HOUR - MICROS_PER_MINUTE) + " - ?) // ?";
            Sql src = new Sql();
            src.add("SELECT (epoch_us(hour) - ?) // ? AS k, " + STATS + " FROM stats_hour WHERE endpoint_id = ? AND hour >= ? AND hour < ?",
                plan.from, stepMicros, endpointId, timestamp(plan.hoursFrom), timestamp(plan.hoursTo));
            src.add(" AND " + hourInOneStep.formatted("hour"), plan.from, stepMicros, plan.from, stepMicros);
            hostFilter(src, hostOrNull);
            src.add("\nUNION ALL SELECT (epoch_us(minute) - ?) // ? AS k, " + STATS + " FROM stats_recent "
                + "WHERE endpoint_id = ? AND minute >= ? AND minute < ?", plan.from, stepMicros, endpointId, timestamp(plan.from),
                timestamp(plan.to));
            src.add(" AND NOT (minute >= ? AND minute < ? AND " + hourInOneStep.formatted("date_trunc('hour', minute)") + ")",
                timestamp(plan.hoursFrom), timestamp(plan.hoursTo), plan.from, stepMicros, plan.from, stepMicros);
            hostFilter(src, hostOrNull);
            return figures(c, src);
        });
        List<SeriesPoint> out = new ArrayList<>((int) points);
        for (long k = 0; k < points; k++) {
            out.add(new SeriesPoint(from.plus(step.multipliedBy(k)), byStep.getOrDefault(k, Figures.NONE)));
        }
        return out;
    }

    /** Ids of the endpoints with at least one call in [from, to). */
    public Set<Integer> endpointsWithTraffic(Instant from, Instant to) {
        checkRange(from, to);
        return read(c -> {
            Plan plan = plan(c, from, to);
            Sql sql = new Sql();
            sql.add("SELECT DISTINCT endpoint_id FROM (" + rangeUnion(plan, "endpoint_id", "calls > 0") + ") ORDER BY endpoint_id",
                rangeArgs(plan));
            Set<Integer> ids = new LinkedHashSet<>();
            try (PreparedStatement ps = sql.prepare(c); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getInt(1));
                }
            }
            return Collections.unmodifiableSet(ids);
        });
    }

    /** The distinct hosts named by traffic in [from, to), sorted; transactions without a host are not listed. */
    public List<String> hosts(Instant from, Instant to) {
        checkRange(from, to);
        return read(c -> {
            Plan plan = plan(c, from, to);
            Sql sql = new Sql();
            sql.add("SELECT DISTINCT host FROM (" + rangeUnion(plan, "host", "host IS NOT NULL") + ") ORDER BY host", rangeArgs(plan));
            List<String> hosts = new ArrayList<>();
            try (PreparedStatement ps = sql.prepare(c); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    hosts.add(rs.getString(1));
                }
            }
            return Collections.unmodifiableList(hosts);
        });
    }

    private static String rangeUnion(Plan plan, String column, String condition) {
        return "SELECT " + column + " FROM stats_hour WHERE hour >= ? AND hour < ? AND " + condition
            + " UNION ALL SELECT " + column + " FROM stats_recent WHERE minute >= ? AND minute < ? AND " + condition
            + " UNION ALL SELECT " + column + " FROM stats_recent WHERE minute >= ? AND minute < ? AND " + condition;
    }

    private static Object[] rangeArgs(Plan plan) {
        return new Object[] {timestamp(plan.hoursFrom), timestamp(plan.hoursTo), timestamp(plan.from), timestamp(plan.headTo()),
            timestamp(plan.tailFrom()), timestamp(plan.to)};
    }

    private static void hostFilter(Sql sql, String hostOrNull) {
        if (hostOrNull != null) {
            sql.add(" AND host = ?", hostOrNull);
        }
    }

    private static void checkRange(Instant from, Instant to) {
        if (from == null || to == null) {
            throw new IllegalArgumentException("from and to are required, got from=" + from + ", to=" + to);
        }
        if (!from.isBefore(to)) {
            throw new IllegalArgumentException("from (" + from + ") must be before to (" + to + ")");
        }
    }

    /**
     * Which rows a range reads, in epoch microseconds: hour rows of [hoursFrom, hoursTo), minute rows
     * of [from, headTo) and [tailFrom, to), where headTo = min(hoursFrom, to) and tailFrom =
     * max(hoursTo, from). Rows start on whole microseconds, so rounding from and to up to a
     * microsecond selects exactly the rows whose start lies in the range.
     */
    private record Plan(long from, long to, long hoursFrom, long hoursTo) {
        long headTo() {
            return Math.min(hoursFrom, to);
        }

        long tailFrom() {
            return Math.max(hoursTo, from);
        }
    }

    private Plan plan(Connection c, Instant fromInstant, Instant toInstant) throws SQLException {
        long from = ceilMicros(fromInstant);
        long to = ceilMicros(toInstant);
        long hoursFrom = ceilTo(from, MICROS_PER_HOUR);
        // an hour is usable when its last minute starts before `to` and it is rolled up
        long lastUsableHourStart = floorTo(to - (MICROS_PER_HOUR - MICROS_PER_MINUTE) - 1, MICROS_PER_HOUR);
        long watermark = watermarkMicros(c);
        long hoursTo = Math.max(hoursFrom, Math.min(lastUsableHourStart + MICROS_PER_HOUR, watermark == Long.MIN_VALUE ? hoursFrom : watermark));
        return new Plan(from, to, hoursFrom, hoursTo);
    }

    /**
     * Figures per group key k of the rows {@code src} selects (k BIGINT, then {@link #STATS}). Counts
     * are summed in SQL and the bins of both sketches summed per (k, sketch, index); Java then sorts
     * each merged sketch's bins and takes its quantiles with {@link LatencySketches#quantileNs}, so
     * they are the sketch's by construction.
     *
     * <p>Measured on 24 h x 1,000 endpoints of hour rows (2.9 M bins) on the project VM, best of 10:
     * the unnest and hash aggregate that sums the bins dominate (~135 ms); quantiles by window functions
     * in SQL 210 ms in all, merged unsorted lists to Java 150 ms; reading every row's lists over JDBC
     * and merging in Java 210 ms (each element is boxed). src is NOT MATERIALIZED: each part then
     * reads only its own columns, where materializing copied every list first (twice as slow).
     */
    private static Map<Long, Figures> figures(Connection c, Sql src) throws SQLException {
        Sql sql = new Sql();
        sql.add("WITH src AS NOT MATERIALIZED (\n");
        sql.add(src);
        sql.add("),\n"
            + "totals AS (SELECT k, sum(calls)::BIGINT AS calls, sum(s1xx)::BIGINT AS s1xx, sum(s2xx)::BIGINT AS s2xx,\n"
            + "  sum(s3xx)::BIGINT AS s3xx, sum(s4xx)::BIGINT AS s4xx, sum(s5xx)::BIGINT AS s5xx, sum(s_other)::BIGINT AS s_other,\n"
            + "  sum(no_response)::BIGINT AS no_response, sum(req_bytes)::BIGINT AS req_bytes, sum(resp_bytes)::BIGINT AS resp_bytes,\n"
            + "  max(max_latency_ns) AS max_latency_ns FROM src GROUP BY k),\n"
            + "codes AS (SELECT k, list(code) AS codes, list(n) AS counts FROM (\n"
            + "  SELECT k, code, sum(n)::BIGINT AS n FROM (SELECT k, unnest(status_codes) AS code, unnest(status_counts) AS n FROM src)\n"
            + "  GROUP BY k, code) GROUP BY k),\n"
            // s: 0 latency, 1 time to first byte
            + "bins AS (SELECT k, list(i) FILTER (WHERE s = 0) AS lat_idx, list(c) FILTER (WHERE s = 0) AS lat_cnt,\n"
            + "    list(i) FILTER (WHERE s = 1) AS ttfb_idx, list(c) FILTER (WHERE s = 1) AS ttfb_cnt FROM (\n"
            + "  SELECT k, s, i, sum(c)::BIGINT AS c FROM (\n"
            + "    SELECT k, 0 AS s, unnest(lat_idx) AS i, unnest(lat_cnt) AS c FROM src\n"
            + "    UNION ALL SELECT k, 1 AS s, unnest(ttfb_idx) AS i, unnest(ttfb_cnt) AS c FROM src)\n"
            + "  GROUP BY k, s, i)\n"
            + "  GROUP BY k)\n"
            + "SELECT t.k, t.calls, t.s1xx, t.s2xx, t.s3xx, t.s4xx, t.s5xx, t.s_other, t.no_response, codes.codes, codes.counts,\n"
            + "  t.req_bytes, t.resp_bytes, t.max_latency_ns, bins.lat_idx, bins.lat_cnt, bins.ttfb_idx, bins.ttfb_cnt\n"
            + "FROM totals t LEFT JOIN codes ON codes.k = t.k LEFT JOIN bins ON bins.k = t.k ORDER BY t.k");
        Map<Long, Figures> out = new LinkedHashMap<>();
        try (PreparedStatement ps = sql.prepare(c); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                Map<Integer, Long> byCode = new TreeMap<>();
                Object[] codes = objects(rs.getArray(10));
                Object[] codeCounts = objects(rs.getArray(11));
                for (int i = 0; i < codes.length; i++) {
                    byCode.put(((Number) codes[i]).intValue(), ((Number) codeCounts[i]).longValue());
                }
                out.put(rs.getLong(1), new Figures(rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5), rs.getLong(6),
                    rs.getLong(7), rs.getLong(8), rs.getLong(9), Collections.unmodifiableMap(byCode), rs.getLong(12),
                    rs.getLong(13), percentiles(rs.getArray(15), rs.getArray(16)), rs.getLong(14),
                    percentiles(rs.getArray(17), rs.getArray(18))));
            }
        }
        return out;
    }

    private static Object[] objects(Array list) throws SQLException {
        return list == null ? new Object[0] : (Object[]) list.getArray();
    }

    /** Quantiles of merged bins given as parallel lists in any order; null when there are none. */
    private static Percentiles percentiles(Array indexList, Array countList) throws SQLException {
        Object[] indexes = objects(indexList);
        if (indexes.length == 0) {
            return null;
        }
        Object[] counts = objects(countList);
        // sort by index without boxing: index in the high half, position in the low half
        long[] order = new long[indexes.length];
        for (int i = 0; i < indexes.length; i++) {
            order[i] = ((long) (Integer) indexes[i] << 32) | i;
        }
        Arrays.sort(order);
        int[] sortedIndexes = new int[order.length];
        long[] sortedCounts = new long[order.length];
        for (int i = 0; i < order.length; i++) {
            sortedIndexes[i] = (int) (order[i] >> 32);
            sortedCounts[i] = (Long) counts[(int) order[i]];
        }
        LatencySketches.Bins bins = new LatencySketches.Bins(sortedIndexes, sortedCounts);
        return new Percentiles(bins.count(), LatencySketches.quantileNs(bins, 0.5), LatencySketches.quantileNs(bins, 0.9),
            LatencySketches.quantileNs(bins, 0.95), LatencySketches.quantileNs(bins, 0.99));
    }

    // ---------------------------------------------------------------- specs

    /** Inserts or replaces the spec of that name. */
    public void saveSpec(SpecRecord spec) {
        write(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT OR REPLACE INTO specs (name, version, uploaded_at, source, content, "
                + "servers_override) VALUES (?, ?, ?, ?, ?, ?)")) {
                ps.setString(1, spec.name());
                ps.setInt(2, spec.version());
                ps.setObject(3, timestamp(toMicros(spec.uploadedAt())));
                ps.setString(4, spec.source());
                ps.setBytes(5, spec.content());
                ps.setArray(6, c.createArrayOf("VARCHAR", spec.serversOverride().toArray()));
                ps.executeUpdate();
            }
            c.commit();
            return null;
        });
    }

    public Optional<SpecRecord> spec(String name) {
        return read(c -> {
            List<SpecRecord> found = specs(c, "WHERE name = ?", name);
            return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
        });
    }

    /** Every spec, by name. */
    public List<SpecRecord> specs() {
        return read(c -> specs(c, "", null));
    }

    /** @return whether a spec of that name existed */
    public boolean deleteSpec(String name) {
        return write(c -> {
            int deleted;
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM specs WHERE name = ?")) {
                ps.setString(1, name);
                deleted = ps.executeUpdate();
            }
            c.commit();
            return deleted > 0;
        });
    }

    private static List<SpecRecord> specs(Connection c, String where, String name) throws SQLException {
        List<SpecRecord> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT name, version, epoch_us(uploaded_at), source, content, servers_override "
            + "FROM specs " + where + " ORDER BY name")) {
            if (name != null) {
                ps.setString(1, name);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Object[] servers = (Object[]) rs.getArray(6).getArray();
                    List<String> serverList = new ArrayList<>(servers.length);
                    for (Object s : servers) {
                        serverList.add((String) s);
                    }
                    out.add(new SpecRecord(rs.getString(1), rs.getInt(2), instantOfMicros(rs.getLong(3)), rs.getString(4),
                        rs.getBytes(5), serverList));
                }
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- plumbing

    @FunctionalInterface
    private interface SqlWork<T> {
        T run(DuckDBConnection c) throws SQLException;
    }

    private <T> T write(SqlWork<T> work) {
        writeLock.lock();
        try {
            ensureOpen();
            try {
                return work.run(writer);
            } catch (SQLException e) {
                rollbackQuietly(writer);
                throw new StoreException("write to " + file + " failed: " + e.getMessage(), e);
            } catch (RuntimeException e) {
                rollbackQuietly(writer);
                throw e;
            }
        } finally {
            writeLock.unlock();
        }
    }

    /** Runs a read on a pooled connection (autocommit off: the whole read is one snapshot). */
    private <T> T read(SqlWork<T> work) {
        ensureOpen();
        DuckDBConnection c = idleReaders.poll();
        if (c == null) {
            c = newReader();
        }
        try {
            T result = work.run(c);
            c.commit();
            return result;
        } catch (SQLException e) {
            rollbackQuietly(c);
            throw new StoreException("query on " + file + " failed: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            rollbackQuietly(c);
            throw e;
        } finally {
            idleReaders.offer(c);
        }
    }

    private DuckDBConnection newReader() {
        try {
            DuckDBConnection c = writer.duplicate();
            c.setAutoCommit(false);
            allReaders.add(c);
            if (closed) {
                c.close();
                throw new IllegalStateException("store " + file + " is closed");
            }
            return c;
        } catch (SQLException e) {
            throw new StoreException("cannot open a connection to " + file + ": " + e.getMessage(), e);
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("store " + file + " is closed");
        }
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // the original failure is what matters; DuckDB discards the transaction with the connection anyway
        }
    }

    /** Closes every connection; DuckDB checkpoints the WAL into the file on the last close. Idempotent. */
    @Override
    public void close() {
        writeLock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            for (DuckDBConnection c : allReaders) {
                closeQuietly(c);
            }
            closeQuietly(writer);
        } finally {
            writeLock.unlock();
        }
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException ignored) {
            // closing; nothing left to do with the connection
        }
    }

    /** Rollup watermark in epoch microseconds, Long.MIN_VALUE before the first rollup. */
    private static long watermarkMicros(Connection c) throws SQLException {
        String value = metaValue(c, KEY_ROLLUP_WATERMARK);
        return value == null ? Long.MIN_VALUE : Long.parseLong(value) * 1_000_000L;
    }

    private static String metaValue(Connection c, String key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT value FROM meta WHERE key = ?")) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    private static void setMeta(Connection c, String key, String value) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)")) {
            ps.setString(1, key);
            ps.setString(2, value);
            ps.executeUpdate();
        }
    }

    /** A TIMESTAMP parameter: DuckDB's TIMESTAMP has no zone, a LocalDateTime in UTC binds to it unshifted. */
    private static LocalDateTime timestamp(long epochMicros) {
        return LocalDateTime.ofEpochSecond(Math.floorDiv(epochMicros, 1_000_000L),
            (int) Math.floorMod(epochMicros, 1_000_000L) * 1_000, ZoneOffset.UTC);
    }

    private static long toMicros(Instant t) {
        return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1_000);
    }

    private static long ceilMicros(Instant t) {
        return toMicros(t) + (t.getNano() % 1_000 == 0 ? 0 : 1);
    }

    private static Instant instantOfMicros(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000);
    }

    private static long floorTo(long micros, long unit) {
        return Math.floorDiv(micros, unit) * unit;
    }

    private static long ceilTo(long micros, long unit) {
        return -Math.floorDiv(-micros, unit) * unit;
    }

    /** SQL text and its parameters, built together so that every value is bound, never spliced. */
    private static final class Sql {
        private final StringBuilder text = new StringBuilder();
        private final List<Object> args = new ArrayList<>();

        Sql add(String fragment, Object... fragmentArgs) {
            text.append(fragment);
            Collections.addAll(args, fragmentArgs);
            return this;
        }

        Sql add(Sql other) {
            text.append(other.text);
            args.addAll(other.args);
            return this;
        }

        PreparedStatement prepare(Connection c) throws SQLException {
            PreparedStatement ps = c.prepareStatement(text.toString());
            try {
                for (int i = 0; i < args.size(); i++) {
                    Object a = args.get(i);
                    if (a instanceof String s) {
                        ps.setString(i + 1, s);
                    } else if (a instanceof Integer n) {
                        ps.setInt(i + 1, n);
                    } else if (a instanceof Long n) {
                        ps.setLong(i + 1, n);
                    } else {
                        ps.setObject(i + 1, a);
                    }
                }
            } catch (SQLException | RuntimeException e) {
                ps.close();
                throw e;
            }
            return ps;
        }
    }
}
