package io.gatelens.analytics.ingest;

import io.gatelens.analytics.catalog.EndpointRef;
import io.gatelens.analytics.catalog.RouteTable;
import io.gatelens.analytics.catalog.ShadowEndpoints;
import io.gatelens.analytics.route.Match;
import io.gatelens.analytics.stats.EndpointMinute;
import io.gatelens.analytics.stats.StatsAggregator;
import io.gatelens.collector.record.TransactionSchema;
import org.apache.arrow.vector.VectorSchemaRoot;

import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * Arrow batches of transactions → endpoint → per-minute statistics: the analytics hot path. For each
 * row it matches the request against the current {@link RouteTable} (or gives it a shadow endpoint)
 * and records it in the {@link StatsAggregator} under the endpoint and the host the route is bound
 * to ({@code ""} for specs bound to no host; the shadow endpoint's host for shadow endpoints).
 *
 * <p>One thread calls {@link #accept}; the counters may be read from any thread. Strings are made
 * once per row only for the path: methods and hosts repeat, so they come from small caches keyed by
 * their bytes.
 */
public final class TransactionIngest {
    /** Sees every transaction after it is counted (the Prometheus metrics). */
    @FunctionalInterface
    public interface TransactionObserver {
        void observe(int direction, String route, String method, int status, long latencyNs);
    }

    private final Supplier<RouteTable> routes;
    private final ShadowEndpoints shadows;
    private final StatsAggregator stats;
    private final TransactionObserver observer;
    /** Requests remembered with their endpoint: busy APIs repeat their paths (a list, a health check, /me). */
    static final int ROUTE_CACHE_SIZE = 8192;
    private final boolean[] ignoredPorts = new boolean[65536];
    private final Utf8Cache methods = new Utf8Cache(64);
    private final Utf8Cache hosts = new Utf8Cache(1024);
    private final RouteCache routeCache = new RouteCache(ROUTE_CACHE_SIZE);
    private RouteTable cachedTable;
    private final TransactionColumns columns = new TransactionColumns();
    // per row of the current batch: its endpoint and statistics host; the rows' sort keys
    private EndpointRef[] rowRefs = new EndpointRef[0];
    private String[] rowHosts = new String[0];
    private int[] counted = new int[0];
    private long[] groupKeys = new long[0];
    private long[] rowMinutes = new long[0];
    private final RowGroups groups = new RowGroups();

    private volatile long rows;
    private volatile long batches;
    private volatile long shadowRows;
    private volatile long ignoredRows;
    private volatile long lastBatchMillis;
    private volatile long lastLagMillis = -1;

    /**
     * @param routes the current route table, read once per batch
     * @param observer may be null
     */
    public TransactionIngest(Supplier<RouteTable> routes, ShadowEndpoints shadows, StatsAggregator stats,
                             TransactionObserver observer) {
        this.routes = routes;
        this.shadows = shadows;
        this.stats = stats;
        this.observer = observer;
    }

    /** Transactions to these server ports are not counted (the service's own API and dashboard). */
    public TransactionIngest ignoringServerPorts(Iterable<Integer> ports) {
        for (int port : ports) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port " + port + " is not a TCP port");
            }
            ignoredPorts[port] = true;
        }
        return this;
    }

    /**
     * Counts every row of a {@link TransactionSchema} batch. The batch stays the caller's.
     *
     * @throws IllegalArgumentException if the batch's buffers are malformed; nothing of it is counted then
     */
    public void accept(VectorSchemaRoot batch) {
        RouteTable table = routes.get();
        if (table != cachedTable) {
            // a new spec set: what was matched before may match differently now
            routeCache.clear();
            cachedTable = table;
        }
        TransactionColumns c = columns;
        c.load(batch);
        int n = c.rows;
        if (rowRefs.length < n) {
            rowRefs = new EndpointRef[c.ts.length];
            rowHosts = new String[c.ts.length];
            counted = new int[c.ts.length];
            groupKeys = new long[c.ts.length];
            rowMinutes = new long[c.ts.length];
        }
        // 1. each row's endpoint: route cache, else the trie, else a shadow endpoint
        TransactionColumns.Utf8Column path = c.path;
        long shadowed = 0;
        long newestEndNs = Long.MIN_VALUE;
        long firstMinute = Long.MAX_VALUE;
        long lastMinute = Long.MIN_VALUE;
        long minute = 0;
        long minuteStartNs = Long.MAX_VALUE; // [start, end) of that minute; none yet
        long minuteEndNs = Long.MIN_VALUE;
        int nCounted = 0;
        for (int i = 0; i < n; i++) {
            if (ignoredPorts[c.dport[i] & 0xffff]) {
                continue;
            }
            String m = methods.get(c.method.data, c.method.start(i), c.method.length(i));
            String h = TransactionColumns.isValid(c.hostValid, i) ? hosts.get(c.host.data, c.host.start(i), c.host.length(i)) : null;
            int pathStart = path.start(i);
            int pathLen = path.length(i);
            int hash = routeCache.hash(m, h, path.data, pathStart, pathLen);
            EndpointRef ref = routeCache.ref(hash, m, h, path.data, pathStart, pathLen);
            String statsHost;
            if (ref != null) {
                statsHost = routeCache.statsHost(hash);
            } else {
                // matched on the captured bytes; a String is made only for a shadow endpoint's template
                Match<EndpointRef> match = table.find(h, m, path.data, pathStart, pathLen);
                if (match != null && match.isMatched()) {
                    ref = match.payload();
                    statsHost = match.host() == null ? "" : match.host();
                } else {
                    // a documented path with another method keeps its template: no path String needed
                    ref = shadows.resolve(h, m, match != null && match.isMethodNotAllowed() ? null
                        : new String(path.data, pathStart, pathLen, StandardCharsets.UTF_8), match);
                    statsHost = ref.shadowHost();
                }
                routeCache.put(hash, m, h, path.data, pathStart, pathLen, ref, statsHost);
            }
            if (ref.isShadow()) {
                shadowed++;
            }
            rowRefs[i] = ref;
            rowHosts[i] = statsHost;
            int st = c.status[i];
            long lat = c.latency[i];
            if (observer != null) {
                observer.observe(c.direction[i], ref.template(), m, st, lat);
            }
            long ts = c.ts[i];
            if (ts < minuteStartNs || ts >= minuteEndNs) {
                // most rows fall in the minute of the row before: no division for them
                minute = StatsAggregator.minuteOf(ts);
                minuteStartNs = minute * StatsAggregator.MINUTE_NS;
                minuteEndNs = minuteStartNs + StatsAggregator.MINUTE_NS; // the last minute of the range: overflows, never reused
            }
            rowMinutes[i] = minute;
            firstMinute = Math.min(firstMinute, minute);
            lastMinute = Math.max(lastMinute, minute);
            long end = ts + Math.max(lat, 0);
            if (end > newestEndNs) {
                newestEndNs = end;
            }
            counted[nCounted++] = i;
        }
        // 2. the rows grouped by minute and endpoint: each endpoint's accumulators are then looked up,
        // locked and brought into cache once per group of its rows instead of once per row
        if (nCounted > 0 && lastMinute - firstMinute < MINUTES_PER_GROUPING) {
            for (int k = 0; k < nCounted; k++) {
                int i = counted[k];
                groupKeys[k] = (rowMinutes[i] - firstMinute) << 31 | (rowRefs[i].id() & 0x7fffffffL);
            }
            groups.group(counted, groupKeys, nCounted);
            int g = 0;
            int ng = groups.groups();
            while (g < ng) {
                long minuteOffset = groups.key(g) >>> 31;
                int from = groups.from(g);
                while (g < ng && groups.key(g) >>> 31 == minuteOffset) {
                    g++;
                }
                recordRun(c, groups.rows(), from, groups.from(g), firstMinute + minuteOffset);
            }
        } else {
            // a batch spanning hours (a replayed capture): per minute, in row order
            for (int k = 0; k < nCounted; k++) {
                recordRow(c, counted[k]);
            }
        }
        long now = System.currentTimeMillis();
        if (nCounted > 0) {
            lastLagMillis = Math.max(0, now - newestEndNs / 1_000_000);
        }
        lastBatchMillis = now;
        rows += n;
        shadowRows += shadowed;
        ignoredRows += n - nCounted;
        batches++;
    }

    /** Records rows[from, to), rows of one minute grouped by endpoint, under one lock. */
    private void recordRun(TransactionColumns c, int[] rows, int from, int to, long minute) {
        stats.writeMinute(minute, w -> {
            EndpointMinute acc = null;
            int accId = -1;
            String accHost = null;
            for (int k = from; k < to; k++) {
                int i = rows[k];
                EndpointRef ref = rowRefs[i];
                String host = rowHosts[i];
                if (acc == null || ref.id() != accId || host != accHost) {
                    acc = w.stats(ref.id(), host);
                    accId = ref.id();
                    accHost = host;
                }
                acc.record(c.status[i], c.reqBytes[i], c.respBytes[i], c.ttfb[i], c.latency[i]);
            }
        });
    }

    private void recordRow(TransactionColumns c, int i) {
        stats.record(rowRefs[i].id(), rowHosts[i], c.ts[i], c.status[i], c.reqBytes[i], c.respBytes[i], c.ttfb[i],
            c.latency[i]);
    }

    // a row's group key: minute offset | endpoint id (31 bits), below 2^RowGroups.KEY_BITS
    private static final long MINUTES_PER_GROUPING = 1L << (RowGroups.KEY_BITS - 31);

    /** The endpoint one request is counted against (what {@link #accept} does per row, for reports). */
    public EndpointRef classify(String host, String method, String rawPath) {
        Match<EndpointRef> match = routes.get().find(host, method, rawPath);
        return match != null && match.isMatched() ? match.payload() : shadows.resolve(host, method, rawPath, match);
    }

    /** The shadow endpoints made so far. */
    public java.util.List<EndpointRef> shadowEndpoints() {
        return shadows.endpoints();
    }

    public long rows() {
        return rows;
    }

    public long batches() {
        return batches;
    }

    /** Rows that matched no operation. */
    public long shadowRows() {
        return shadowRows;
    }

    /** Rows not counted because of their server port. */
    public long ignoredRows() {
        return ignoredRows;
    }

    /** When the last batch was counted (epoch ms), 0 before the first. */
    public long lastBatchMillis() {
        return lastBatchMillis;
    }

    /**
     * How long after the newest transaction of the last batch ended it was counted (ms): capture,
     * batching and channel delay together; -1 before the first batch.
     */
    public long lastLagMillis() {
        return lastLagMillis;
    }

    /**
     * A direct-mapped cache from (method, host, path bytes) to the endpoint and statistics host: a
     * repeated request skips the path string, the trie walk and shadow inference. Methods and hosts
     * are compared by identity (they come from the {@link Utf8Cache}s, so a repeat is the same
     * instance; an evicted one only costs a miss). Written here because the key is a slice of the
     * batch's path bytes. At most {@code size} paths of at most 256 bytes are held.
     */
    static final class RouteCache {
        private final String[] methods;
        private final String[] hosts;
        private final byte[][] paths;
        private final EndpointRef[] refs;
        private final String[] statsHosts;
        // per slot: the held request's hash (low half) and the last hash that landed here (high half),
        // in one word so that a miss, the usual outcome for a stream of distinct paths, reads one line.
        // Admission: a request is remembered the second time its hash lands on a slot, so a stream of
        // distinct paths (ids in every path) costs no copying and keeps the hot entries in place
        private final long[] tags;
        private final int mask;

        RouteCache(int size) {
            int cap = Integer.highestOneBit(Math.max(2, size - 1)) << 1;
            methods = new String[cap];
            hosts = new String[cap];
            paths = new byte[cap][];
            refs = new EndpointRef[cap];
            statsHosts = new String[cap];
            tags = new long[cap];
            mask = cap - 1;
        }

        /** The request's hash; its slot is {@code hash & mask}. */
        int hash(String method, String host, byte[] data, int start, int len) {
            int hash = hashBytes(data, start, len,
                System.identityHashCode(method) * 31 + (host == null ? 0 : System.identityHashCode(host)));
            hash *= 0x9E3779B9;
            return hash ^ (hash >>> 15);
        }

        EndpointRef ref(int hash, String method, String host, byte[] data, int start, int len) {
            int slot = hash & mask;
            if ((int) tags[slot] != hash) {
                return null;
            }
            EndpointRef ref = refs[slot];
            if (ref == null || methods[slot] != method || hosts[slot] != host) {
                return null;
            }
            byte[] key = paths[slot];
            if (key.length != len || !sameBytes(data, start, key)) {
                return null;
            }
            return ref;
        }

        String statsHost(int hash) {
            return statsHosts[hash & mask];
        }

        void put(int hash, String method, String host, byte[] data, int start, int len, EndpointRef ref, String statsHost) {
            int slot = hash & mask;
            long tag = tags[slot];
            if ((int) (tag >>> 32) != hash) {
                tags[slot] = (long) hash << 32 | (tag & 0xFFFF_FFFFL);
                return;
            }
            byte[] key = paths[slot];
            if (key == null || key.length != len) {
                key = new byte[len];
            }
            System.arraycopy(data, start, key, 0, len);
            methods[slot] = method;
            hosts[slot] = host;
            paths[slot] = key;
            tags[slot] = (long) hash << 32 | (hash & 0xFFFF_FFFFL);
            refs[slot] = ref;
            statsHosts[slot] = statsHost;
        }

        void clear() {
            java.util.Arrays.fill(refs, null);
        }

        /** A hash of data[start, start + len), a word at a time, continuing from seed. */
        static int hashBytes(byte[] data, int start, int len, int seed) {
            int hash = seed;
            int k = 0;
            for (; k + 8 <= len; k += 8) {
                long w = (long) LONGS.get(data, start + k);
                hash = 31 * hash + (int) (w ^ (w >>> 32));
            }
            for (; k < len; k++) {
                hash = 31 * hash + data[start + k];
            }
            return hash;
        }

        /** data[start, start + key.length) equals key. */
        static boolean sameBytes(byte[] data, int start, byte[] key) {
            return java.util.Arrays.equals(data, start, start + key.length, key, 0, key.length);
        }

        // one word per step of the hash
        static final java.lang.invoke.VarHandle LONGS =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * A direct-mapped cache of strings by their UTF-8 bytes in a VarChar vector: methods and hosts
     * repeat row after row, so most rows find theirs without allocating. Written here, not taken
     * from a library, because the key is a slice of the batch's bytes, not an object.
     */
    static final class Utf8Cache {
        private final byte[][] keys;
        private final String[] values;
        private final int mask;
        // values of at most 16 bytes (methods, most hosts): their bytes as two longs, so that a repeat
        // costs two loads and compares instead of a hash loop and an array compare
        private final long[] shortLo;
        private final long[] shortHi;
        private final int[] shortLen; // length + 1; 0 = empty
        private final String[] shortValues;

        Utf8Cache(int size) {
            int cap = Integer.highestOneBit(Math.max(2, size - 1)) << 1;
            keys = new byte[cap][];
            values = new String[cap];
            mask = cap - 1;
            shortLo = new long[cap];
            shortHi = new long[cap];
            shortLen = new int[cap];
            shortValues = new String[cap];
        }

        String get(byte[] data, int start, int len) {
            if (len <= 16) {
                long lo = word(data, start, Math.min(len, 8));
                long hi = len > 8 ? word(data, start + 8, len - 8) : 0;
                long h = (lo * 0x9E3779B97F4A7C15L + hi) * 0xBF58476D1CE4E5B9L + len;
                int slot = (int) (h >>> 40) & mask;
                if (shortLen[slot] == len + 1 && shortLo[slot] == lo && shortHi[slot] == hi) {
                    return shortValues[slot];
                }
                String s = new String(data, start, len, StandardCharsets.UTF_8);
                shortLo[slot] = lo;
                shortHi[slot] = hi;
                shortLen[slot] = len + 1;
                shortValues[slot] = s;
                return s;
            }
            int hash = RouteCache.hashBytes(data, start, len, len);
            int slot = (hash ^ (hash >>> 16)) & mask;
            byte[] key = keys[slot];
            if (key != null && key.length == len && RouteCache.sameBytes(data, start, key)) {
                return values[slot];
            }
            byte[] bytes = java.util.Arrays.copyOfRange(data, start, start + len);
            String s = new String(bytes, StandardCharsets.UTF_8);
            keys[slot] = bytes;
            values[slot] = s;
            return s;
        }

        /** data[at, at + n) (n <= 8) as a little-endian long, the bytes past n zero. */
        private static long word(byte[] data, int at, int n) {
            if (n == 0) {
                return 0;
            }
            if (at + 8 <= data.length) {
                long w = (long) RouteCache.LONGS.get(data, at);
                return n == 8 ? w : w & ((1L << (8 * n)) - 1);
            }
            long w = 0;
            for (int k = n - 1; k >= 0; k--) {
                w = w << 8 | (data[at + k] & 0xFF);
            }
            return w;
        }
    }
}
