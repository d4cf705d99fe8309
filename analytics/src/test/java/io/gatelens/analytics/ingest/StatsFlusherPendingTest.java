package io.gatelens.analytics.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatelens.analytics.stats.MinuteRow;
import io.gatelens.analytics.stats.StatsAggregator;
import io.gatelens.analytics.store.StatsStore;
import io.gatelens.analytics.store.StoreSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the flusher keeps while the store fails is bounded by heap, not by rows, and the estimate is the heap's. */
class StatsFlusherPendingTest {
    private static final Instant T0 = Instant.parse("2026-04-01T00:00:00Z");

    @TempDir
    Path dir;

    /** Records minutes of calls with log-normal latencies (median 20 ms) for endpoints 1..endpoints. */
    private static void recordMinute(StatsAggregator agg, SplittableRandom rnd, int minute, int endpoints, int calls) {
        long minuteNs = (T0.getEpochSecond() + minute * 60L) * 1_000_000_000L;
        for (int e = 1; e <= endpoints; e++) {
            for (int k = 0; k < calls; k++) {
                long latency = (long) Math.exp(Math.log(20e6) + 0.8 * rnd.nextGaussian());
                agg.record(e, "", minuteNs + k, k % 10 == 0 ? 404 : 200, 300, 2_000, latency / 2, latency);
            }
        }
    }

    @Test
    void theRowsEstimateIsWithinAFactorOfTheirMeasuredHeap() throws Exception {
        for (int calls : new int[] {1, 1_000}) {
            SplittableRandom rnd = new SplittableRandom(calls);
            Runtime rt = Runtime.getRuntime();
            List<List<MinuteRow>> kept = new ArrayList<>();
            long before = usedAfterGc(rt);
            long estimate = 0;
            for (int minute = 0; minute < 10; minute++) {
                StatsAggregator agg = new StatsAggregator();
                recordMinute(agg, rnd, minute, 400, calls);
                List<MinuteRow> rows = agg.takeAll();
                for (MinuteRow r : rows) {
                    r.stats().latencyBins(); // the bins as a write reads them: pending values counted in
                    r.stats().ttfbBins();
                    estimate += r.heapBytes();
                }
                kept.add(rows);
            }
            long measured = usedAfterGc(rt) - before;
            assertEquals(4_000, kept.stream().mapToInt(List::size).sum());
            double ratio = (double) estimate / measured;
            assertTrue(ratio > 0.6 && ratio < 1.6, calls + " calls an endpoint-minute: estimated " + estimate
                + " bytes, measured " + measured);
        }
    }

    private static long usedAfterGc(Runtime rt) throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
        }
        return rt.totalMemory() - rt.freeMemory();
    }

    @Test
    void whileTheStoreFailsMinutesAreMergedIntoHoursAndOnlyWhatStillDoesNotFitIsDropped() {
        // busy endpoints, ~7 KB a row: 200 of them pass 8 MiB in six minutes; merged, an hour of them fits
        Pending merged = waitThroughFailures(8L << 20);
        assertEquals(0, merged.dropped(), "merged into hours, nothing had to go");
        assertTrue(merged.merged() > 0);
        assertTrue(merged.rows() < 18_000 / 10, merged.rows() + " rows wait of 18,000 minutes: an hour row per endpoint, and the minutes since the last merge");
        // a budget that even the hours do not fit: the oldest go, and every row is accounted for
        Pending dropped = waitThroughFailures(1L << 20);
        assertTrue(dropped.dropped() > 0, "nothing dropped: the budget was never reached");
        assertTrue(dropped.bytes() <= 1L << 20);
    }

    record Pending(long rows, long merged, long dropped, long bytes) {
    }

    /** 90 minutes of 200 busy endpoints against a store that fails every write. */
    private Pending waitThroughFailures(long budget) {
        SettableClock clock = new SettableClock(T0);
        StatsAggregator agg = new StatsAggregator();
        StatsStore store = StatsStore.open(dir.resolve("p" + budget + ".duckdb"), StoreSettings.DEFAULTS);
        store.close(); // every write now fails, as on a disk that stays full
        StatsFlusher flusher = new StatsFlusher(agg, null, store, clock, Duration.ofSeconds(10), budget, budget);
        SplittableRandom rnd = new SplittableRandom(3);
        long rows = 0;
        for (int minute = 0; minute < 90; minute++) {
            recordMinute(agg, rnd, minute, 200, 1_000);
            rows += 200;
            clock.set(T0.plusSeconds(minute * 60L + 75));
            assertThrows(IllegalStateException.class, flusher::flush);
            assertTrue(flusher.pendingBytes() <= budget, "minute " + minute + ": " + flusher.pendingBytes() + " bytes pending");
        }
        assertEquals(rows, flusher.pendingRows() + flusher.mergedRows() + flusher.droppedRows(),
            "every row waits, was merged into another, or is counted as dropped");
        return new Pending(flusher.pendingRows(), flusher.mergedRows(), flusher.droppedRows(), flusher.pendingBytes());
    }
}
