package io.gatelens.analytics.ingest;

import io.gatelens.analytics.catalog.EndpointRef;
import io.gatelens.analytics.catalog.RouteTable;
import io.gatelens.analytics.catalog.ShadowEndpoints;
import io.gatelens.analytics.route.Match;
import io.gatelens.analytics.stats.StatsAggregator;
import io.gatelens.collector.record.TransactionSchema;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.VarCharVector;
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
    private byte[] scratch = new byte[512];

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

    /** Counts every row of a {@link TransactionSchema} batch. The batch stays the caller's. */
    public void accept(VectorSchemaRoot batch) {
        RouteTable table = routes.get();
        if (table != cachedTable) {
            // a new spec set: what was matched before may match differently now
            routeCache.clear();
            cachedTable = table;
        }
        BigIntVector ts = (BigIntVector) batch.getVector(TransactionSchema.COL_TS_NS);
        TinyIntVector direction = (TinyIntVector) batch.getVector(TransactionSchema.COL_DIRECTION);
        VarCharVector method = (VarCharVector) batch.getVector(TransactionSchema.COL_METHOD);
        VarCharVector path = (VarCharVector) batch.getVector(TransactionSchema.COL_PATH);
        VarCharVector host = (VarCharVector) batch.getVector(TransactionSchema.COL_HOST);
        IntVector status = (IntVector) batch.getVector(TransactionSchema.COL_STATUS);
        BigIntVector reqBytes = (BigIntVector) batch.getVector(TransactionSchema.COL_REQ_BYTES);
        BigIntVector respBytes = (BigIntVector) batch.getVector(TransactionSchema.COL_RESP_BYTES);
        BigIntVector ttfb = (BigIntVector) batch.getVector(TransactionSchema.COL_TTFB_NS);
        BigIntVector latency = (BigIntVector) batch.getVector(TransactionSchema.COL_LATENCY_NS);
        IntVector dport = (IntVector) batch.getVector(TransactionSchema.COL_DPORT);

        int n = batch.getRowCount();
        long shadowed = 0;
        long ignored = 0;
        long newestEndNs = Long.MIN_VALUE;
        for (int i = 0; i < n; i++) {
            if (ignoredPorts[dport.get(i) & 0xffff]) {
                ignored++;
                continue;
            }
            String m = methods.get(method, i);
            String h = host.isNull(i) ? null : hosts.get(host, i);
            int st = status.isNull(i) ? 0 : status.get(i);
            long lat = latency.isNull(i) ? -1 : latency.get(i);
            long start = ts.get(i);

            int hash = routeCache.hash(m, h, path, i);
            EndpointRef ref = routeCache.ref(hash, m, h, path, i);
            String statsHost;
            if (ref != null) {
                statsHost = routeCache.statsHost(hash);
            } else {
                String p = string(path, i);
                Match<EndpointRef> match = table.find(h, m, p);
                if (match != null && match.isMatched()) {
                    ref = match.payload();
                    statsHost = match.host() == null ? "" : match.host();
                } else {
                    ref = shadows.resolve(h, m, p, match);
                    statsHost = ref.shadowHost();
                }
                routeCache.put(hash, m, h, path, i, ref, statsHost);
            }
            if (ref.isShadow()) {
                shadowed++;
            }
            stats.record(ref.id(), statsHost, start, st, reqBytes.get(i), respBytes.get(i),
                ttfb.isNull(i) ? -1 : ttfb.get(i), lat);
            if (observer != null) {
                observer.observe(direction.get(i), ref.template(), m, st, lat);
            }
            long end = start + Math.max(lat, 0);
            if (end > newestEndNs) {
                newestEndNs = end;
            }
        }
        long now = System.currentTimeMillis();
        if (n > 0) {
            lastLagMillis = Math.max(0, now - newestEndNs / 1_000_000);
        }
        lastBatchMillis = now;
        rows += n;
        shadowRows += shadowed;
        ignoredRows += ignored;
        batches++;
    }

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

    private String string(VarCharVector v, int i) {
        int start = v.getStartOffset(i);
        int len = v.getEndOffset(i) - start;
        if (len > scratch.length) {
            scratch = new byte[Integer.highestOneBit(len) << 1];
        }
        v.getDataBuffer().getBytes(start, scratch, 0, len);
        return new String(scratch, 0, len, StandardCharsets.UTF_8);
    }

    /**
     * A direct-mapped cache from (method, host, path bytes) to the endpoint and statistics host: a
     * repeated request skips the path string, the trie walk and shadow inference. Methods and hosts
     * are compared by identity (they come from the {@link Utf8Cache}s, so a repeat is the same
     * instance; an evicted one only costs a miss). Written here because the key is a slice of an
     * Arrow buffer. At most {@code size} paths of at most 256 bytes are held.
     */
    static final class RouteCache {
        private final String[] methods;
        private final String[] hosts;
        private final byte[][] paths;
        private final EndpointRef[] refs;
        private final String[] statsHosts;
        private final int[] hashes;
        // admission: a request is remembered the second time its hash lands on a slot, so a stream of
        // distinct paths (ids in every path) costs no copying and keeps the hot entries in place
        private final int[] seen;
        private final int mask;

        RouteCache(int size) {
            int cap = Integer.highestOneBit(Math.max(2, size - 1)) << 1;
            methods = new String[cap];
            hosts = new String[cap];
            paths = new byte[cap][];
            refs = new EndpointRef[cap];
            statsHosts = new String[cap];
            hashes = new int[cap];
            seen = new int[cap];
            mask = cap - 1;
        }

        /** The request's hash; its slot is {@code hash & mask}. */
        int hash(String method, String host, VarCharVector path, int i) {
            int start = path.getStartOffset(i);
            int len = path.getEndOffset(i) - start;
            ArrowBuf data = path.getDataBuffer();
            int hash = hashBytes(data, start, len,
                System.identityHashCode(method) * 31 + (host == null ? 0 : System.identityHashCode(host)));
            hash *= 0x9E3779B9;
            return hash ^ (hash >>> 15);
        }

        EndpointRef ref(int hash, String method, String host, VarCharVector path, int i) {
            int slot = hash & mask;
            EndpointRef ref = refs[slot];
            if (ref == null || hashes[slot] != hash || methods[slot] != method || hosts[slot] != host) {
                return null;
            }
            byte[] key = paths[slot];
            int start = path.getStartOffset(i);
            if (key.length != path.getEndOffset(i) - start || !sameBytes(path.getDataBuffer(), start, key)) {
                return null;
            }
            return ref;
        }

        String statsHost(int hash) {
            return statsHosts[hash & mask];
        }

        void put(int hash, String method, String host, VarCharVector path, int i, EndpointRef ref, String statsHost) {
            int slot = hash & mask;
            if (seen[slot] != hash) {
                seen[slot] = hash;
                return;
            }
            int start = path.getStartOffset(i);
            int len = path.getEndOffset(i) - start;
            byte[] key = paths[slot];
            if (key == null || key.length != len) {
                key = new byte[len];
            }
            path.getDataBuffer().getBytes(start, key, 0, len);
            methods[slot] = method;
            hosts[slot] = host;
            paths[slot] = key;
            hashes[slot] = hash;
            refs[slot] = ref;
            statsHosts[slot] = statsHost;
        }

        void clear() {
            java.util.Arrays.fill(refs, null);
        }

        /** A hash of data[start, start + len), a word at a time, continuing from seed. */
        static int hashBytes(ArrowBuf data, int start, int len, int seed) {
            int hash = seed;
            int k = 0;
            for (; k + 8 <= len; k += 8) {
                long w = data.getLong(start + k);
                hash = 31 * hash + (int) (w ^ (w >>> 32));
            }
            for (; k < len; k++) {
                hash = 31 * hash + data.getByte(start + k);
            }
            return hash;
        }

        /** data[start, start + key.length) equals key, compared a word at a time. */
        static boolean sameBytes(ArrowBuf data, int start, byte[] key) {
            int len = key.length;
            int k = 0;
            for (; k + 8 <= len; k += 8) {
                if (data.getLong(start + k) != (long) LONGS.get(key, k)) {
                    return false;
                }
            }
            for (; k < len; k++) {
                if (data.getByte(start + k) != key[k]) {
                    return false;
                }
            }
            return true;
        }

        // ArrowBuf.getLong is little-endian; compare the cached bytes the same way
        private static final java.lang.invoke.VarHandle LONGS =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * A direct-mapped cache of strings by their UTF-8 bytes in a VarChar vector: methods and hosts
     * repeat row after row, so most rows find theirs without allocating. Written here, not taken
     * from a library, because the key is a slice of an Arrow buffer, not an object.
     */
    static final class Utf8Cache {
        private final byte[][] keys;
        private final String[] values;
        private final int mask;

        Utf8Cache(int size) {
            int cap = Integer.highestOneBit(Math.max(2, size - 1)) << 1;
            keys = new byte[cap][];
            values = new String[cap];
            mask = cap - 1;
        }

        String get(VarCharVector v, int i) {
            int start = v.getStartOffset(i);
            int len = v.getEndOffset(i) - start;
            ArrowBuf data = v.getDataBuffer();
            int hash = RouteCache.hashBytes(data, start, len, len);
            int slot = (hash ^ (hash >>> 16)) & mask;
            byte[] key = keys[slot];
            if (key != null && key.length == len && RouteCache.sameBytes(data, start, key)) {
                return values[slot];
            }
            byte[] bytes = new byte[len];
            data.getBytes(start, bytes, 0, len);
            String s = new String(bytes, StandardCharsets.UTF_8);
            keys[slot] = bytes;
            values[slot] = s;
            return s;
        }
    }
}
