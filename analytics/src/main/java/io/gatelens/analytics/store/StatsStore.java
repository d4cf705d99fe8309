package io.gatelens.analytics.store;

import io.gatelens.analytics.stats.MinuteRow;
import io.gatelens.analytics.tls.TlsCounts;
import io.gatelens.analytics.tls.TlsFront;
import io.gatelens.analytics.tls.TlsMinuteRow;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Collectors;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

/**
 * Per-endpoint statistics, the endpoint registry and the spec catalog, in one DuckDB database file.
 *
 * <h2>Tables (schema version 3)</h2>
 * Times are {@code TIMESTAMP} in UTC (DuckDB's timezone-less type, microseconds). Latency and TTFB
 * sketches are the positive bins of a {@link io.gatelens.analytics.stats.LatencySketches} DDSketch
 * (1% relative accuracy, logarithmic mapping, nanoseconds); sketches merge by summing counts per bin
 * index. A row's status-code counts and both sketches are one {@code bins} BLOB: three lists of
 * (key, count) pairs, varint- and delta-encoded (layout in {@link Totals}), about two bytes a bin.
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
 * CREATE TABLE stats_minute (       -- one row per endpoint, host, minute (more if records came late: rows add up);
 *                                   -- a rolled-up hour's rows are stored in (endpoint_id, host, minute) order
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
 *     req_bytes      BIGINT NOT NULL,
 *     resp_bytes     BIGINT NOT NULL,
 *     max_latency_ns BIGINT NOT NULL,     -- 0 when no latency was measured
 *     bins           BLOB NOT NULL);      -- responses per status code (100..599), latency bins, TTFB bins
 * CREATE TABLE stats_live (...);    -- the columns of stats_minute: the minutes still open at the last flush
 * CREATE VIEW stats_recent AS SELECT * FROM stats_minute UNION ALL SELECT * FROM stats_live;
 * CREATE TABLE stats_hour (         -- the same columns with hour (start of the hour) instead of minute:
 *     hour TIMESTAMP NOT NULL, ...);   -- stats_minute rolled up; rows add up as in stats_minute
 * CREATE TABLE rollup_scratch (...); -- the columns of stats_minute; empty but during a rollup
 * CREATE TABLE specs (
 *     name             VARCHAR PRIMARY KEY,
 *     version          INTEGER NOT NULL,
 *     uploaded_at      TIMESTAMP NOT NULL,
 *     source           VARCHAR NOT NULL,   -- 'upload' | 'folder'
 *     servers_override VARCHAR[] NOT NULL, -- empty: the spec's own servers
 *     content_file     VARCHAR);           -- the raw upload: a file of the spec directory
 * </pre>
 * A spec's content is a file in the directory beside the database ({@code gatelens.duckdb.specs/}),
 * written and synced before the row that names it is committed, the replaced file deleted after.
 * Files no row names (a crash between the two) are deleted at open. Why not a BLOB: DuckDB (2.0,
 * memory_limit 128MB) cannot insert one of ~24 MB ("failed to allocate data of size 32.0 MiB"), and
 * with a few specs of that size in the table and its WAL its checkpoint ran out of memory, a fatal
 * error that invalidates the database until a restart. Version 3 kept the content in a
 * {@code content} column; opening a version 1, 2 or 3 file moves it into files.
 * The TLS handshake statistics ({@code tls_minute}, {@code tls_live}, view {@code tls_recent},
 * {@code tls_hour}) follow the same rules: see {@link TlsTables}. Version 3 added them; opening a
 * version 2 file creates them, nothing else changes.
 * Version 1 had {@code status_codes INTEGER[]}/{@code status_counts BIGINT[]}, {@code lat_idx}/{@code lat_cnt}
 * and {@code ttfb_idx}/{@code ttfb_cnt} list pairs where version 2 has {@code bins}; {@link #open} converts
 * a version 1 file in SQL, in one transaction.
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
 * <p>Rows are summed in Java: fetching a row through JDBC costs far more than merging its bins, so
 * {@link #endpointFigures} reads few rows. Its whole hours come as aligned groups of 1 to 16 hours and
 * the five-minute spans of its partial hours as spans, each group or span one {@link Block} of rows
 * already merged per endpoint and host, kept in a {@link BlockCache} of bounded heap
 * ({@link StoreSettings#cacheBytes()}); only the loose minutes at either end (at most four) and blocks not
 * cached are read from the database. Writes invalidate the blocks they change (minute rows and live
 * rows their spans, late rows their hours, retention everything before its cutoff); see
 * {@link BlockCache} for why a block loaded from an older snapshot is never kept.
 * {@link #series} reads one endpoint's rows from the database: the rolled-up hours' minute rows lie in
 * endpoint order, so the scan fetches the bins of a few vectors per hour.
 *
 * <h2>Threads and durability</h2>
 * Thread-safe. Writes go through one connection under a lock (DuckDB has one writer anyway); each
 * write commits before returning, and DuckDB's write-ahead log makes a committed write survive the
 * process being killed. Queries run on a pool of connections to the same database, one per
 * concurrent caller, each query in its own transaction (a consistent snapshot of watermark and rows;
 * cached blocks are of that snapshot or a later one). A figures query merges cached blocks on a
 * second core (the common fork-join pool) while it reads the database. Strings from the wire (hosts,
 * templates) are bound as parameters or appended as values, never spliced into SQL.
 */
public final class StatsStore implements AutoCloseable {
    public static final int SCHEMA_VERSION = 4;
    public static final int MAX_SERIES_POINTS = 2_000;

    private static final long MICROS_PER_MINUTE = 60_000_000L;
    private static final long MICROS_PER_HOUR = 3_600_000_000L;
    private static final String KEY_SCHEMA_VERSION = "schema_version";
    private static final String KEY_ROLLUP_WATERMARK = "rollup_watermark";

    /** The statistics columns after the time, endpoint and host columns: the scalars in {@link Totals} order, then bins. */
    private static final String STAT_COLUMNS_DDL = """
            calls          BIGINT NOT NULL,
            s1xx           BIGINT NOT NULL,
            s2xx           BIGINT NOT NULL,
            s3xx           BIGINT NOT NULL,
            s4xx           BIGINT NOT NULL,
            s5xx           BIGINT NOT NULL,
            s_other        BIGINT NOT NULL,
            no_response    BIGINT NOT NULL,
            req_bytes      BIGINT NOT NULL,
            resp_bytes     BIGINT NOT NULL,
            max_latency_ns BIGINT NOT NULL,
            bins           BLOB NOT NULL
        """;

    /** The tables of a new file (the TLS tables: {@link TlsTables}). */
    private static final List<String> SCHEMA = List.of(
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
            servers_override VARCHAR[] NOT NULL,
            content_file     VARCHAR)""");

    /** Every statistics column after the time, endpoint and host columns, in table order. */
    private static final String STATS = "calls, s1xx, s2xx, s3xx, s4xx, s5xx, s_other, no_response, req_bytes, resp_bytes, "
        + "max_latency_ns, bins";

    private static final System.Logger LOG = System.getLogger("gatelens.store");

    private final Path file;
    /** Spec contents, one file each: see the class comment. */
    private final Path specDir;
    private final StoreSettings settings;
    private final ReentrantLock writeLock = new ReentrantLock();
    /**
     * Guarded by writeLock; autocommit off, every write ends in commit or rollback. Replaced when the
     * database is reopened after a fatal error ({@link #reopen}).
     */
    private volatile DuckDBConnection writer;
    /**
     * Set when DuckDB reported a fatal error (a failed checkpoint on a full disk, for one): it then
     * refuses every query until the database is opened again, which the next write or read does.
     */
    private volatile boolean invalidated;
    private final ConcurrentLinkedQueue<DuckDBConnection> idleReaders = new ConcurrentLinkedQueue<>();
    private final List<DuckDBConnection> allReaders = new CopyOnWriteArrayList<>();
    private final ConcurrentHashMap<EndpointKey.Identity, EndpointInfo> endpointsByIdentity = new ConcurrentHashMap<>();
    /** Guarded by writeLock. */
    private int nextEndpointId;
    /** Guarded by writeLock: endpoints given an id while the database could not be written (a full disk). */
    private final List<EndpointInfo> unsavedEndpoints = new ArrayList<>();
    /** Hour blocks and five-minute blocks; see {@link BlockCache} for how writes invalidate them. */
    private final BlockCache cache;
    /** Guarded by writeLock: the minutes of the rows now in stats_live, invalidated when they are replaced. */
    private Set<Long> liveMinutes = Set.of();
    private volatile boolean closed;
    private volatile long reopens;

    private StatsStore(Path file, StoreSettings settings, DuckDBConnection writer) {
        this.file = file;
        this.specDir = file.resolveSibling(file.getFileName() + ".specs");
        this.settings = settings;
        this.writer = writer;
        this.cache = new BlockCache(settings.cacheBytes());
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
        DuckDBConnection connection = connect(absolute, settings);
        StatsStore store = new StatsStore(absolute, settings, connection);
        try {
            connection.setAutoCommit(false);
            store.migrate();
            store.loadEndpoints();
            store.deleteUnnamedSpecFiles();
        } catch (SQLException | RuntimeException e) {
            store.close();
            throw e instanceof RuntimeException re ? re : new StoreException("cannot open " + absolute + ": " + e.getMessage(), e);
        }
        return store;
    }

    private static DuckDBConnection connect(Path file, StoreSettings settings) {
        try {
            // the driver directly: DriverManager only sees drivers of its caller's class loader, and Quarkus tests
            // restart the application in new class loaders within one JVM
            return (DuckDBConnection) new org.duckdb.DuckDBDriver().connect("jdbc:duckdb:" + file, duckdbConfig(settings));
        } catch (SQLException e) {
            throw new StoreException("cannot open DuckDB database " + file + ": " + e.getMessage(), e);
        }
    }

    private static java.util.Properties duckdbConfig(StoreSettings settings) {
        java.util.Properties config = new java.util.Properties();
        config.setProperty("memory_limit", settings.duckdbMemoryLimit());
        config.setProperty("checkpoint_threshold", settings.duckdbCheckpointThreshold());
        return config;
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
                for (String ddl : SCHEMA) {
                    s.execute(ddl);
                }
            } else if (current < 2) {
                migrateV1ToV2(s);
            }
            if (current < 3) {
                TlsTables.create(s);
            }
            if (current >= 1 && current < 4) {
                moveSpecContentToFiles(s);
            }
            // the minutes still open at the last flush: rewritten at every flush, so a kill -9 loses at most
            // one flush interval; at open they become ordinary minute rows (the process that wrote them is gone)
            s.execute("CREATE TABLE IF NOT EXISTS stats_live AS SELECT * FROM stats_minute LIMIT 0");
            s.execute("INSERT INTO stats_minute SELECT * FROM stats_live");
            s.execute("DELETE FROM stats_live");
            s.execute("CREATE OR REPLACE VIEW stats_recent AS SELECT * FROM stats_minute UNION ALL SELECT * FROM stats_live");
            // the minutes of the hour being rolled up, while the rollup rewrites them in endpoint order
            s.execute("CREATE TABLE IF NOT EXISTS rollup_scratch AS SELECT * FROM stats_minute LIMIT 0");
            s.execute("DELETE FROM rollup_scratch");
            TlsTables.openLive(s);
            // later versions: `if (current < 5) { ... }` above, each step in this same transaction
            setMeta(writer, KEY_SCHEMA_VERSION, Integer.toString(SCHEMA_VERSION));
            writer.commit();
        } catch (SQLException | RuntimeException e) {
            rollbackQuietly(writer);
            throw e;
        }
    }

    /** Version 3 and before: each spec's content from its row into a file (see the class comment). */
    private void moveSpecContentToFiles(Statement s) throws SQLException {
        s.execute("ALTER TABLE specs ADD COLUMN content_file VARCHAR");
        List<String[]> moved = new ArrayList<>();
        try (ResultSet rs = s.executeQuery("SELECT name, content FROM specs")) {
            while (rs.next()) {
                moved.add(new String[] {rs.getString(1), writeSpecFile(rs.getBytes(2))});
            }
        }
        try (PreparedStatement ps = writer.prepareStatement("UPDATE specs SET content_file = ? WHERE name = ?")) {
            for (String[] m : moved) {
                ps.setString(1, m[1]);
                ps.setString(2, m[0]);
                ps.executeUpdate();
            }
        }
        s.execute("ALTER TABLE specs DROP COLUMN content");
    }

    /**
     * Version 1 kept the codes and both sketches as parallel INTEGER[]/BIGINT[] lists; version 2 keeps
     * them in one {@code bins} BLOB (see {@link Totals}). Encoded in SQL, so that a week of minute rows
     * converts without a round trip through Java; the live rows become minute rows on the way, as they
     * would at any open.
     */
    private static void migrateV1ToV2(Statement s) throws SQLException {
        s.execute("DROP VIEW IF EXISTS stats_recent");
        s.execute("CREATE TABLE IF NOT EXISTS stats_live AS SELECT * FROM stats_minute LIMIT 0");
        String bins = "unhex(" + pairsHex("status_codes", "status_counts") + " || " + pairsHex("lat_idx", "lat_cnt") + " || "
            + pairsHex("ttfb_idx", "ttfb_cnt") + ")";
        String v1Columns = "calls, s1xx, s2xx, s3xx, s4xx, s5xx, s_other, no_response, req_bytes, resp_bytes, max_latency_ns, " + bins;
        for (String[] table : new String[][] {{"stats_minute", "minute"}, {"stats_hour", "hour"}}) {
            String name = table[0];
            String time = table[1];
            s.execute("CREATE TABLE " + name + "_v2 (\n    " + time + " TIMESTAMP NOT NULL,\n    endpoint_id INTEGER NOT NULL,\n"
                + "    host VARCHAR,\n" + STAT_COLUMNS_DDL + ")");
            String from = name.equals("stats_minute")
                ? "(SELECT * FROM stats_minute UNION ALL SELECT * FROM stats_live)" : name;
            // in the rows' present order: sorting a week of minutes would cost more than the endpoint order saves
            s.execute("INSERT INTO " + name + "_v2 SELECT " + time + ", endpoint_id, host, " + v1Columns + " FROM " + from);
        }
        s.execute("DROP TABLE stats_live");
        for (String name : new String[] {"stats_minute", "stats_hour"}) {
            s.execute("DROP TABLE " + name);
            s.execute("ALTER TABLE " + name + "_v2 RENAME TO " + name);
        }
    }

    /** SQL for the hex digits of a (key, count) pair list in the bins encoding, from v1's parallel list columns. */
    private static String pairsHex(String keys, String counts) {
        String key = "CASE WHEN i = 1 THEN (CASE WHEN " + keys + "[1] >= 0 THEN 2 * " + keys + "[1]::BIGINT ELSE -2 * " + keys
            + "[1]::BIGINT - 1 END) ELSE " + keys + "[i]::BIGINT - " + keys + "[i - 1] - 1 END";
        return varintHex("len(" + keys + ")::BIGINT") + " || array_to_string(list_transform(range(1, len(" + keys + ") + 1), lambda i: "
            + varintHex(key) + " || " + varintHex(counts + "[i] - 1") + "), '')";
    }

    /** SQL for the hex digits of the LEB128 varint of a BIGINT expression &gt;= 0. */
    private static String varintHex(String v) {
        StringBuilder n = new StringBuilder("(CASE");
        for (int bytes = 1; bytes < 9; bytes++) {
            n.append(" WHEN (").append(v).append(") < ").append(1L << (7 * bytes)).append(" THEN ").append(bytes);
        }
        n.append(" ELSE 9 END)");
        return "array_to_string(list_transform(range(" + n + "), lambda j: printf('%02x', (((" + v + ") >> (7 * j)) & 127)"
            + " | CASE WHEN j < " + n + " - 1 THEN 128 ELSE 0 END)), '')";
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
        // after a reopen, ids given to endpoints not saved yet stay taken
        nextEndpointId = Math.max(nextEndpointId, maxId + 1);
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
        writeLock.lock();
        try {
            Map<EndpointKey.Identity, EndpointInfo> changed = new HashMap<>();
            List<EndpointInfo> added = new ArrayList<>();
            List<EndpointInfo> renamed = new ArrayList<>();
            int next = nextEndpointId;
            for (int i = 0; i < ids.length; i++) {
                EndpointKey key = keys.get(i);
                EndpointKey.Identity identity = key.identity();
                EndpointInfo info = changed.containsKey(identity) ? changed.get(identity) : endpointsByIdentity.get(identity);
                if (info == null) {
                    info = new EndpointInfo(next++, key, Instant.now().truncatedTo(ChronoUnit.MICROS));
                    added.add(info);
                    changed.put(identity, info);
                } else if (key.operationId() != null && !key.operationId().equals(info.key().operationId())) {
                    info = new EndpointInfo(info.id(), key, info.firstSeen());
                    renamed.add(info);
                    changed.put(identity, info);
                }
                ids[i] = info.id();
            }
            try {
                write(c -> {
                    try (PreparedStatement update = c.prepareStatement("UPDATE endpoints SET operation_id = ? WHERE id = ?")) {
                        for (EndpointInfo info : renamed) {
                            update.setString(1, info.key().operationId());
                            update.setInt(2, info.id());
                            update.executeUpdate();
                        }
                    }
                    if (!added.isEmpty()) {
                        appendEndpoints(c, added);
                    }
                    c.commit();
                    return null;
                });
            } catch (StoreException e) {
                if (!renamed.isEmpty()) {
                    throw e;
                }
                // the database cannot be written now (a full disk): new endpoints get their ids all the
                // same, so that traffic to them is counted, and the next write saves them first
                unsavedEndpoints.addAll(added);
                LOG.log(System.Logger.Level.WARNING, added.size() + " new endpoints are not saved yet (" + e.getMessage()
                    + "); the next write that works saves them");
            }
            nextEndpointId = next;
            endpointsByIdentity.putAll(changed);
            return ids;
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Saves, in a transaction of their own, the endpoints that {@link #endpointIds} could not: before
     * any other write, so that no statistics row is committed before its endpoint. Under writeLock.
     */
    private void saveUnsavedEndpoints(DuckDBConnection c) throws SQLException {
        if (unsavedEndpoints.isEmpty()) {
            return;
        }
        int lowest = Integer.MAX_VALUE;
        for (EndpointInfo info : unsavedEndpoints) {
            lowest = Math.min(lowest, info.id());
        }
        // a commit that failed does not land (see reopen), but a duplicate id would block every write: skip any there
        Set<Integer> present = new HashSet<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT id FROM endpoints WHERE id >= ?")) {
            ps.setInt(1, lowest);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    present.add(rs.getInt(1));
                }
            }
        }
        List<EndpointInfo> missing = unsavedEndpoints.stream().filter(info -> !present.contains(info.id())).toList();
        if (!missing.isEmpty()) {
            appendEndpoints(c, missing);
        }
        c.commit();
        LOG.log(System.Logger.Level.INFO, "saved " + missing.size() + " endpoints registered while the database could not be written");
        unsavedEndpoints.clear();
    }

    /**
     * New endpoints through the Appender: a spec of 16,000 operations took ~10 s as single-row
     * INSERTs (DuckDB runs ~1,500 a second here), well under one through the Appender.
     */
    private static void appendEndpoints(DuckDBConnection c, List<EndpointInfo> added) throws SQLException {
        // a statement first: the appender joins the transaction it starts
        watermarkMicros(c);
        try (DuckDBAppender a = c.createAppender(DuckDBConnection.DEFAULT_SCHEMA, "endpoints")) {
            for (EndpointInfo info : added) {
                EndpointKey key = info.key();
                a.beginRow().append(info.id()).append(key.kind().name());
                appendNullable(a, key.spec());
                a.append(key.method()).append(key.template());
                appendNullable(a, key.host());
                appendNullable(a, key.operationId());
                a.appendEpochMicros(toMicros(info.firstSeen())).endRow();
            }
        }
    }

    private static void appendNullable(DuckDBAppender a, String value) throws SQLException {
        if (value == null) {
            a.appendNull();
        } else {
            a.append(value);
        }
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
            Set<Long> touchedMinutes = new HashSet<>();
            if (live != null) {
                try (Statement s = c.createStatement()) {
                    s.execute("DELETE FROM stats_live");
                }
                try (DuckDBAppender open = c.createAppender(DuckDBConnection.DEFAULT_SCHEMA, "stats_live")) {
                    for (MinuteRow row : live) {
                        long minuteMicros = row.minuteEpochSecond() * 1_000_000L;
                        appendRow(open, minuteMicros, row.endpointId(), row.host(), Totals.scalarsOf(row.stats()),
                            Totals.encodeBins(row.stats()));
                        touchedMinutes.add(minuteMicros);
                    }
                }
            }
            // the first statement starts the transaction the appenders then join
            long watermark = watermarkMicros(c);
            List<MinuteRow> late = new ArrayList<>();
            try (DuckDBAppender minutes = c.createAppender(DuckDBConnection.DEFAULT_SCHEMA, "stats_minute")) {
                for (MinuteRow row : rows) {
                    long minuteMicros = row.minuteEpochSecond() * 1_000_000L;
                    appendRow(minutes, minuteMicros, row.endpointId(), row.host(), Totals.scalarsOf(row.stats()),
                        Totals.encodeBins(row.stats()));
                    touchedMinutes.add(minuteMicros);
                    if (minuteMicros < watermark) {
                        late.add(row);
                    }
                }
            }
            if (!late.isEmpty()) {
                try (DuckDBAppender hours = c.createAppender(DuckDBConnection.DEFAULT_SCHEMA, "stats_hour")) {
                    for (MinuteRow row : late) {
                        long hourMicros = Math.floorDiv(row.minuteEpochSecond() * 1_000_000L, MICROS_PER_HOUR) * MICROS_PER_HOUR;
                        appendRow(hours, hourMicros, row.endpointId(), row.host(), Totals.scalarsOf(row.stats()),
                            Totals.encodeBins(row.stats()));
                    }
                }
            }
            c.commit();
            if (live != null) {
                touchedMinutes.addAll(liveMinutes);
                liveMinutes = live.stream().map(r -> r.minuteEpochSecond() * 1_000_000L).collect(Collectors.toUnmodifiableSet());
            }
            // a late row changes its hour's hour rows too: the hour's blocks overlap the minute, so go with it
            for (long minute : touchedMinutes) {
                cache.invalidate(minute, minute + MICROS_PER_MINUTE);
            }
            return null;
        });
    }

    private static void appendRow(DuckDBAppender a, long timeMicros, int endpointId, String host, long[] scalars, byte[] bins)
        throws SQLException {
        a.beginRow().appendEpochMicros(timeMicros).append(endpointId);
        if (host == null) {
            a.appendNull();
        } else {
            a.append(host);
        }
        for (long v : scalars) {
            a.append(v);
        }
        a.append(bins).endRow();
    }

    /**
     * Rolls up into {@code stats_hour} every hour not rolled up yet that ended more than the rollup
     * grace before {@code now}, and moves the watermark to the end of the last one; one transaction,
     * so a crash leaves either all of it or none, and running it again rolls up nothing twice. The
     * first rollup starts at the hour of the oldest minute row.
     *
     * <p>Per hour with minute rows: the minute rows are rewritten in (endpoint, host, minute) order, so
     * that one endpoint's minutes of a rolled-up hour lie together and a {@link #series} scan fetches
     * the bins of a few vectors instead of every one; then read back in that order, merged in Java per
     * endpoint and host (bins summed per index) and appended as hour rows. Measured figures are in
     * EndpointQueryBenchmark#rollupOneHour.
     *
     * @return the number of hours rolled up
     */
    public int rollup(Instant now) {
        long endMicros = floorTo(toMicros(now.minus(settings.rollupGrace())), MICROS_PER_HOUR);
        return write(c -> {
            long watermark = watermarkMicros(c);
            if (watermark == Long.MIN_VALUE) {
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT epoch_us(least("
                    + "(SELECT min(minute) FROM stats_minute), (SELECT min(minute) FROM tls_minute)))")) {
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
            List<Long> hours = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT DISTINCT epoch_us(date_trunc('hour', minute)) AS h FROM stats_minute "
                + "WHERE minute >= ? AND minute < ? ORDER BY h")) {
                ps.setObject(1, timestamp(watermark));
                ps.setObject(2, timestamp(endMicros));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        hours.add(rs.getLong(1));
                    }
                }
            }
            for (long hour : hours) {
                rollupHour(c, hour);
            }
            for (long hour : TlsTables.hoursWithMinutes(c, timestamp(watermark), timestamp(endMicros))) {
                TlsTables.rollupHour(c, hour, timestamp(hour), timestamp(hour + MICROS_PER_HOUR));
            }
            setMeta(c, KEY_ROLLUP_WATERMARK, Long.toString(endMicros / 1_000_000L));
            c.commit();
            return (int) ((endMicros - watermark) / MICROS_PER_HOUR);
        });
    }

    private static void rollupHour(DuckDBConnection c, long hourMicros) throws SQLException {
        Object from = timestamp(hourMicros);
        Object to = timestamp(hourMicros + MICROS_PER_HOUR);
        try (PreparedStatement copy = c.prepareStatement("INSERT INTO rollup_scratch SELECT * FROM stats_minute WHERE minute >= ? AND minute < ?");
             PreparedStatement delete = c.prepareStatement("DELETE FROM stats_minute WHERE minute >= ? AND minute < ?");
             Statement s = c.createStatement()) {
            copy.setObject(1, from);
            copy.setObject(2, to);
            copy.executeUpdate();
            delete.setObject(1, from);
            delete.setObject(2, to);
            delete.executeUpdate();
            s.execute("INSERT INTO stats_minute SELECT * FROM rollup_scratch ORDER BY endpoint_id, host NULLS FIRST, minute");
            List<Object[]> merged = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("SELECT endpoint_id, host, " + STATS + " FROM rollup_scratch "
                + "ORDER BY endpoint_id, host NULLS FIRST")) {
                Totals group = null;
                int groupEndpoint = 0;
                String groupHost = null;
                long[] scalars = new long[Totals.SCALARS];
                while (rs.next()) {
                    int endpoint = rs.getInt(1);
                    String host = rs.getString(2);
                    if (group == null || endpoint != groupEndpoint || !Objects.equals(host, groupHost)) {
                        if (group != null) {
                            merged.add(new Object[] {groupEndpoint, groupHost, group.scalars.clone(), group.encodeBins()});
                        }
                        group = new Totals();
                        groupEndpoint = endpoint;
                        groupHost = host;
                    }
                    for (int i = 0; i < Totals.SCALARS; i++) {
                        scalars[i] = rs.getLong(3 + i);
                    }
                    group.addScalars(scalars, 0);
                    byte[] bins = rs.getBytes(3 + Totals.SCALARS);
                    group.addBins(bins, 0, bins.length);
                }
                if (group != null) {
                    merged.add(new Object[] {groupEndpoint, groupHost, group.scalars.clone(), group.encodeBins()});
                }
            }
            try (DuckDBAppender hours = c.createAppender(DuckDBConnection.DEFAULT_SCHEMA, "stats_hour")) {
                for (Object[] row : merged) {
                    appendRow(hours, hourMicros, (Integer) row[0], (String) row[1], (long[]) row[2], (byte[]) row[3]);
                }
            }
            s.execute("DELETE FROM rollup_scratch");
        }
    }

    /** The end of the rolled-up hours: hours before it are in {@code stats_hour}; empty before the first rollup. */
    public Optional<Instant> rollupWatermark() {
        return read(c -> {
            long w = watermarkMicros(c);
            return w == Long.MIN_VALUE ? Optional.empty() : Optional.of(instantOfMicros(w));
        });
    }

    /**
     * Deletes minute rows that ended at least minute retention before {@code now} (only of hours
     * already rolled up) and hour rows that ended at least hour retention before it.
     */
    public void applyRetention(Instant now) {
        long minuteCutoff = floorTo(toMicros(now.minus(settings.minuteRetention())), MICROS_PER_MINUTE);
        long hourCutoff = floorTo(toMicros(now.minus(settings.hourRetention())), MICROS_PER_HOUR);
        write(c -> {
            long watermark = watermarkMicros(c);
            long deletedBefore = Long.MIN_VALUE;
            if (watermark != Long.MIN_VALUE) {
                long cutoff = Math.min(minuteCutoff, watermark);
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM stats_minute WHERE minute < ?")) {
                    ps.setObject(1, timestamp(cutoff));
                    if (ps.executeUpdate() > 0) {
                        deletedBefore = cutoff;
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM stats_hour WHERE hour < ?")) {
                ps.setObject(1, timestamp(hourCutoff));
                if (ps.executeUpdate() > 0) {
                    deletedBefore = Math.max(deletedBefore, hourCutoff);
                }
            }
            TlsTables.applyRetention(c, watermark == Long.MIN_VALUE ? null : timestamp(Math.min(minuteCutoff, watermark)),
                timestamp(hourCutoff));
            c.commit();
            if (deletedBefore != Long.MIN_VALUE) {
                cache.invalidate(Long.MIN_VALUE / 2, deletedBefore);
            }
            return null;
        });
    }

    // ---------------------------------------------------------------- queries

    /**
     * Figures per endpoint over [from, to), summed over hosts or for one host; endpoints without rows
     * in the range are absent. Ordered by endpoint id.
     *
     * <p>Rows are summed in Java (bins into dense arrays, see {@link Totals}): the whole hours from hour
     * {@link Block}s, the partial hours from five-minute blocks of minute rows where a five-minute span
     * lies wholly in the range, the rest (at most four minutes at either end) from minute rows read
     * directly. Blocks come from the cache or are loaded from the database and offered to it. Cached
     * blocks are merged on a second core while the caller reads the database.
     */
    public List<EndpointFigures> endpointFigures(Instant from, Instant to, String hostOrNull) {
        checkRange(from, to);
        long ticket = cache.ticket();
        Block.Accumulators acc = new Block.Accumulators();
        List<Block> cached = new ArrayList<>();
        AtomicReference<ForkJoinTask<Block.Accumulators>> forked = new AtomicReference<>();
        try {
            read(c -> {
                Plan plan = plan(c, from, to);
                List<long[]> missingGroups = new ArrayList<>();
                for (long[] g : hourGroups(plan.hoursFrom, plan.hoursTo)) {
                    Block b = cache.get(g[0], g[1]);
                    if (b == null) {
                        missingGroups.add(g);
                    } else {
                        cached.add(b);
                    }
                }
                List<long[]> minutes = new ArrayList<>();
                List<long[]> missingSpans = new ArrayList<>();
                for (long[] part : new long[][] {{plan.from, plan.headTo()}, {plan.tailFrom(), plan.to}}) {
                    splitIntoSpans(part[0], part[1], minutes, missingSpans, cached);
                }
                // the cached blocks' first half on another core meanwhile
                List<Block> firstHalf = cached.subList(0, cached.size() / 2);
                if (!firstHalf.isEmpty()) {
                    forked.set(ForkJoinTask.adapt(() -> mergeBlocks(firstHalf, hostOrNull)).fork());
                }
                for (long[] g : missingGroups) {
                    hourGroup(c, g[0], g[1], ticket).addTo(acc, hostOrNull);
                }
                for (long[] run : coalesce(missingSpans)) {
                    for (Block b : loadSpanBlocks(c, run[0], run[1])) {
                        cache.offer(b, ticket);
                        b.addTo(acc, hostOrNull);
                    }
                }
                for (long[] m : minutes) {
                    Sql sql = new Sql();
                    sql.add("SELECT endpoint_id, " + STATS + " FROM stats_recent WHERE minute >= ? AND minute < ?", timestamp(m[0]),
                        timestamp(m[1]));
                    hostFilter(sql, hostOrNull);
                    try (PreparedStatement ps = sql.prepare(c); ResultSet rs = ps.executeQuery()) {
                        addRows(rs, acc);
                    }
                }
                return null;
            });
            for (Block b : cached.subList(cached.size() / 2, cached.size())) {
                b.addTo(acc, hostOrNull);
            }
        } finally {
            if (forked.get() != null) {
                acc.mergeFrom(forked.get().join());
            }
        }
        List<EndpointFigures> out = new ArrayList<>();
        acc.forEach((totals, endpointId) -> out.add(new EndpointFigures(endpointId, totals.figures())));
        return out;
    }

    /** The largest group of hours merged into one block. */
    private static final long MAX_GROUP_MICROS = 16 * MICROS_PER_HOUR;

    /**
     * Hours [from, to) as aligned groups of 1, 2, 4, 8 or 16 hours (a group of n hours starts on a
     * multiple of n hours since the epoch), largest first where they fit: 24 hours are 2 to 8 groups,
     * so a query merges a few blocks, not one per hour.
     */
    static List<long[]> hourGroups(long from, long to) {
        List<long[]> groups = new ArrayList<>();
        for (long h = from; h < to; ) {
            long size = MAX_GROUP_MICROS;
            while (size > MICROS_PER_HOUR && (Math.floorMod(h, size) != 0 || h + size > to)) {
                size /= 2;
            }
            groups.add(new long[] {h, size});
            h += size;
        }
        return groups;
    }

    /**
     * The block of the hour group [start, start + length): from the cache, or merged from the blocks of
     * its halves (themselves from the cache or merged, down to single hours loaded from stats_hour),
     * every block made on the way offered to the cache.
     */
    private Block hourGroup(Connection c, long start, long length, long ticket) throws SQLException {
        List<Long> missing = new ArrayList<>();
        missingHours(start, length, missing);
        Map<Long, Block> hours = new HashMap<>();
        List<long[]> runs = new ArrayList<>();
        for (long h : missing) {
            runs.add(new long[] {h, h + MICROS_PER_HOUR});
        }
        for (long[] run : coalesce(runs)) {
            for (Block b : loadHourBlocks(c, run[0], run[1])) {
                cache.offer(b, ticket);
                hours.put(b.startMicros, b);
            }
        }
        return assemble(c, start, length, hours, ticket);
    }

    private void missingHours(long start, long length, List<Long> missing) {
        if (cache.peek(start, length)) {
            return;
        }
        if (length == MICROS_PER_HOUR) {
            missing.add(start);
        } else {
            missingHours(start, length / 2, missing);
            missingHours(start + length / 2, length / 2, missing);
        }
    }

    private Block assemble(Connection c, long start, long length, Map<Long, Block> hours, long ticket) throws SQLException {
        Block b = cache.get(start, length);
        if (b != null) {
            return b;
        }
        if (length == MICROS_PER_HOUR) {
            b = hours.get(start);
            if (b == null) {
                // cached when looked at, evicted since
                b = loadHourBlocks(c, start, start + MICROS_PER_HOUR).get(0);
                cache.offer(b, ticket);
            }
            return b;
        }
        b = Block.merge(assemble(c, start, length / 2, hours, ticket), assemble(c, start + length / 2, length / 2, hours, ticket));
        cache.offer(b, ticket);
        return b;
    }

    private static Block.Accumulators mergeBlocks(List<Block> blocks, String hostOrNull) {
        Block.Accumulators acc = new Block.Accumulators();
        for (Block b : blocks) {
            b.addTo(acc, hostOrNull);
        }
        return acc;
    }

    /**
     * Splits minute range [from, to) into the five-minute spans wholly inside it (cached ones to
     * {@code cached}, the rest to {@code missingSpans}) and the minutes around them.
     */
    private void splitIntoSpans(long from, long to, List<long[]> minutes, List<long[]> missingSpans, List<Block> cached) {
        if (from >= to) {
            return;
        }
        long spansFrom = ceilTo(from, BlockCache.SPAN_MICROS);
        long spansTo = floorTo(to, BlockCache.SPAN_MICROS);
        if (spansFrom >= spansTo) {
            minutes.add(new long[] {from, to});
            return;
        }
        if (from < spansFrom) {
            minutes.add(new long[] {from, spansFrom});
        }
        for (long s = spansFrom; s < spansTo; s += BlockCache.SPAN_MICROS) {
            Block b = cache.get(s, BlockCache.SPAN_MICROS);
            if (b == null) {
                missingSpans.add(new long[] {s, s + BlockCache.SPAN_MICROS});
            } else {
                cached.add(b);
            }
        }
        if (spansTo < to) {
            minutes.add(new long[] {spansTo, to});
        }
    }

    /** Adjacent [from, to) ranges joined. */
    private static List<long[]> coalesce(List<long[]> ranges) {
        List<long[]> out = new ArrayList<>();
        for (long[] r : ranges) {
            long[] last = out.isEmpty() ? null : out.get(out.size() - 1);
            if (last != null && last[1] == r[0]) {
                last[1] = r[1];
            } else {
                out.add(new long[] {r[0], r[1]});
            }
        }
        return out;
    }

    /** One block per hour of [from, to), empty hours included. */
    private static List<Block> loadHourBlocks(Connection c, long from, long to) throws SQLException {
        Block.Builder[] builders = new Block.Builder[(int) ((to - from) / MICROS_PER_HOUR)];
        for (int i = 0; i < builders.length; i++) {
            builders[i] = new Block.Builder(from + i * MICROS_PER_HOUR, MICROS_PER_HOUR);
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT epoch_us(hour), endpoint_id, host, " + STATS + " FROM stats_hour "
            + "WHERE hour >= ? AND hour < ?")) {
            ps.setObject(1, timestamp(from));
            ps.setObject(2, timestamp(to));
            try (ResultSet rs = ps.executeQuery()) {
                long[] scalars = new long[Totals.SCALARS];
                while (rs.next()) {
                    int i = (int) ((rs.getLong(1) - from) / MICROS_PER_HOUR);
                    for (int k = 0; k < Totals.SCALARS; k++) {
                        scalars[k] = rs.getLong(4 + k);
                    }
                    builders[i].add(rs.getInt(2), rs.getString(3), scalars, 0, rs.getBytes(4 + Totals.SCALARS));
                }
            }
        }
        List<Block> out = new ArrayList<>(builders.length);
        for (Block.Builder b : builders) {
            out.add(b.build());
        }
        return out;
    }

    /** One block per five-minute span of [from, to): its minute and live rows merged per endpoint and host. */
    private static List<Block> loadSpanBlocks(Connection c, long from, long to) throws SQLException {
        int spans = (int) ((to - from) / BlockCache.SPAN_MICROS);
        List<Map<Block.EndpointHost, Totals>> bySpan = new ArrayList<>(spans);
        for (int i = 0; i < spans; i++) {
            bySpan.add(new HashMap<>());
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT epoch_us(minute), endpoint_id, host, " + STATS + " FROM stats_recent "
            + "WHERE minute >= ? AND minute < ?")) {
            ps.setObject(1, timestamp(from));
            ps.setObject(2, timestamp(to));
            try (ResultSet rs = ps.executeQuery()) {
                long[] scalars = new long[Totals.SCALARS];
                while (rs.next()) {
                    int i = (int) ((rs.getLong(1) - from) / BlockCache.SPAN_MICROS);
                    Totals t = bySpan.get(i).computeIfAbsent(new Block.EndpointHost(rs.getInt(2), rs.getString(3)), k -> new Totals());
                    for (int k = 0; k < Totals.SCALARS; k++) {
                        scalars[k] = rs.getLong(4 + k);
                    }
                    t.addScalars(scalars, 0);
                    byte[] bins = rs.getBytes(4 + Totals.SCALARS);
                    t.addBins(bins, 0, bins.length);
                }
            }
        }
        List<Block> out = new ArrayList<>(spans);
        for (int i = 0; i < spans; i++) {
            Block.Builder b = new Block.Builder(from + i * BlockCache.SPAN_MICROS, BlockCache.SPAN_MICROS);
            for (Map.Entry<Block.EndpointHost, Totals> e : bySpan.get(i).entrySet()) {
                b.add(e.getKey().endpointId(), e.getKey().host(), e.getValue().scalars, 0, e.getValue().encodeBins());
            }
            out.add(b.build());
        }
        return out;
    }

    /** Adds rows of (key INTEGER or BIGINT, {@link #STATS}) to the accumulator of their key. */
    private static void addRows(ResultSet rs, Block.Accumulators acc) throws SQLException {
        long[] scalars = new long[Totals.SCALARS];
        while (rs.next()) {
            Totals t = acc.of(Math.toIntExact(rs.getLong(1)));
            for (int k = 0; k < Totals.SCALARS; k++) {
                scalars[k] = rs.getLong(2 + k);
            }
            t.addScalars(scalars, 0);
            byte[] bins = rs.getBytes(2 + Totals.SCALARS);
            t.addBins(bins, 0, bins.length);
        }
    }

    /**
     * Figures of one endpoint per step over [from, to): point k covers [from + k * step, from + (k + 1) * step)
     * clipped to the range; steps without rows are present with zero calls.
     *
     * <p>Reads the endpoint's hour rows for hours that lie within one step and its minute rows for the
     * rest; the rolled-up hours' minute rows lie in endpoint order (see {@link #rollup}), so the scan
     * fetches the bins of the few vectors that hold the endpoint.
     *
     * @throws IllegalArgumentException if from &gt;= to, step is not a positive whole number of minutes,
     *     or the range holds more than {@value #MAX_SERIES_POINTS} steps
     */
    public List<SeriesPoint> series(int endpointId, Instant from, Instant to, Duration step, String hostOrNull) {
        int points = steps(from, to, step);
        Map<Long, Totals> byKey = seriesRows(endpointId, from, to, step, hostOrNull, 0);
        return points(byKey, 0, points, from, step);
    }

    /**
     * Figures of all endpoints together per step (the dashboard's overview), as {@link #series} does
     * for one.
     */
    public List<SeriesPoint> seriesOfAll(Instant from, Instant to, Duration step, String hostOrNull) {
        int points = steps(from, to, step);
        Map<Long, Totals> byKey = seriesRows(null, from, to, step, hostOrNull, 0);
        return points(byKey, 0, points, from, step);
    }

    /**
     * {@link #series} of every endpoint with rows in the range, at once (the sparklines of the
     * endpoint table); endpoints without rows are absent. One query per table, grouped by endpoint
     * and step in Java.
     */
    public Map<Integer, List<SeriesPoint>> seriesByEndpoint(Instant from, Instant to, Duration step, String hostOrNull) {
        int points = steps(from, to, step);
        Map<Long, Totals> byKey = seriesRows(null, from, to, step, hostOrNull, points);
        Map<Integer, List<SeriesPoint>> out = new java.util.TreeMap<>();
        for (long key : byKey.keySet()) {
            int id = Math.toIntExact(key / points);
            out.computeIfAbsent(id, k -> points(byKey, (long) k * points, points, from, step));
        }
        return out;
    }

    /** How many steps [from, to) holds; checks the range and the step. */
    private static int steps(Instant from, Instant to, Duration step) {
        checkRange(from, to);
        if (step == null || step.isNegative() || step.isZero() || step.toNanos() % 60_000_000_000L != 0) {
            throw new IllegalArgumentException("step must be a positive whole number of minutes, got " + step);
        }
        long stepMicros = step.toNanos() / 1_000;
        long points = (ceilMicros(to) - ceilMicros(from) + stepMicros - 1) / stepMicros;
        if (points > MAX_SERIES_POINTS) {
            throw new IllegalArgumentException("series of " + points + " points requested (" + Duration.between(from, to) + " in steps of "
                + step + "); at most " + MAX_SERIES_POINTS + ": use a larger step");
        }
        return (int) points;
    }

    private static List<SeriesPoint> points(Map<Long, Totals> byKey, long base, int points, Instant from, Duration step) {
        List<SeriesPoint> out = new ArrayList<>(points);
        for (int k = 0; k < points; k++) {
            Totals t = byKey.get(base + k);
            out.add(new SeriesPoint(from.plus(step.multipliedBy(k)), t == null ? Figures.NONE : t.figures()));
        }
        return out;
    }

    /**
     * Sums rows per key: the step index, plus {@code endpointId * perEndpoint} when perEndpoint &gt; 0.
     * Reads hour rows for hours that lie within one step and minute rows for the rest; the rolled-up
     * hours' minute rows lie in endpoint order (see {@link #rollup}), so a one-endpoint scan fetches
     * the bins of the few vectors that hold it.
     */
    private Map<Long, Totals> seriesRows(Integer endpointIdOrNull, Instant from, Instant to, Duration step,
                                         String hostOrNull, int perEndpoint) {
        long stepMicros = step.toNanos() / 1_000;
        Map<Long, Totals> byKey = new HashMap<>();
        String key = perEndpoint > 0 ? "CAST(endpoint_id AS BIGINT) * " + perEndpoint + " + " : "";
        read(c -> {
            Plan plan = plan(c, from, to);
            // an hour row stands for its minutes only if all of them fall into the same step
            String hourInOneStep = "(epoch_us(%1$s) - ?) // ? = (epoch_us(%1$s) + " + (MICROS_PER_HOUR - MICROS_PER_MINUTE) + " - ?) // ?";
            Sql hours = new Sql();
            hours.add("SELECT " + key + "(epoch_us(hour) - ?) // ? AS k, " + STATS + " FROM stats_hour WHERE hour >= ? AND hour < ?",
                plan.from, stepMicros, timestamp(plan.hoursFrom), timestamp(plan.hoursTo));
            hours.add(" AND " + hourInOneStep.formatted("hour"), plan.from, stepMicros, plan.from, stepMicros);
            Sql minutes = new Sql();
            minutes.add("SELECT " + key + "(epoch_us(minute) - ?) // ? AS k, " + STATS + " FROM stats_recent "
                + "WHERE minute >= ? AND minute < ?", plan.from, stepMicros, timestamp(plan.from), timestamp(plan.to));
            minutes.add(" AND NOT (minute >= ? AND minute < ? AND " + hourInOneStep.formatted("date_trunc('hour', minute)") + ")",
                timestamp(plan.hoursFrom), timestamp(plan.hoursTo), plan.from, stepMicros, plan.from, stepMicros);
            for (Sql sql : List.of(hours, minutes)) {
                if (endpointIdOrNull != null) {
                    sql.add(" AND endpoint_id = ?", endpointIdOrNull);
                }
                hostFilter(sql, hostOrNull);
                try (PreparedStatement ps = sql.prepare(c); ResultSet rs = ps.executeQuery()) {
                    long[] scalars = new long[Totals.SCALARS];
                    while (rs.next()) {
                        Totals t = byKey.computeIfAbsent(rs.getLong(1), k -> new Totals());
                        for (int i = 0; i < Totals.SCALARS; i++) {
                            scalars[i] = rs.getLong(2 + i);
                        }
                        t.addScalars(scalars, 0);
                        byte[] bins = rs.getBytes(2 + Totals.SCALARS);
                        t.addBins(bins, 0, bins.length);
                    }
                }
            }
            return null;
        });
        return byKey;
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

    // ---------------------------------------------------------------- TLS

    /**
     * Appends completed TLS minute rows and replaces the open minutes' rows with live (null: leave
     * them), in one transaction, as {@link #appendAndReplaceLive} does for the HTTP rows: rows of hours
     * already rolled up go to {@code tls_hour} as well.
     */
    public void appendTlsAndReplaceLive(List<TlsMinuteRow> rows, List<TlsMinuteRow> live) {
        write(c -> {
            // the first statement starts the transaction the appenders then join
            long watermark = watermarkMicros(c);
            TlsTables.append(c, rows, live, watermark);
            c.commit();
            return null;
        });
    }

    /** The TLS figures of every front with handshakes in [from, to), summed over the range; ordered by kind and name. */
    public List<TlsFrontCounts> tlsFronts(Instant from, Instant to) {
        checkRange(from, to);
        Map<TlsFront, TlsCounts> byFront = new TreeMap<>(TLS_FRONT_ORDER);
        read(c -> {
            Plan plan = plan(c, from, to);
            for (Sql sql : tlsRangeQueries(plan, null)) {
                try (PreparedStatement ps = sql.prepare(c); ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        TlsTables.addRow(rs, 1, byFront.computeIfAbsent(TlsTables.front(rs, 1), k -> TlsCounts.merging()));
                    }
                }
            }
            return null;
        });
        List<TlsFrontCounts> out = new ArrayList<>(byFront.size());
        byFront.forEach((front, counts) -> out.add(new TlsFrontCounts(front, counts)));
        return out;
    }

    /** The TLS figures of one front over [from, to); all zero when it had no handshake there. */
    public TlsCounts tlsFront(TlsFront front, Instant from, Instant to) {
        checkRange(from, to);
        TlsCounts total = TlsCounts.merging();
        read(c -> {
            Plan plan = plan(c, from, to);
            for (Sql sql : tlsRangeQueries(plan, front)) {
                try (PreparedStatement ps = sql.prepare(c); ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        TlsTables.addRow(rs, 1, total);
                    }
                }
            }
            return null;
        });
        return total;
    }

    /**
     * The TLS figures of one front per step over [from, to), as {@link #series} for an endpoint: point k
     * covers [from + k * step, from + (k + 1) * step) clipped to the range; empty steps are present.
     *
     * @throws IllegalArgumentException as {@link #series}
     */
    public List<TlsPoint> tlsSeries(TlsFront front, Instant from, Instant to, Duration step) {
        int points = steps(from, to, step);
        long stepMicros = step.toNanos() / 1_000;
        Map<Long, TlsCounts> byStep = new HashMap<>();
        read(c -> {
            Plan plan = plan(c, from, to);
            // an hour row stands for its minutes only if all of them fall into the same step
            String hourInOneStep = "(epoch_us(%1$s) - ?) // ? = (epoch_us(%1$s) + " + (MICROS_PER_HOUR - MICROS_PER_MINUTE) + " - ?) // ?";
            Sql hours = new Sql();
            hours.add("SELECT (epoch_us(hour) - ?) // ? AS k, " + TlsTables.COLUMNS + " FROM tls_hour WHERE hour >= ? AND hour < ?",
                plan.from, stepMicros, timestamp(plan.hoursFrom), timestamp(plan.hoursTo));
            hours.add(" AND " + hourInOneStep.formatted("hour"), plan.from, stepMicros, plan.from, stepMicros);
            Sql minutes = new Sql();
            minutes.add("SELECT (epoch_us(minute) - ?) // ? AS k, " + TlsTables.COLUMNS + " FROM tls_recent "
                + "WHERE minute >= ? AND minute < ?", plan.from, stepMicros, timestamp(plan.from), timestamp(plan.to));
            minutes.add(" AND NOT (minute >= ? AND minute < ? AND " + hourInOneStep.formatted("date_trunc('hour', minute)") + ")",
                timestamp(plan.hoursFrom), timestamp(plan.hoursTo), plan.from, stepMicros, plan.from, stepMicros);
            for (Sql sql : List.of(hours, minutes)) {
                sql.add(" AND kind = ? AND front = ?", front.kind().id(), front.name());
                try (PreparedStatement ps = sql.prepare(c); ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        TlsTables.addRow(rs, 2, byStep.computeIfAbsent(rs.getLong(1), k -> TlsCounts.merging()));
                    }
                }
            }
            return null;
        });
        List<TlsPoint> out = new ArrayList<>(points);
        for (int k = 0; k < points; k++) {
            TlsCounts counts = byStep.get((long) k);
            out.add(new TlsPoint(from.plus(step.multipliedBy(k)), counts == null ? TlsCounts.merging() : counts));
        }
        return out;
    }

    /** Fronts by kind, then name. */
    private static final Comparator<TlsFront> TLS_FRONT_ORDER = Comparator.comparing(TlsFront::kind).thenComparing(TlsFront::name);

    /** The queries for the TLS rows of a range: hour rows of its rolled-up hours, minute and live rows of the rest. */
    private static List<Sql> tlsRangeQueries(Plan plan, TlsFront frontOrNull) {
        Sql hours = new Sql().add("SELECT " + TlsTables.COLUMNS + " FROM tls_hour WHERE hour >= ? AND hour < ?",
            timestamp(plan.hoursFrom), timestamp(plan.hoursTo));
        Sql minutes = new Sql().add("SELECT " + TlsTables.COLUMNS + " FROM tls_recent "
            + "WHERE ((minute >= ? AND minute < ?) OR (minute >= ? AND minute < ?))", timestamp(plan.from), timestamp(plan.headTo()),
            timestamp(plan.tailFrom()), timestamp(plan.to));
        if (frontOrNull != null) {
            for (Sql sql : List.of(hours, minutes)) {
                sql.add(" AND kind = ? AND front = ?", frontOrNull.kind().id(), frontOrNull.name());
            }
        }
        return List.of(hours, minutes);
    }

    // ---------------------------------------------------------------- specs

    /** Inserts or replaces the spec of that name: its content into a file of its own, then its row. */
    public void saveSpec(SpecRecord spec) {
        ensureOpen();
        String contentFile = writeSpecFile(spec.content());
        String replaced;
        try {
            replaced = write(c -> {
                String previous = contentFileOf(c, spec.name());
                try (PreparedStatement ps = c.prepareStatement("INSERT OR REPLACE INTO specs (name, version, uploaded_at, source, "
                    + "servers_override, content_file) VALUES (?, ?, ?, ?, ?, ?)")) {
                    ps.setString(1, spec.name());
                    ps.setInt(2, spec.version());
                    ps.setObject(3, timestamp(toMicros(spec.uploadedAt())));
                    ps.setString(4, spec.source());
                    ps.setArray(5, c.createArrayOf("VARCHAR", spec.serversOverride().toArray()));
                    ps.setString(6, contentFile);
                    ps.executeUpdate();
                }
                c.commit();
                return previous;
            });
        } catch (RuntimeException e) {
            deleteSpecFile(contentFile);
            throw e;
        }
        deleteSpecFile(replaced);
    }

    public Optional<SpecRecord> spec(String name) {
        return read(c -> {
            List<SpecRecord> found = specs(c, "WHERE name = ?", name);
            return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
        });
    }

    /** Every spec, by name; one whose content file cannot be read is left out (and logged). */
    public List<SpecRecord> specs() {
        return read(c -> specs(c, "", null));
    }

    /** @return whether a spec of that name existed */
    public boolean deleteSpec(String name) {
        String[] contentFile = new String[1];
        boolean deleted = write(c -> {
            contentFile[0] = contentFileOf(c, name);
            int n;
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM specs WHERE name = ?")) {
                ps.setString(1, name);
                n = ps.executeUpdate();
            }
            c.commit();
            return n > 0;
        });
        deleteSpecFile(contentFile[0]);
        return deleted;
    }

    /** The content file the spec's row names; null when there is no such row. */
    private static String contentFileOf(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT content_file FROM specs WHERE name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    /** The directory of the spec content files. */
    public Path specDirectory() {
        return specDir;
    }

    /** Writes content to a new file of the spec directory, synced, and returns its name. */
    private String writeSpecFile(byte[] content) {
        String name = java.util.UUID.randomUUID() + ".spec";
        Path tmp = specDir.resolve(name + ".tmp");
        try {
            Files.createDirectories(specDir);
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE)) {
                java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(content);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            Files.move(tmp, specDir.resolve(name), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            // the rename itself on disk before the row that names the file commits
            try (java.nio.channels.FileChannel d = java.nio.channels.FileChannel.open(specDir, java.nio.file.StandardOpenOption.READ)) {
                d.force(true);
            }
            return name;
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the open after the next start deletes it
            }
            throw new StoreException("cannot write a spec's content to " + specDir + ": " + e.getMessage(), e);
        }
    }

    private void deleteSpecFile(String name) {
        if (name != null) {
            try {
                Files.deleteIfExists(specDir.resolve(name));
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot delete " + specDir.resolve(name) + " (deleted at the next open): " + e.getMessage());
            }
        }
    }

    /** At open: deletes the files of the spec directory that no row names (a crash between file and row). */
    private void deleteUnnamedSpecFiles() throws SQLException {
        if (!Files.isDirectory(specDir)) {
            return;
        }
        Set<String> named = new HashSet<>();
        try (Statement st = writer.createStatement(); ResultSet rs = st.executeQuery("SELECT content_file FROM specs")) {
            while (rs.next()) {
                named.add(rs.getString(1));
            }
        }
        writer.commit();
        try (java.util.stream.Stream<Path> files = Files.list(specDir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                if (!named.contains(p.getFileName().toString())) {
                    Files.deleteIfExists(p);
                }
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot tidy " + specDir + ": " + e.getMessage());
        }
    }

    private List<SpecRecord> specs(Connection c, String where, String name) throws SQLException {
        List<SpecRecord> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT name, version, epoch_us(uploaded_at), source, servers_override, "
            + "content_file FROM specs " + where + " ORDER BY name")) {
            if (name != null) {
                ps.setString(1, name);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Object[] servers = (Object[]) rs.getArray(5).getArray();
                    List<String> serverList = new ArrayList<>(servers.length);
                    for (Object s : servers) {
                        serverList.add((String) s);
                    }
                    String contentFile = rs.getString(6);
                    byte[] content;
                    try {
                        content = Files.readAllBytes(specDir.resolve(contentFile == null ? "" : contentFile));
                    } catch (IOException | java.nio.file.InvalidPathException e) {
                        LOG.log(System.Logger.Level.ERROR, "spec " + rs.getString(1) + ": its content file " + specDir.resolve(String.valueOf(contentFile))
                            + " cannot be read (" + e + "); the spec is left out");
                        continue;
                    }
                    out.add(new SpecRecord(rs.getString(1), rs.getInt(2), instantOfMicros(rs.getLong(3)), rs.getString(4),
                        content, serverList));
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
            if (invalidated) {
                reopen();
            }
            DuckDBConnection c = writer;
            try {
                saveUnsavedEndpoints(c);
                return work.run(c);
            } catch (SQLException e) {
                String fatal = noteIfFatal(e);
                endFailedWrite(c);
                throw new StoreException("write to " + file + " failed: " + e.getMessage() + fatal, e);
            } catch (RuntimeException e) {
                endFailedWrite(c);
                throw e;
            }
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Rolls back the writer's transaction. When that fails too (after a failed COMMIT, as on a full
     * disk, DuckDB has ended the transaction while the driver believes it still open, and would never
     * begin another: every later commit would fail) the writer is replaced by a new connection.
     */
    private void endFailedWrite(DuckDBConnection c) {
        if (rollbackQuietly(c) || invalidated) {
            return;
        }
        try {
            DuckDBConnection fresh = c.duplicate();
            fresh.setAutoCommit(false);
            writer = fresh;
            closeQuietly(c);
        } catch (SQLException e) {
            invalidated = true; // the next write or read opens the database again
        }
    }

    /** Marks the database for reopening when e is one of DuckDB's fatal errors; says so for the message. */
    private String noteIfFatal(SQLException e) {
        // the start of the message only: values from the wire (hosts, paths) may be quoted further on
        if (e.getMessage() == null || !e.getMessage().startsWith("FATAL Error")) {
            return "";
        }
        invalidated = true;
        return " (a fatal error: the database is reopened at the next write or read)";
    }

    /**
     * Opens the database again after a fatal error: every connection of the old instance is closed
     * (DuckDB keeps an instance while any connection to it is open) and the WAL replays what was
     * committed. Under writeLock. Throws, and stays marked, when it cannot. A write whose commit failed
     * fatally is not in the database then (DuckDB writes a commit that checkpoints to the database
     * file, not the WAL), so the flusher's retry of its rows counts them once: StoreDiskFullTest
     * checks that through a full disk's fatal checkpoints.
     */
    private void reopen() {
        for (DuckDBConnection c : allReaders) {
            closeQuietly(c);
        }
        allReaders.clear();
        idleReaders.clear();
        closeQuietly(writer);
        DuckDBConnection c = connect(file, settings);
        try {
            c.setAutoCommit(false);
            writer = c;
            loadEndpoints();
        } catch (SQLException | RuntimeException e) {
            closeQuietly(c);
            throw new StoreException("cannot reopen " + file + " after a fatal error: " + e.getMessage(), e);
        }
        // what a failed write left behind is unknown here: nothing cached may stand
        cache.invalidateAll();
        invalidated = false;
        reopens++;
        LOG.log(System.Logger.Level.WARNING, "reopened " + file + " after a fatal DuckDB error");
    }

    /** How often the database was reopened after a fatal error. */
    public long reopens() {
        return reopens;
    }

    /** Runs a read on a pooled connection (autocommit off: the whole read is one snapshot). */
    private <T> T read(SqlWork<T> work) {
        ensureOpen();
        if (invalidated) {
            writeLock.lock();
            try {
                if (invalidated) {
                    reopen();
                }
            } finally {
                writeLock.unlock();
            }
        }
        DuckDBConnection c = idleReaders.poll();
        if (c == null) {
            c = newReader();
        }
        try {
            T result = work.run(c);
            c.commit();
            return result;
        } catch (SQLException e) {
            String fatal = noteIfFatal(e);
            if (!rollbackQuietly(c)) {
                allReaders.remove(c); // its transaction state is off, as the writer's can be: closed below
            }
            throw new StoreException("query on " + file + " failed: " + e.getMessage() + fatal, e);
        } catch (RuntimeException e) {
            if (!rollbackQuietly(c)) {
                allReaders.remove(c);
            }
            throw e;
        } finally {
            if (allReaders.contains(c)) {
                idleReaders.offer(c);
            } else {
                closeQuietly(c); // dropped above, or by a reopen while it ran
            }
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

    /** Rolls back; false when that failed too. The original failure is what the caller reports. */
    private static boolean rollbackQuietly(Connection c) {
        try {
            c.rollback();
            return true;
        } catch (SQLException ignored) {
            return false;
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
