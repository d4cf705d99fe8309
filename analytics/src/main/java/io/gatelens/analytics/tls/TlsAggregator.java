package io.gatelens.analytics.tls;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Accumulates handshakes into per-minute, per-front {@link TlsCounts}. Fronts come off the wire (any
 * SNI a client makes up), so each minute holds at most {@code maxFrontsPerMinute} of them; the
 * handshakes of any further front that minute count under {@link TlsFront#OTHER}, as
 * {@link io.gatelens.analytics.catalog.ShadowEndpoints} folds hosts past its bound.
 *
 * <p>Threads, as {@link io.gatelens.analytics.stats.StatsAggregator}: one ingest thread calls
 * {@link #record}; one flusher thread takes minutes. Each minute is a bucket with its own monitor;
 * a handshake that finds its bucket already taken (late) starts the minute afresh, and the store adds
 * the rows up. Minutes are wall-clock minutes of {@code tsNs}.
 */
public final class TlsAggregator {
    public static final int DEFAULT_MAX_FRONTS_PER_MINUTE = 256;
    private static final long MINUTE_NS = 60_000_000_000L;

    private final int maxFrontsPerMinute;
    private final ConcurrentHashMap<Long, Bucket> buckets = new ConcurrentHashMap<>();

    public TlsAggregator() {
        this(DEFAULT_MAX_FRONTS_PER_MINUTE);
    }

    public TlsAggregator(int maxFrontsPerMinute) {
        if (maxFrontsPerMinute < 1) {
            throw new IllegalArgumentException("maxFrontsPerMinute must be >= 1, got " + maxFrontsPerMinute);
        }
        this.maxFrontsPerMinute = maxFrontsPerMinute;
    }

    /** Counts one handshake under its front ({@link TlsFront#of}), or {@link TlsFront#OTHER} past the bound. */
    public void record(TlsHandshakeFacts f) {
        long minute = Math.floorDiv(f.tsNs(), MINUTE_NS);
        TlsFront front = TlsFront.of(f);
        while (true) {
            Bucket bucket = buckets.computeIfAbsent(minute, Bucket::new);
            synchronized (bucket) {
                if (!bucket.taken) {
                    bucket.countsOf(front, maxFrontsPerMinute).record(f);
                    return;
                }
            }
            // taken by the flusher between the lookup and the lock: the map no longer holds it, retry
        }
    }

    /** Removes and returns the rows of every minute that ended more than graceNs before nowNs, trimmed, by minute and front. */
    public List<TlsMinuteRow> takeCompleted(long nowNs, long graceNs) {
        if (graceNs < 0) {
            throw new IllegalArgumentException("graceNs must be >= 0, got " + graceNs);
        }
        List<TlsMinuteRow> rows = new ArrayList<>();
        for (Map.Entry<Long, Bucket> e : buckets.entrySet()) {
            if (nowNs - (e.getKey() + 1) * MINUTE_NS > graceNs) {
                take(e.getValue(), rows);
            }
        }
        rows.sort(ORDER);
        return rows;
    }

    /** Trimmed copies of the rows of every minute still held: what a flush writes as the open minutes. */
    public List<TlsMinuteRow> snapshot() {
        List<TlsMinuteRow> rows = new ArrayList<>();
        for (Bucket bucket : buckets.values()) {
            synchronized (bucket) {
                if (bucket.taken) {
                    continue;
                }
                for (Map.Entry<TlsFront, TlsCounts> e : bucket.fronts.entrySet()) {
                    TlsCounts copy = e.getValue().copy();
                    copy.trim();
                    rows.add(new TlsMinuteRow(bucket.minute * 60, e.getKey(), copy));
                }
            }
        }
        rows.sort(ORDER);
        return rows;
    }

    /** Removes and returns the rows of every minute, complete or not (shutdown). */
    public List<TlsMinuteRow> takeAll() {
        List<TlsMinuteRow> rows = new ArrayList<>();
        for (Bucket bucket : buckets.values()) {
            take(bucket, rows);
        }
        rows.sort(ORDER);
        return rows;
    }

    private void take(Bucket bucket, List<TlsMinuteRow> into) {
        if (!buckets.remove(bucket.minute, bucket)) {
            return;
        }
        synchronized (bucket) {
            bucket.taken = true;
        }
        for (Map.Entry<TlsFront, TlsCounts> e : bucket.fronts.entrySet()) {
            e.getValue().trim();
            into.add(new TlsMinuteRow(bucket.minute * 60, e.getKey(), e.getValue()));
        }
    }

    private static final Comparator<TlsMinuteRow> ORDER = Comparator.comparingLong(TlsMinuteRow::minuteEpochSecond)
        .thenComparing(r -> r.front().kind())
        .thenComparing(r -> r.front().name());

    private static final class Bucket {
        final long minute;
        final HashMap<TlsFront, TlsCounts> fronts = new HashMap<>();
        boolean taken;

        Bucket(long minute) {
            this.minute = minute;
        }

        TlsCounts countsOf(TlsFront front, int max) {
            TlsCounts c = fronts.get(front);
            if (c != null) {
                return c;
            }
            // the OTHER front is beyond the bound, as ShadowEndpoints' {other-hosts}
            boolean full = fronts.size() - (fronts.containsKey(TlsFront.OTHER) ? 1 : 0) >= max;
            return fronts.computeIfAbsent(full ? TlsFront.OTHER : front, k -> TlsCounts.counting());
        }
    }
}
