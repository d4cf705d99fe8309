package io.gatelens.analytics.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class StatsAggregatorTest {
    static final long MINUTE = StatsAggregator.MINUTE_NS;
    static final long T0 = 1_767_225_600L * 1_000_000_000L; // 2026-01-01T00:00:00Z

    @Test
    void aMinuteIsTakenOnlyOnceItEndedMoreThanGraceAgo() {
        StatsAggregator agg = new StatsAggregator();
        agg.record(7, "a.example", T0 + 5, 200, 1, 2, 3, 4);
        agg.record(7, "a.example", T0 + MINUTE - 1, 200, 1, 2, 3, 4);
        agg.record(7, "a.example", T0 + MINUTE, 200, 1, 2, 3, 4); // the next minute
        long grace = 10_000_000_000L;
        long firstEnd = T0 + MINUTE;
        assertTrue(agg.takeCompleted(firstEnd + grace, grace).isEmpty(), "ended exactly grace ago: not yet");
        List<MinuteRow> rows = agg.takeCompleted(firstEnd + grace + 1, grace);
        assertEquals(1, rows.size());
        assertEquals(T0 / 1_000_000_000L, rows.get(0).minuteEpochSecond());
        assertEquals(2, rows.get(0).stats().calls());
        assertTrue(agg.takeCompleted(firstEnd + grace + 1, grace).isEmpty(), "taken rows are gone");
        List<MinuteRow> rest = agg.takeAll();
        assertEquals(1, rest.size());
        assertEquals(T0 / 1_000_000_000L + 60, rest.get(0).minuteEpochSecond());
        assertTrue(agg.takeAll().isEmpty());
    }

    @Test
    void aLateRecordStartsANewRowForItsMinute() {
        StatsAggregator agg = new StatsAggregator();
        agg.record(1, "h", T0 + 1, 200, 0, 0, -1, 10);
        assertEquals(1, agg.takeCompleted(T0 + 2 * MINUTE, 0).size());
        agg.record(1, "h", T0 + 2, 500, 0, 0, -1, 10); // late: its minute was already taken
        List<MinuteRow> late = agg.takeCompleted(T0 + 2 * MINUTE, 0);
        assertEquals(1, late.size());
        assertEquals(T0 / 1_000_000_000L, late.get(0).minuteEpochSecond());
        assertEquals(1, late.get(0).stats().s5xx());
        assertEquals(1, late.get(0).stats().calls());
    }

    @Test
    void rowsAreKeptApartByMinuteEndpointAndHostAndOrdered() {
        StatsAggregator agg = new StatsAggregator();
        String host = "api.example.com";
        agg.record(3, host, T0 + MINUTE, 200, 0, 0, -1, 1);
        agg.record(2, host, T0, 200, 0, 0, -1, 1);
        agg.record(2, new String(host), T0, 200, 0, 0, -1, 1); // equal, not identical: same row
        agg.record(2, null, T0, 200, 0, 0, -1, 1);
        agg.record(1, host, T0, 200, 0, 0, -1, 1);
        List<MinuteRow> rows = agg.takeAll();
        assertEquals(4, rows.size());
        assertEquals(List.of(1, 2, 2, 3), rows.stream().map(MinuteRow::endpointId).toList());
        MinuteRow withHost = rows.stream().filter(r -> r.endpointId() == 2 && host.equals(r.host())).findFirst().orElseThrow();
        assertEquals(2, withHost.stats().calls());
        MinuteRow withoutHost = rows.stream().filter(r -> r.endpointId() == 2 && r.host() == null).findFirst().orElseThrow();
        assertNull(withoutHost.host());
        assertEquals(1, withoutHost.stats().calls());
    }

    @Test
    void manyHostsForOneEndpointStayApart() {
        StatsAggregator agg = new StatsAggregator();
        for (int round = 0; round < 3; round++) {
            for (int h = 0; h < 40; h++) {
                agg.record(9, "host-" + h, T0, 200, 0, 0, -1, 1);
            }
            agg.record(9, null, T0, 200, 0, 0, -1, 1);
        }
        List<MinuteRow> rows = agg.takeAll();
        assertEquals(41, rows.size());
        for (MinuteRow r : rows) {
            assertEquals(3, r.stats().calls(), String.valueOf(r.host()));
        }
    }

    @Test
    void manyEndpointsInOneMinute() {
        StatsAggregator agg = new StatsAggregator();
        for (int id = 0; id < 5_000; id++) {
            agg.record(id * 7919, "h", T0, 200, 0, 0, -1, 1);
            agg.record(id * 7919, "h", T0 + 1, 404, 0, 0, -1, 1);
        }
        List<MinuteRow> rows = agg.takeAll();
        assertEquals(5_000, rows.size());
        for (MinuteRow r : rows) {
            assertEquals(2, r.stats().calls());
        }
    }

    @Test
    void negativeGraceIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> new StatsAggregator().takeCompleted(0, -1));
    }

    /**
     * One ingest thread feeds records across many minutes, some of them late; one flusher takes
     * completed minutes meanwhile with no grace, so it races the ingest thread on every minute.
     * Every call must come out exactly once.
     */
    @Test
    void concurrentIngestAndFlushLoseNothing() throws Exception {
        StatsAggregator agg = new StatsAggregator();
        int records = 1_500_000;
        String[] hosts = {"a.example", "b.example", null};
        AtomicLong clock = new AtomicLong(T0);
        AtomicBoolean ingestDone = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Map<String, Long> expected = new HashMap<>();
        Map<String, Long> flushed = new HashMap<>();
        List<MinuteRow> taken = new ArrayList<>();

        Thread ingest = new Thread(() -> {
            try {
                SplittableRandom r = new SplittableRandom(17);
                for (int i = 0; i < records; i++) {
                    long ts = T0 + i * 20_000L; // ~3,000 records per minute, ~500 minutes
                    clock.set(ts);
                    if (r.nextInt(50) == 0) {
                        ts -= r.nextLong(3 * MINUTE); // late, by up to 3 minutes
                    }
                    int endpoint = r.nextInt(20);
                    String host = hosts[r.nextInt(hosts.length)];
                    agg.record(endpoint, host, ts, 200, 1, 1, 10, 100);
                    expected.merge(key(Math.floorDiv(ts, MINUTE) * 60, endpoint, host), 1L, Long::sum);
                }
            } catch (Throwable t) {
                failure.set(t);
            } finally {
                ingestDone.set(true);
            }
        }, "ingest");
        Thread flusher = new Thread(() -> {
            try {
                while (!ingestDone.get()) {
                    taken.addAll(agg.takeCompleted(clock.get(), 0));
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "flusher");
        ingest.start();
        flusher.start();
        ingest.join(TimeUnit.SECONDS.toMillis(60));
        flusher.join(TimeUnit.SECONDS.toMillis(60));
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
        int takenBeforeShutdown = taken.size();
        taken.addAll(agg.takeAll());
        long total = 0;
        for (MinuteRow row : taken) {
            total += row.stats().calls();
            flushed.merge(key(row.minuteEpochSecond(), row.endpointId(), row.host()), row.stats().calls(), Long::sum);
        }
        assertEquals(records, total);
        assertEquals(expected, flushed);
        assertTrue(takenBeforeShutdown > 0, "the flusher took rows while ingest ran");
    }

    private static String key(long minuteEpochSecond, int endpoint, String host) {
        return minuteEpochSecond + "/" + endpoint + "/" + host;
    }
}
