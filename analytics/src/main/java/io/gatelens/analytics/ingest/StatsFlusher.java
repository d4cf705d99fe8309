package io.gatelens.analytics.ingest;

import io.gatelens.analytics.stats.MinuteRow;
import io.gatelens.analytics.stats.StatsAggregator;
import io.gatelens.analytics.store.StatsStore;
import io.gatelens.analytics.tls.TlsAggregator;
import io.gatelens.analytics.tls.TlsMinuteRow;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Moves finished minutes from the {@link StatsAggregator} into the store every flush interval, with a
 * copy of the minutes still open (the store's live rows, replaced each time), and
 * once a minute rolls finished hours up and applies retention. A minute is written once it ended
 * more than the grace ago, and the open minutes are rewritten at every flush, so a {@code kill -9} loses
 * at most one flush interval; a clean stop writes the minute in progress as ordinary rows. The TLS
 * handshake minutes of a {@link TlsAggregator}, when given, go the same way in a transaction of their own.
 */
public final class StatsFlusher implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("gatelens.store");

    private final StatsAggregator aggregator;
    private final TlsAggregator tls;
    private final StatsStore store;
    private final Clock clock;
    private final Duration grace;
    private final ScheduledExecutorService timer;
    /**
     * Heap the rows kept for a retry may take while the store fails (a full disk), HTTP and TLS
     * each; past it they are merged into hours ({@link #mergeIntoHours}), and only what still does
     * not fit is dropped, oldest first, and counted. By bytes, not rows: a row of a quiet
     * endpoint holds ~0.9 KB, one of an endpoint with a thousand calls a minute ~7.5 KB (its
     * histograms' bins), so 200,000 rows could have been 180 MB or 1.5 GB of a 512 MB heap. 64 MiB is
     * ~70,000 quiet rows, ~8,500 busy ones.
     */
    static final long MAX_PENDING_BYTES = 64L << 20;
    static final long MAX_TLS_PENDING_BYTES = 16L << 20;

    private final List<MinuteRow> pending = new ArrayList<>();
    private final List<TlsMinuteRow> tlsPending = new ArrayList<>();
    private volatile long rowsWritten;
    private volatile long droppedRows;
    private volatile long mergedRows;
    private volatile long mergedTlsRows;
    /** MAX_PENDING_BYTES, MAX_TLS_PENDING_BYTES; smaller in tests. */
    private final long pendingBudget;
    private final long tlsPendingBudget;
    private volatile long lastFlushMillis;
    private volatile String lastError;
    /** Flushes in a row that failed (the timer's thread only). */
    private int failedFlushes;
    private long lastMaintenanceMillis;

    public StatsFlusher(StatsAggregator aggregator, StatsStore store, Clock clock, Duration grace) {
        this(aggregator, null, store, clock, grace);
    }

    /** @param tls the TLS handshake minutes to write as well; null for none */
    public StatsFlusher(StatsAggregator aggregator, TlsAggregator tls, StatsStore store, Clock clock, Duration grace) {
        this(aggregator, tls, store, clock, grace, MAX_PENDING_BYTES, MAX_TLS_PENDING_BYTES);
    }

    StatsFlusher(StatsAggregator aggregator, TlsAggregator tls, StatsStore store, Clock clock, Duration grace,
                 long pendingBudget, long tlsPendingBudget) {
        this.pendingBudget = pendingBudget;
        this.tlsPendingBudget = tlsPendingBudget;
        this.aggregator = aggregator;
        this.tls = tls;
        this.store = store;
        this.clock = clock;
        this.grace = grace;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "gatelens-stats-flush");
            t.setDaemon(true);
            return t;
        });
    }

    public void start(Duration interval) {
        long ms = Math.max(100, interval.toMillis());
        timer.scheduleWithFixedDelay(this::flushSafely, ms, ms, TimeUnit.MILLISECONDS);
    }

    /** Writes every minute that ended more than the grace ago; then, at most once a minute, rollup and retention. */
    public synchronized void flush() {
        Instant now = clock.instant();
        long nowNs = now.getEpochSecond() * 1_000_000_000L + now.getNano();
        RuntimeException failed = null;
        try {
            write(aggregator.takeCompleted(nowNs, grace.toNanos()), aggregator.snapshot());
        } catch (RuntimeException e) {
            failed = e;
        }
        if (tls != null) {
            // taken even when the HTTP rows failed: waiting here they are bounded, in the aggregator not
            try {
                writeTls(tls.takeCompleted(nowNs, grace.toNanos()), tls.snapshot());
            } catch (RuntimeException e) {
                if (failed == null) {
                    failed = e;
                } else {
                    failed.addSuppressed(e);
                }
            }
        }
        if (failed != null) {
            throw failed;
        }
        if (now.toEpochMilli() - lastMaintenanceMillis >= 60_000) {
            store.rollup(now);
            store.applyRetention(now);
            lastMaintenanceMillis = now.toEpochMilli();
        }
    }

    /** Writes everything, the minute in progress included (clean stop, tests). */
    public synchronized void flushAll() {
        write(aggregator.takeAll(), List.of());
        if (tls != null) {
            writeTls(tls.takeAll(), List.of());
        }
    }

    public long rowsWritten() {
        return rowsWritten;
    }

    /** Rows dropped because the store failed for longer than {@link #MAX_PENDING_BYTES} of rows could wait. */
    public long droppedRows() {
        return droppedRows;
    }

    public long lastFlushMillis() {
        return lastFlushMillis;
    }

    /** The last flush error, null when the last flush worked. */
    public String lastError() {
        return lastError;
    }

    /** Stops the timer, then writes the minute in progress. */
    @Override
    public void close() {
        timer.shutdown();
        try {
            timer.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        flushAll();
    }

    private void write(List<MinuteRow> rows, List<MinuteRow> live) {
        // rows a failed append could not write are retried with the next flush, up to a bound
        pending.addAll(rows);
        if (sum(pending, MinuteRow::heapBytes) > pendingBudget) {
            mergeIntoHours(pending);
        }
        droppedRows += dropOldest(pending, MinuteRow::heapBytes, pendingBudget);
        store.appendAndReplaceLive(pending, live);
        rowsWritten += pending.size();
        pending.clear();
        lastFlushMillis = clock.millis();
    }

    private void writeTls(List<TlsMinuteRow> rows, List<TlsMinuteRow> live) {
        // as write(): kept for the next flush while the store fails, up to the same bound
        tlsPending.addAll(rows);
        if (sum(tlsPending, TlsMinuteRow::heapBytes) > tlsPendingBudget) {
            mergeTlsIntoHours(tlsPending);
        }
        droppedRows += dropOldest(tlsPending, TlsMinuteRow::heapBytes, tlsPendingBudget);
        store.appendTlsAndReplaceLive(tlsPending, live);
        rowsWritten += tlsPending.size();
        tlsPending.clear();
    }

    private void flushSafely() {
        try {
            flush();
            if (failedFlushes > 0) {
                LOG.log(System.Logger.Level.INFO, "writing statistics works again after " + failedFlushes
                    + " failed flushes; the rows they kept are written");
            }
            failedFlushes = 0;
            lastError = null;
        } catch (RuntimeException | Error e) {
            // the rows stay pending for the next flush; say so loudly, keep the timer alive. An Error
            // too: a scheduled task that throws is never run again, and an OutOfMemoryError that
            // another thread caused (a moment of heap pressure) would stop every later flush
            lastError = e.toString();
            failedFlushes++;
            if (failedFlushes == 1) {
                LOG.log(System.Logger.Level.ERROR, "writing statistics failed; the rows are kept for the next flush", e);
            } else if (failedFlushes % 12 == 0) {
                // a full disk fails every flush: one line a minute, not a stack trace every 5 s
                LOG.log(System.Logger.Level.ERROR, "writing statistics still fails (" + failedFlushes + " flushes in a row, "
                    + pendingRows() + " rows waiting in " + (pendingBytes() >> 20) + " MiB, at most "
                    + ((MAX_PENDING_BYTES + MAX_TLS_PENDING_BYTES) >> 20) + " MiB): " + e);
            }
        }
    }

    synchronized int pendingRows() {
        return pending.size() + tlsPending.size();
    }

    /** Estimated heap of the rows waiting for a retry. */
    synchronized long pendingBytes() {
        return sum(pending, MinuteRow::heapBytes) + sum(tlsPending, TlsMinuteRow::heapBytes);
    }

    /**
     * Over budget, the waiting rows become one row per endpoint, host and hour, at the hour's first
     * minute (rows add up in the store): the hour's calls, status codes, bytes and percentiles stay
     * exact, only its shape minute by minute is lost. A busy endpoint's hour then takes about what
     * one of its minutes took, so an outage of hours waits in the budget where minutes did.
     */
    private void mergeIntoHours(List<MinuteRow> rows) {
        java.util.Map<java.util.List<Object>, MinuteRow> byHour = new java.util.LinkedHashMap<>();
        for (MinuteRow r : rows) {
            long hour = Math.floorDiv(r.minuteEpochSecond(), 3600L) * 3600L;
            // the first row of a key carries the merge: the waiting rows are the flusher's own
            MinuteRow into = byHour.putIfAbsent(java.util.Arrays.asList(r.endpointId(), r.host(), hour),
                new MinuteRow(hour, r.endpointId(), r.host(), r.stats()));
            if (into != null) {
                into.stats().merge(r.stats());
            }
        }
        mergedRows += rows.size() - byHour.size();
        rows.clear();
        rows.addAll(byHour.values()); // oldest hour first still: the rows came in time order
    }

    private void mergeTlsIntoHours(List<TlsMinuteRow> rows) {
        java.util.Map<java.util.List<Object>, TlsMinuteRow> byHour = new java.util.LinkedHashMap<>();
        for (TlsMinuteRow r : rows) {
            long hour = Math.floorDiv(r.minuteEpochSecond(), 3600L) * 3600L;
            TlsMinuteRow into = byHour.get(java.util.Arrays.asList(r.front(), hour));
            if (into == null) {
                // a counting accumulator: its mixes stay bounded however many minutes merge into it
                into = new TlsMinuteRow(hour, r.front(), io.gatelens.analytics.tls.TlsCounts.counting());
                byHour.put(java.util.Arrays.asList(r.front(), hour), into);
            }
            into.counts().merge(r.counts());
        }
        mergedTlsRows += rows.size() - byHour.size();
        rows.clear();
        rows.addAll(byHour.values());
    }

    /** Waiting rows merged into hour rows while the store failed (HTTP; TLS: {@link #mergedTlsRows}). */
    public long mergedRows() {
        return mergedRows;
    }

    public long mergedTlsRows() {
        return mergedTlsRows;
    }

    /**
     * Drops the oldest rows until the rest take at most max bytes; returns how many. Summed afresh
     * each time: a row's estimate moves when a failed write read its histograms (pending values
     * are counted into the bins then).
     */
    private static <R> int dropOldest(List<R> rows, java.util.function.ToLongFunction<R> bytes, long max) {
        long total = sum(rows, bytes);
        int dropped = 0;
        while (total > max && dropped < rows.size()) {
            total -= bytes.applyAsLong(rows.get(dropped++));
        }
        rows.subList(0, dropped).clear();
        return dropped;
    }

    private static <R> long sum(List<R> rows, java.util.function.ToLongFunction<R> bytes) {
        long total = 0;
        for (R r : rows) {
            total += bytes.applyAsLong(r);
        }
        return total;
    }
}
