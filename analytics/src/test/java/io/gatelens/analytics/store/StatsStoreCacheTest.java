package io.gatelens.analytics.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatelens.analytics.stats.MinuteRow;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The block cache never serves what the database no longer holds: every query is compared with the
 * {@link Oracle} after a write that changes rows a cached block was made of, the cache filled first.
 */
class StatsStoreCacheTest {
    static final Instant T0 = StatsStoreTest.T0;
    static final String A = StatsStoreTest.A;
    static final String B = StatsStoreTest.B;

    @TempDir
    Path dir;

    private static Instant at(String hhmmss) {
        return Instant.parse("2026-01-01T" + hhmmss + "Z");
    }

    /** Ranges whose whole hours, five-minute spans and loose minutes all come into play. */
    static final List<Instant[]> RANGES = List.of(
        new Instant[] {at("00:00:00"), at("06:00:00")},
        new Instant[] {at("00:00:00"), at("03:00:00")},
        new Instant[] {at("01:00:00"), at("05:00:00")},
        new Instant[] {at("00:17:00"), at("05:43:00")},
        new Instant[] {at("00:32:30"), at("02:03:10")},
        new Instant[] {at("02:05:00"), at("02:50:00")},
        new Instant[] {at("05:40:00"), at("06:00:00")});

    private static void assertMatches(StatsStore store, List<MinuteRow> rows, String when) {
        for (Instant[] range : RANGES) {
            for (String host : new String[] {null, A}) {
                assertEquals(Oracle.figures(rows, range[0], range[1], host), Oracle.asMap(store.endpointFigures(range[0], range[1], host)),
                    when + ": endpointFigures " + range[0] + " .. " + range[1] + " host " + host);
            }
        }
        List<SeriesPoint> series = store.series(2, at("00:00:00"), at("06:00:00"), Duration.ofMinutes(30), null);
        for (int k = 0; k < series.size(); k++) {
            Instant start = at("00:00:00").plus(Duration.ofMinutes(30L * k));
            assertEquals(Oracle.figures(rows, 2, start, start.plus(Duration.ofMinutes(30)), null), series.get(k).figures(),
                when + ": series point " + k);
        }
    }

    @Test
    void lateRowsAfterRollupReplaceCachedHours() {
        List<MinuteRow> rows = new ArrayList<>(Oracle.rows(21, T0, 6 * 60, 3, A, B));
        try (StatsStore store = StatsStore.open(dir.resolve("late.duckdb"), StoreSettings.DEFAULTS)) {
            store.append(rows);
            assertEquals(6, store.rollup(at("06:10:00")));
            assertMatches(store, rows, "after rollup");
            assertMatches(store, rows, "from the cache");
            // into whole hours, the five-minute spans of partial hours and loose minutes alike
            for (String minute : new String[] {"00:30:00", "01:12:00", "02:04:00", "02:47:00", "05:59:00"}) {
                List<MinuteRow> late = Oracle.rows(minute.hashCode(), at(minute), 1, 3, A, null);
                store.append(late);
                rows.addAll(late);
                assertMatches(store, rows, "after late rows at " + minute);
            }
        }
    }

    @Test
    void retentionDropsCachedBlocks() {
        StoreSettings settings = new StoreSettings(Duration.ofHours(2), Duration.ofHours(4), Duration.ofMinutes(5));
        List<MinuteRow> rows = Oracle.rows(22, T0, 6 * 60, 2, A);
        try (StatsStore store = StatsStore.open(dir.resolve("retention.duckdb"), settings)) {
            store.append(rows);
            store.rollup(at("06:10:00"));
            assertMatches(store, rows, "before retention");
            store.applyRetention(at("06:30:00"));
            // hour rows before 02:00 and minute rows before 04:30 are gone
            List<MinuteRow> kept = new ArrayList<>();
            for (MinuteRow row : rows) {
                if (row.minuteEpochSecond() >= at("04:30:00").getEpochSecond()) {
                    kept.add(row);
                }
            }
            assertEquals(java.util.Map.of(), Oracle.asMap(store.endpointFigures(T0, at("02:00:00"), null)), "hours past retention");
            assertEquals(java.util.Map.of(), Oracle.asMap(store.endpointFigures(at("02:05:00"), at("02:50:00"), null)),
                "five-minute spans past minute retention");
            assertEquals(Oracle.figures(rows, at("02:00:00"), at("06:00:00"), null),
                Oracle.asMap(store.endpointFigures(at("02:00:00"), at("06:00:00"), null)), "whole hours kept");
            assertEquals(Oracle.figures(kept, at("04:30:00"), at("05:43:00"), A),
                Oracle.asMap(store.endpointFigures(at("04:30:00"), at("05:43:00"), A)), "minutes kept");
        }
    }

    @Test
    void replacedLiveRowsAreNotServedFromTheCache() {
        List<MinuteRow> done = Oracle.rows(23, T0, 20, 3, A, B);
        try (StatsStore store = StatsStore.open(dir.resolve("live.duckdb"), StoreSettings.DEFAULTS)) {
            Instant from = T0;
            Instant to = at("00:25:00");
            for (int flush = 0; flush < 4; flush++) {
                // the open minutes 00:20-00:24 grow at every flush
                List<MinuteRow> live = Oracle.rows(100 + flush, at("00:20:00"), 5, 3, A, B);
                store.appendAndReplaceLive(flush == 0 ? done : List.of(), live);
                List<MinuteRow> all = new ArrayList<>(done);
                all.addAll(live);
                assertEquals(Oracle.figures(all, from, to, null), Oracle.asMap(store.endpointFigures(from, to, null)), "flush " + flush);
                assertEquals(Oracle.figures(all, at("00:20:00"), to, B), Oracle.asMap(store.endpointFigures(at("00:20:00"), to, B)),
                    "flush " + flush + ", live span alone");
            }
            // the live minutes complete: appended as minute rows, no live rows left
            List<MinuteRow> completed = Oracle.rows(200, at("00:20:00"), 5, 3, A);
            store.appendAndReplaceLive(completed, List.of());
            List<MinuteRow> all = new ArrayList<>(done);
            all.addAll(completed);
            assertEquals(Oracle.figures(all, from, to, null), Oracle.asMap(store.endpointFigures(from, to, null)), "completed");
        }
    }

    @Test
    void reopeningStartsWithAnEmptyCacheAndLiveRowsBecomeMinutes() {
        Path file = dir.resolve("reopen.duckdb");
        List<MinuteRow> rows = new ArrayList<>(Oracle.rows(24, T0, 6 * 60, 3, A, B));
        List<MinuteRow> live = Oracle.rows(25, at("06:00:00"), 2, 3, A);
        try (StatsStore store = StatsStore.open(file, StoreSettings.DEFAULTS)) {
            store.appendAndReplaceLive(rows, live);
            store.rollup(at("06:10:00"));
            rows.addAll(live);
            assertMatches(store, rows, "first process");
        }
        try (StatsStore store = StatsStore.open(file, StoreSettings.DEFAULTS)) {
            assertMatches(store, rows, "reopened");
            List<MinuteRow> late = Oracle.rows(26, at("01:30:00"), 1, 3, B);
            store.append(late);
            rows.addAll(late);
            assertMatches(store, rows, "reopened, late rows");
            assertEquals(Oracle.figures(rows, T0, at("06:02:00"), null), Oracle.asMap(store.endpointFigures(T0, at("06:02:00"), null)),
                "the former live rows count as minute rows");
        }
    }

    @Test
    void aCacheTooSmallForAQueryStillAnswersRightly() {
        List<MinuteRow> rows = Oracle.rows(27, T0, 6 * 60, 4, A, B, null);
        for (long budget : new long[] {0, 20_000, 200_000}) {
            StoreSettings settings = new StoreSettings(Duration.ofDays(7), Duration.ofDays(90), Duration.ofMinutes(5), budget);
            try (StatsStore store = StatsStore.open(dir.resolve("small-" + budget + ".duckdb"), settings)) {
                store.append(rows);
                store.rollup(at("06:10:00"));
                assertMatches(store, rows, "budget " + budget);
                assertMatches(store, rows, "budget " + budget + ", again");
            }
        }
    }

    @Test
    void hourGroupsAreAlignedAndCoverTheRange() {
        long hour = 3_600_000_000L;
        SplittableRandom r = new SplittableRandom(5);
        for (int i = 0; i < 500; i++) {
            long from = (r.nextInt(2_000) - 1_000) * hour;
            long to = from + (1 + r.nextInt(200)) * hour;
            long at = from;
            List<long[]> groups = StatsStore.hourGroups(from, to);
            for (long[] g : groups) {
                assertEquals(at, g[0]);
                assertTrue(Long.bitCount(g[1] / hour) == 1 && g[1] <= 16 * hour, "size " + g[1] / hour);
                assertEquals(0, Math.floorMod(g[0], g[1]), "aligned");
                at += g[1];
            }
            assertEquals(to, at);
            assertTrue(groups.size() <= 2 * 5 + (to - from) / (16 * hour), groups.size() + " groups for " + (to - from) / hour + " h");
        }
    }
}
