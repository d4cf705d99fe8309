package io.gatelens.analytics.stats;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
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
    public static final long MINUTE_NS = 60_000_000_000L;

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

    /**
     * One minute's accumulators: an open-addressing table from (endpoint id, host) to the
     * {@link EndpointMinute}, which carries its host: two parallel arrays and the accumulator itself
     * are all a lookup touches (with thousands of endpoints, each further object on the way is a cache
     * miss per run of records).
     */
    private static final class MinuteBucket implements MinuteWriter {
        final long minute;
        boolean taken;
        private int[] ids = new int[64];
        private EndpointMinute[] stats = new EndpointMinute[64];
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
                EndpointMinute s = stats[slot];
                if (s == null) {
                    s = new EndpointMinute();
                    s.host = host;
                    ids[slot] = endpointId;
                    stats[slot] = s;
                    if (++size * 2 > ids.length) {
                        grow();
                    }
                    return s;
                }
                // callers pass the same String instances again and again: identity before equals
                if (ids[slot] == endpointId && (s.host == host || (s.host != null && s.host.equals(host)))) {
                    return s;
                }
                slot = (slot + 1) & mask;
            }
        }

        private void grow() {
            int[] oldIds = ids;
            EndpointMinute[] oldStats = stats;
            ids = new int[oldIds.length * 2];
            stats = new EndpointMinute[oldIds.length * 2];
            int mask = ids.length - 1;
            for (int i = 0; i < oldIds.length; i++) {
                if (oldStats[i] != null) {
                    int slot = mix(oldIds[i]) & mask;
                    while (stats[slot] != null) {
                        slot = (slot + 1) & mask;
                    }
                    ids[slot] = oldIds[i];
                    stats[slot] = oldStats[i];
                }
            }
        }

        /**
         * The slot of an endpoint: by id alone, the host compared while probing (an endpoint has one
         * host, now and then a few; hashing the host too cost a touch of the String per run).
         */
        private static int mix(int id) {
            int h = id * 0x9E3779B9;
            return h ^ (h >>> 16);
        }

        void addRowsTo(List<MinuteRow> into) {
            long minuteEpochSecond = minute * 60;
            for (int i = 0; i < ids.length; i++) {
                EndpointMinute s = stats[i];
                if (s != null) {
                    into.add(new MinuteRow(minuteEpochSecond, ids[i], s.host, s));
                }
            }
        }
    }
}
