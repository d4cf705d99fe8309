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
    /** Rows kept for a retry while the store fails (about 1 KB each). */
    static final int MAX_PENDING_ROWS = 200_000;

    private final List<MinuteRow> pending = new ArrayList<>();
    private final List<TlsMinuteRow> tlsPending = new ArrayList<>();
    private volatile long rowsWritten;
    private volatile long droppedRows;
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
        write(aggregator.takeCompleted(nowNs, grace.toNanos()), aggregator.snapshot());
        if (tls != null) {
            writeTls(tls.takeCompleted(nowNs, grace.toNanos()), tls.snapshot());
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

    /** Rows dropped because the store failed for longer than {@link #MAX_PENDING_ROWS} rows could wait. */
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
        if (pending.size() > MAX_PENDING_ROWS) {
            int dropped = pending.size() - MAX_PENDING_ROWS;
            pending.subList(0, dropped).clear();
            droppedRows += dropped;
        }
        store.appendAndReplaceLive(pending, live);
        rowsWritten += pending.size();
        pending.clear();
        lastFlushMillis = clock.millis();
    }

    private void writeTls(List<TlsMinuteRow> rows, List<TlsMinuteRow> live) {
        // as write(): kept for the next flush while the store fails, up to the same bound
        tlsPending.addAll(rows);
        if (tlsPending.size() > MAX_PENDING_ROWS) {
            int dropped = tlsPending.size() - MAX_PENDING_ROWS;
            tlsPending.subList(0, dropped).clear();
            droppedRows += dropped;
        }
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
                    + pendingRows() + " rows waiting, at most " + MAX_PENDING_ROWS + " of each kind): " + e);
            }
        }
    }

    private synchronized int pendingRows() {
        return pending.size() + tlsPending.size();
    }
}
