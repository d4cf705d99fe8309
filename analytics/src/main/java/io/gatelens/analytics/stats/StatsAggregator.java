package io.gatelens.analytics.stats;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Accumulates transactions into per-minute, per-endpoint, per-host {@link EndpointMinute}s.
 *
 * <p>Threads: exactly one ingest thread calls {@link #record}; one flusher thread calls
 * {@link #takeCompleted} and {@link #takeAll}. Each minute has its own bucket with its own monitor;
 * the ingest thread holds it only while recording, the flusher takes it once to mark the bucket
 * taken, so the lock is uncontended except for that one moment per minute. A record that finds its
 * bucket already taken (a late record) starts a new bucket for that minute; the store adds the rows
 * up, so a minute may be flushed in several rows.
 *
 * <p>Minutes are wall-clock minutes of {@code tsNs}, nanoseconds since the epoch.
 */
public final class StatsAggregator {
    static final long MINUTE_NS = 60_000_000_000L;

    private final ConcurrentHashMap<Long, MinuteBucket> buckets = new ConcurrentHashMap<>();
    // ingest thread only: the buckets of the last two minutes recorded into, so that records straddling
    // a minute boundary do not go through the map (and box a Long) every time
    private MinuteBucket current;
    private MinuteBucket previous;

    /**
     * Records one transaction. {@code host} may be null; {@code ttfbNs} and {@code latencyNs} are
     * negative when not measured. See {@link EndpointMinute#record} for what counts where.
     */
    public void record(int endpointId, String host, long tsNs, int status, long reqBytes, long respBytes,
                       long ttfbNs, long latencyNs) {
        long minute = Math.floorDiv(tsNs, MINUTE_NS);
        MinuteBucket bucket = recentBucket(minute);
        while (true) {
            synchronized (bucket) {
                if (!bucket.taken) {
                    bucket.statsOf(endpointId, host).record(status, reqBytes, respBytes, ttfbNs, latencyNs);
                    return;
                }
            }
            // taken by the flusher since we looked it up: this is a late record, start the minute afresh
            bucket = bucketOf(minute);
            current = bucket;
        }
    }

    /** Where a run of records into one minute finds its accumulators (see {@link #writeMinute}). */
    public interface MinuteWriter {
        /** The accumulator of this endpoint and host in the minute; the same instance for the same pair. */
        EndpointMinute stats(int endpointId, String host);
    }

    /**
     * Runs {@code writes} once, holding the minute's bucket, so that a run of records costs one lookup
     * and one lock instead of one each (the ingest groups a batch by minute and endpoint). The
     * accumulators handed out must not be used after {@code writes} returns. {@code minute} is
     * {@code floorDiv(tsNs, 60 s)}.
     */
    public void writeMinute(long minute, java.util.function.Consumer<MinuteWriter> writes) {
        MinuteBucket bucket = recentBucket(minute);
        while (true) {
            synchronized (bucket) {
                if (!bucket.taken) {
                    writes.accept(bucket);
                    return;
                }
            }
            bucket = bucketOf(minute);
            current = bucket;
        }
    }

    /** The minute of a timestamp, as {@link #record} and {@link #writeMinute} count it. */
    public static long minuteOf(long tsNs) {
        return Math.floorDiv(tsNs, MINUTE_NS);
    }

    /** The minute's bucket, from the last two used when it is one of them (no map lookup, no boxed Long). */
    private MinuteBucket recentBucket(long minute) {
        MinuteBucket bucket = current;
        if (bucket == null || bucket.minute != minute) {
            bucket = previous;
            if (bucket == null || bucket.minute != minute) {
                bucket = bucketOf(minute);
            }
            previous = current;
            current = bucket;
        }
        return bucket;
    }

    private MinuteBucket bucketOf(long minute) {
        return buckets.computeIfAbsent(minute, MinuteBucket::new);
    }

    /**
     * Removes and returns the rows of every minute that ended more than {@code graceNs} before
     * {@code nowNs}, ordered by minute, endpoint id.
     */
    public List<MinuteRow> takeCompleted(long nowNs, long graceNs) {
        if (graceNs < 0) {
            throw new IllegalArgumentException("graceNs must be >= 0, got " + graceNs);
        }
        List<MinuteRow> rows = new ArrayList<>();
        for (Map.Entry<Long, MinuteBucket> e : buckets.entrySet()) {
            long minuteEndNs = (e.getKey() + 1) * MINUTE_NS;
            if (nowNs - minuteEndNs > graceNs) {
                take(e.getValue(), rows);
            }
        }
        rows.sort(ROW_ORDER);
        return rows;
    }

    /**
     * Copies of the rows of every minute still held (not removed): what a flush writes as the open
     * minutes, so a crash loses at most one flush interval of them.
     */
    public List<MinuteRow> snapshot() {
        List<MinuteRow> rows = new ArrayList<>();
        for (MinuteBucket bucket : buckets.values()) {
            List<MinuteRow> own = new ArrayList<>();
            synchronized (bucket) {
                if (bucket.taken) {
                    continue;
                }
                bucket.addRowsTo(own);
                for (MinuteRow row : own) {
                    EndpointMinute copy = new EndpointMinute();
                    copy.merge(row.stats());
                    rows.add(new MinuteRow(row.minuteEpochSecond(), row.endpointId(), row.host(), copy));
                }
            }
        }
        rows.sort(ROW_ORDER);
        return rows;
    }

    /** Removes and returns the rows of every minute, complete or not (shutdown). */
    public List<MinuteRow> takeAll() {
        List<MinuteRow> rows = new ArrayList<>();
        for (MinuteBucket bucket : buckets.values()) {
            take(bucket, rows);
        }
        rows.sort(ROW_ORDER);
        return rows;
    }

    private void take(MinuteBucket bucket, List<MinuteRow> into) {
        if (!buckets.remove(bucket.minute, bucket)) {
            return;
        }
        synchronized (bucket) {
            bucket.taken = true;
        }
        // no writer can touch the bucket any more: the ingest thread checks `taken` under the monitor
        bucket.addRowsTo(into);
    }

    private static final Comparator<MinuteRow> ROW_ORDER =
        Comparator.comparingLong(MinuteRow::minuteEpochSecond).thenComparingInt(MinuteRow::endpointId);

    /** One minute's accumulators: an open-addressing table from endpoint id to that endpoint's hosts. */
    private static final class MinuteBucket implements MinuteWriter {
        final long minute;
        boolean taken;
        private int[] ids = new int[64];
        private EndpointHosts[] hosts = new EndpointHosts[64];
        private int size;

        MinuteBucket(long minute) {
            this.minute = minute;
        }

        @Override
        public EndpointMinute stats(int endpointId, String host) {
            return statsOf(endpointId, host);
        }

        EndpointMinute statsOf(int endpointId, String host) {
            int mask = ids.length - 1;
            int slot = mix(endpointId) & mask;
            while (true) {
                EndpointHosts h = hosts[slot];
                if (h == null) {
                    h = new EndpointHosts();
                    ids[slot] = endpointId;
                    hosts[slot] = h;
                    if (++size * 2 > ids.length) {
                        grow();
                    }
                    return h.statsOf(host);
                }
                if (ids[slot] == endpointId) {
                    return h.statsOf(host);
                }
                slot = (slot + 1) & mask;
            }
        }

        private void grow() {
            int[] oldIds = ids;
            EndpointHosts[] oldHosts = hosts;
            ids = new int[oldIds.length * 2];
            hosts = new EndpointHosts[oldIds.length * 2];
            int mask = ids.length - 1;
            for (int i = 0; i < oldIds.length; i++) {
                if (oldHosts[i] != null) {
                    int slot = mix(oldIds[i]) & mask;
                    while (hosts[slot] != null) {
                        slot = (slot + 1) & mask;
                    }
                    ids[slot] = oldIds[i];
                    hosts[slot] = oldHosts[i];
                }
            }
        }

        private static int mix(int id) {
            int h = id * 0x9E3779B9;
            return h ^ (h >>> 16);
        }

        void addRowsTo(List<MinuteRow> into) {
            long minuteEpochSecond = minute * 60;
            for (int i = 0; i < ids.length; i++) {
                EndpointHosts h = hosts[i];
                if (h != null) {
                    h.addRowsTo(minuteEpochSecond, ids[i], into);
                }
            }
        }
    }

    /**
     * The hosts of one endpoint within a minute: usually one, so a short array scanned linearly; past
     * {@value #LINEAR_HOSTS} hosts (many Host values for one endpoint) a hash map takes over.
     */
    private static final class EndpointHosts {
        static final int LINEAR_HOSTS = 8;
        String[] hosts = new String[2];
        EndpointMinute[] stats = new EndpointMinute[2];
        int size;
        HashMap<String, EndpointMinute> many;

        EndpointMinute statsOf(String host) {
            // callers pass the same String instances again and again: try identity before equals
            for (int i = 0; i < size; i++) {
                if (hosts[i] == host) {
                    return stats[i];
                }
            }
            if (many != null) {
                return many.computeIfAbsent(host, h -> new EndpointMinute());
            }
            for (int i = 0; i < size; i++) {
                if (Objects.equals(hosts[i], host)) {
                    return stats[i];
                }
            }
            EndpointMinute s = new EndpointMinute();
            if (size == LINEAR_HOSTS) {
                many = new HashMap<>();
                for (int i = 0; i < size; i++) {
                    many.put(hosts[i], stats[i]);
                }
                many.put(host, s);
                return s;
            }
            if (size == hosts.length) {
                hosts = Arrays.copyOf(hosts, size * 2);
                stats = Arrays.copyOf(stats, size * 2);
            }
            hosts[size] = host;
            stats[size] = s;
            size++;
            return s;
        }

        void addRowsTo(long minuteEpochSecond, int endpointId, List<MinuteRow> into) {
            if (many != null) {
                many.forEach((host, s) -> into.add(new MinuteRow(minuteEpochSecond, endpointId, host, s)));
                return;
            }
            for (int k = 0; k < size; k++) {
                into.add(new MinuteRow(minuteEpochSecond, endpointId, hosts[k], stats[k]));
            }
        }
    }
}
