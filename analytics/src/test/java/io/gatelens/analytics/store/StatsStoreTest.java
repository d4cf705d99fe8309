package io.gatelens.analytics.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datadoghq.sketch.ddsketch.DDSketch;
import io.gatelens.analytics.stats.EndpointMinute;
import io.gatelens.analytics.stats.LatencySketches;
import io.gatelens.analytics.stats.MinuteRow;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StatsStoreTest {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final String A = "a.example";
    static final String B = "b.example";

    @TempDir
    Path dir;

    private StatsStore open() {
        return StatsStore.open(dir.resolve("nested/dirs/stats.duckdb"), StoreSettings.DEFAULTS);
    }

    private static Instant at(String hhmmss) {
        return Instant.parse("2026-01-01T" + hhmmss + "Z");
    }

    /** Ranges chosen around hour boundaries: aligned, unaligned, within one hour, sub-minute and sub-microsecond offsets. */
    static final List<Instant[]> RANGES = List.of(
        new Instant[] {at("00:00:00"), at("03:00:00")},
        new Instant[] {at("00:00:00"), at("03:20:00")},
        new Instant[] {at("00:17:00"), at("02:43:00")},
        new Instant[] {at("00:17:30"), at("02:43:10")},
        new Instant[] {at("01:00:00"), at("01:59:30")},
        new Instant[] {at("01:05:00"), at("01:25:00")},
        new Instant[] {at("02:59:00"), at("03:01:00")},
        new Instant[] {at("00:59:59"), at("02:00:01")},
        new Instant[] {at("00:17:00").plusNanos(500), at("02:00:00").plusNanos(1)},
        new Instant[] {at("05:00:00"), at("06:00:00")});

    private static void assertQueriesMatchMinutes(StatsStore store, List<MinuteRow> rows, String when) {
        for (Instant[] range : RANGES) {
            for (String host : new String[] {null, A, B}) {
                assertEquals(Oracle.figures(rows, range[0], range[1], host),
                    Oracle.asMap(store.endpointFigures(range[0], range[1], host)),
                    when + ": endpointFigures " + range[0] + " .. " + range[1] + " host " + host);
            }
            Set<Integer> withTraffic = new TreeSet<>(Oracle.figures(rows, range[0], range[1], null).keySet());
            assertEquals(withTraffic, new TreeSet<>(store.endpointsWithTraffic(range[0], range[1])), when + ": traffic " + range[0]);
            Set<String> hosts = new TreeSet<>();
            for (MinuteRow row : Oracle.select(rows, range[0], range[1], null)) {
                if (row.host() != null) {
                    hosts.add(row.host());
                }
            }
            assertEquals(new ArrayList<>(hosts), store.hosts(range[0], range[1]), when + ": hosts " + range[0]);
        }
    }

    private static void assertSeriesMatchMinutes(StatsStore store, List<MinuteRow> rows, String when) {
        Object[][] cases = {
            {at("00:00:00"), at("03:20:00"), Duration.ofMinutes(1)},
            {at("00:00:00"), at("03:20:00"), Duration.ofMinutes(5)},
            {at("00:00:00"), at("03:20:00"), Duration.ofHours(1)},
            {at("00:00:00"), at("03:20:00"), Duration.ofMinutes(90)},
            {at("00:17:00"), at("03:20:00"), Duration.ofHours(1)},
            {at("00:00:00"), at("03:00:00"), Duration.ofMinutes(7)},
            {at("00:30:00"), at("02:30:00"), Duration.ofMinutes(120)},
        };
        for (Object[] c : cases) {
            Instant from = (Instant) c[0];
            Instant to = (Instant) c[1];
            Duration step = (Duration) c[2];
            for (String host : new String[] {null, A}) {
                List<SeriesPoint> series = store.series(2, from, to, step, host);
                long expectedPoints = (Duration.between(from, to).toNanos() + step.toNanos() - 1) / step.toNanos();
                assertEquals(expectedPoints, series.size(), when + ": points of " + step);
                for (int k = 0; k < series.size(); k++) {
                    Instant start = from.plus(step.multipliedBy(k));
                    Instant end = start.plus(step).isAfter(to) ? to : start.plus(step);
                    assertEquals(start, series.get(k).start());
                    assertEquals(Oracle.figures(rows, 2, start, end, host), series.get(k).figures(),
                        when + ": series step " + step + " from " + from + " point " + k + " host " + host);
                }
            }
        }
    }

    @Test
    void queriesEqualReadingMinutesBeforeAndAfterRollupAndRollupIsIdempotent() {
        List<MinuteRow> rows = Oracle.rows(1, T0, 200, 3, A, B, null);
        try (StatsStore store = open()) {
            store.append(rows.subList(0, rows.size() / 2));
            store.append(rows.subList(rows.size() / 2, rows.size()));
            assertTrue(store.rollupWatermark().isEmpty());
            assertQueriesMatchMinutes(store, rows, "before rollup");
            assertSeriesMatchMinutes(store, rows, "before rollup");

            // ends 03:20; grace 5 min: hours 00, 01, 02 are complete at 03:26
            assertEquals(3, store.rollup(at("03:26:00")));
            assertEquals(Optional.of(at("03:00:00")), store.rollupWatermark());
            assertQueriesMatchMinutes(store, rows, "after rollup");
            assertSeriesMatchMinutes(store, rows, "after rollup");

            assertEquals(0, store.rollup(at("03:26:00")), "nothing left to roll up");
            assertEquals(0, store.rollup(at("03:59:59")), "hour 03 is not complete before 04:05");
            for (Instant[] range : RANGES.subList(0, 4)) {
                assertEquals(Oracle.figures(rows, range[0], range[1], null), Oracle.asMap(store.endpointFigures(range[0], range[1], null)),
                    "after a second rollup: " + range[0] + " .. " + range[1]);
            }
        }
    }

    @Test
    void rollupOfAnHourIsNotAppliedUntilTheGraceHasPassed() {
        List<MinuteRow> rows = Oracle.rows(2, T0, 60, 2, A);
        try (StatsStore store = open()) {
            store.append(rows);
            assertEquals(0, store.rollup(at("01:04:59")));
            assertEquals(Optional.of(at("00:00:00")), store.rollupWatermark());
            assertEquals(1, store.rollup(at("01:05:00")));
            assertEquals(Optional.of(at("01:00:00")), store.rollupWatermark());
            assertQueriesMatchMinutes(store, rows, "after rollup");
        }
    }

    @Test
    void minuteRowsArrivingAfterTheirHourWasRolledUpStillCount() {
        List<MinuteRow> rows = new ArrayList<>(Oracle.rows(3, T0, 120, 3, A, null));
        try (StatsStore store = open()) {
            store.append(rows);
            assertEquals(2, store.rollup(at("02:10:00")));
            // late rows: one for an endpoint/host/minute that has a row already, one for a new host
            List<MinuteRow> late = Oracle.rows(4, at("00:30:00"), 2, 2, A, B);
            store.append(late);
            rows.addAll(late);
            assertQueriesMatchMinutes(store, rows, "after late rows");
            assertEquals(0, store.rollup(at("02:10:00")));
            assertQueriesMatchMinutes(store, rows, "after late rows and another rollup");
        }
    }

    @Test
    void sixtyMinuteSketchesThroughTheStoreEqualTheSketchOfAllValues() {
        SplittableRandom r = new SplittableRandom(9);
        DDSketch allLatencies = LatencySketches.newSketch();
        List<MinuteRow> rows = new ArrayList<>();
        for (int m = 0; m < 60; m++) {
            EndpointMinute minute = new EndpointMinute();
            double median = 3e6 * (1 + (m % 20));
            for (int i = 0; i < 400; i++) {
                long latency = (long) (median * Math.exp(0.7 * Oracle.gaussian(r)));
                minute.record(200, 0, 0, -1, latency);
                LatencySketches.add(allLatencies, latency);
            }
            rows.add(new MinuteRow(T0.getEpochSecond() + 60L * m, 1, A, minute));
        }
        try (StatsStore store = open()) {
            store.append(rows);
            assertLatencyEqualsSketch(allLatencies, store.endpointFigures(T0, at("01:00:00"), null), "from minute rows");
            assertEquals(1, store.rollup(at("01:05:00")));
            assertLatencyEqualsSketch(allLatencies, store.endpointFigures(T0, at("01:00:00"), null), "from the hour row");
        }
    }

    private static void assertLatencyEqualsSketch(DDSketch expected, List<EndpointFigures> figures, String when) {
        assertEquals(1, figures.size());
        Percentiles p = figures.get(0).figures().latency();
        assertEquals((long) expected.getCount(), p.samples(), when);
        assertEquals(expected.getValueAtQuantile(0.5), p.p50Ns(), when);
        assertEquals(expected.getValueAtQuantile(0.9), p.p90Ns(), when);
        assertEquals(expected.getValueAtQuantile(0.95), p.p95Ns(), when);
        assertEquals(expected.getValueAtQuantile(0.99), p.p99Ns(), when);
    }

    @Test
    void reopeningTheFileGivesTheSameFigures() {
        List<MinuteRow> rows = Oracle.rows(5, T0, 200, 4, A, null);
        List<EndpointInfo> endpoints;
        try (StatsStore store = open()) {
            for (int i = 1; i <= 4; i++) {
                assertEquals(i, store.endpointId(EndpointKey.operation("petstore", "GET", "/v1/pets/" + i, "op" + i)));
            }
            endpoints = store.endpoints();
            store.append(rows);
            store.rollup(at("02:30:00"));
        }
        try (StatsStore store = open()) {
            assertEquals(endpoints, store.endpoints());
            assertEquals(Optional.of(at("02:00:00")), store.rollupWatermark());
            assertQueriesMatchMinutes(store, rows, "after reopen");
            assertEquals(5, store.endpointId(EndpointKey.operation("petstore", "GET", "/v1/pets/5", null)), "ids continue");
        }
    }

    @Test
    void retentionDeletesOnlyWhatItShould() {
        StoreSettings settings = new StoreSettings(Duration.ofHours(2), Duration.ofHours(4), Duration.ofMinutes(5));
        List<MinuteRow> rows = Oracle.rows(6, T0, 6 * 60, 2, A);
        try (StatsStore store = StatsStore.open(dir.resolve("retention.duckdb"), settings)) {
            store.append(rows);
            Instant now = at("06:10:00");

            store.applyRetention(now);
            assertQueriesMatchMinutes(store, rows, "retention before any rollup deletes no minute");

            assertEquals(6, store.rollup(now));
            Instant later = at("06:30:00");
            store.applyRetention(later);
            // minute rows ending at or before 04:30 are gone; hour rows ending at or before 02:00 (02:30 floored) are gone
            assertEquals(Map.of(), Oracle.asMap(store.endpointFigures(T0, at("02:00:00"), null)), "hours past hour retention");
            assertEquals(Oracle.figures(rows, at("02:00:00"), at("06:00:00"), null),
                Oracle.asMap(store.endpointFigures(at("02:00:00"), at("06:00:00"), null)), "whole hours still answer from hour rows");
            assertEquals(Oracle.figures(rows, at("04:30:00"), at("06:00:00"), null),
                Oracle.asMap(store.endpointFigures(at("04:30:00"), at("06:00:00"), null)), "minutes within retention are kept");
            assertEquals(Map.of(), Oracle.asMap(store.endpointFigures(at("03:10:00"), at("03:20:00"), null)),
                "minutes past minute retention are gone");
        }
    }

    @Test
    void hostileStringsAreDataNotSql() {
        String tenKb = "x".repeat(10_240);
        List<String> hostile = List.of("it's", "\"quoted\"", "'; DROP TABLE stats_minute; --", "<script>alert(1)</script>",
            "nul\0byte", tenKb, "\\backslash\\", "émoji ☃ 🚀", "%_like_wildcards%", "");
        try (StatsStore store = open()) {
            List<MinuteRow> rows = new ArrayList<>();
            for (int i = 0; i < hostile.size(); i++) {
                String s = hostile.get(i);
                int id = store.endpointId(EndpointKey.shadow("GET", "/" + s + "/{param}", s));
                assertEquals(id, store.endpointId(EndpointKey.shadow("GET", "/" + s + "/{param}", s)), "stable for " + i);
                int op = store.endpointId(EndpointKey.operation(s, "POST", s, s));
                assertNotEquals(id, op);
                rows.add(new MinuteRow(T0.getEpochSecond(), id, s, Oracle.minuteOf(new SplittableRandom(i), 3, 1e6)));
            }
            store.append(rows);
            store.rollup(at("01:10:00"));
            for (String s : hostile) {
                assertTrue(store.endpoints().stream().anyMatch(e -> e.key().equals(EndpointKey.shadow("GET", "/" + s + "/{param}", s))),
                    "endpoint with " + s.length() + " chars survives");
                assertEquals(Oracle.figures(rows, T0, at("01:00:00"), s), Oracle.asMap(store.endpointFigures(T0, at("01:00:00"), s)));
                assertEquals(Oracle.figures(rows, T0, at("00:01:00"), s), Oracle.asMap(store.endpointFigures(T0, at("00:01:00"), s)));
            }
            List<String> expectedHosts = new ArrayList<>(new TreeSet<>(hostile));
            List<String> hosts = store.hosts(T0, at("01:00:00"));
            assertEquals(new TreeSet<>(expectedHosts), new TreeSet<>(hosts));
            assertTrue(hosts.contains(tenKb) && hosts.contains("nul\0byte"));
            assertEquals(Map.of(), Oracle.asMap(store.endpointFigures(T0, at("01:00:00"), "' OR '1'='1")));
            assertEquals(hostile.size(), store.endpointFigures(T0, at("01:00:00"), null).size(), "tables intact");
        }
    }

    @Test
    void badQueryArgumentsAreRejectedClearly() {
        try (StatsStore store = open()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> store.endpointFigures(at("02:00:00"), at("01:00:00"), null));
            assertTrue(e.getMessage().contains("must be before"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> store.endpointFigures(T0, T0, null));
            assertThrows(IllegalArgumentException.class, () -> store.endpointFigures(null, T0, null));
            assertThrows(IllegalArgumentException.class, () -> store.endpointsWithTraffic(T0, T0.minusSeconds(1)));
            assertThrows(IllegalArgumentException.class, () -> store.hosts(T0, null));
            e = assertThrows(IllegalArgumentException.class, () -> store.series(1, T0, at("01:00:00"), Duration.ofSeconds(90), null));
            assertTrue(e.getMessage().contains("whole number of minutes"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> store.series(1, T0, at("01:00:00"), Duration.ZERO, null));
            assertThrows(IllegalArgumentException.class, () -> store.series(1, T0, at("01:00:00"), Duration.ofMinutes(-5), null));
            assertThrows(IllegalArgumentException.class, () -> store.series(1, T0, at("01:00:00"), null, null));
            e = assertThrows(IllegalArgumentException.class,
                () -> store.series(1, T0, T0.plus(Duration.ofDays(2)), Duration.ofMinutes(1), null));
            assertTrue(e.getMessage().contains("2880 points") && e.getMessage().contains("at most 2000"), e.getMessage());
            assertEquals(StatsStore.MAX_SERIES_POINTS, store.series(1, T0, T0.plus(Duration.ofMinutes(2000)), Duration.ofMinutes(1), null).size());
            assertThrows(IllegalArgumentException.class, () -> new StoreSettings(Duration.ZERO, Duration.ofDays(1), Duration.ZERO));
            assertThrows(IllegalArgumentException.class, () -> new StoreSettings(Duration.ofDays(2), Duration.ofDays(1), Duration.ZERO));
        }
    }

    @Test
    void seriesHasEveryStepEvenWithoutTraffic() {
        List<MinuteRow> rows = List.of(new MinuteRow(at("00:10:00").getEpochSecond(), 1, null,
            Oracle.minuteOf(new SplittableRandom(1), 5, 1e6)));
        try (StatsStore store = open()) {
            store.append(rows);
            List<SeriesPoint> series = store.series(1, T0, at("01:00:00"), Duration.ofMinutes(5), null);
            assertEquals(12, series.size());
            for (int k = 0; k < 12; k++) {
                assertEquals(T0.plus(Duration.ofMinutes(5L * k)), series.get(k).start());
                assertEquals(k == 2 ? 5 : 0, series.get(k).figures().calls());
            }
            assertEquals(Figures.NONE, series.get(0).figures());
            assertNull(series.get(0).figures().latency());
            assertTrue(store.series(99, T0, at("01:00:00"), Duration.ofMinutes(30), null).stream()
                .allMatch(p -> p.figures().equals(Figures.NONE)));
        }
    }

    @Test
    void endpointRegistryGetsOrCreatesByIdentity() {
        try (StatsStore store = open()) {
            EndpointKey getPet = EndpointKey.operation("petstore", "GET", "/v1/pets/{petId}", "getPet");
            int id = store.endpointId(getPet);
            assertEquals(id, store.endpointId(getPet));
            assertEquals(id, store.endpointId(EndpointKey.operation("petstore", "GET", "/v1/pets/{petId}", null)), "operationId is not identity");
            assertEquals(id, store.endpointId(EndpointKey.operation("petstore", "GET", "/v1/pets/{petId}", "showPet")));
            assertEquals("showPet", store.endpoints().get(0).key().operationId(), "a new operationId is kept");
            assertNotEquals(id, store.endpointId(EndpointKey.operation("petstore", "PUT", "/v1/pets/{petId}", null)));
            assertNotEquals(id, store.endpointId(EndpointKey.operation("otherspec", "GET", "/v1/pets/{petId}", null)));
            int shadowNoHost = store.endpointId(EndpointKey.shadow("GET", "/v1/pets/{param}", null));
            int shadowHost = store.endpointId(EndpointKey.shadow("GET", "/v1/pets/{param}", "pets.example"));
            assertNotEquals(shadowNoHost, shadowHost);
            assertEquals(shadowNoHost, store.endpointId(EndpointKey.shadow("GET", "/v1/pets/{param}", null)));
            List<EndpointInfo> all = store.endpoints();
            assertEquals(5, all.size());
            assertEquals(List.of(1, 2, 3, 4, 5), all.stream().map(EndpointInfo::id).toList());
            Instant now = Instant.now();
            assertTrue(all.stream().allMatch(e -> !e.firstSeen().isAfter(now) && e.firstSeen().isAfter(now.minusSeconds(60))));
            assertThrows(IllegalArgumentException.class, () -> new EndpointKey(EndpointKey.Kind.OPERATION, null, "GET", "/", null, null));
            assertThrows(IllegalArgumentException.class, () -> new EndpointKey(EndpointKey.Kind.OPERATION, "s", "GET", "/", null, "h"));
            assertThrows(IllegalArgumentException.class, () -> new EndpointKey(EndpointKey.Kind.SHADOW, "s", "GET", "/", null, null));
        }
    }

    @Test
    void aSpecAsLargeAsTheUploadLimitAllowsIsKeptWholeAndReplacedWithoutLeftovers() throws Exception {
        // DuckDB 2.0 under the default memory_limit (128MB) could not insert this as one BLOB: "failed to
        // allocate data of size 32.0 MiB"; a spec up to the 25 MB upload limit must still be kept
        byte[] big = new byte[24 << 20];
        new java.util.SplittableRandom(7).nextBytes(big);
        Instant uploaded = Instant.parse("2026-03-04T05:06:07Z");
        SpecRecord large = new SpecRecord("large", 1, uploaded, SpecRecord.UPLOAD, big, List.of());
        SpecRecord small = new SpecRecord("large", 2, uploaded.plusSeconds(1), SpecRecord.UPLOAD,
            Arrays.copyOf(big, 1000), List.of());
        try (StatsStore store = open()) {
            store.saveSpec(large);
            assertArrayEquals(big, store.spec("large").orElseThrow().content());
        }
        try (StatsStore store = open()) {
            assertArrayEquals(big, store.spec("large").orElseThrow().content(), "after a reopen");
            store.saveSpec(small);
            assertEquals(Optional.of(small), store.spec("large"));
            assertEquals(1, specFiles(store).size(), "the replaced content's file is gone: " + specFiles(store));
        }
        try (StatsStore store = open()) {
            assertEquals(Optional.of(small), store.spec("large"));
            assertTrue(store.deleteSpec("large"));
            assertEquals(List.of(), specFiles(store));
        }
    }

    @Test
    void aContentFileNoRowNamesIsDeletedAtOpenAndAnUnreadableOneLeavesItsSpecOut() throws Exception {
        Instant uploaded = Instant.parse("2026-03-04T05:06:07Z");
        SpecRecord a = new SpecRecord("a", 1, uploaded, SpecRecord.UPLOAD, "openapi: 3.0.3 # a\n".getBytes(StandardCharsets.UTF_8), List.of());
        SpecRecord b = new SpecRecord("b", 1, uploaded, SpecRecord.UPLOAD, "openapi: 3.0.3 # b\n".getBytes(StandardCharsets.UTF_8), List.of());
        Path stray;
        try (StatsStore store = open()) {
            store.saveSpec(a);
            store.saveSpec(b);
            // as a crash between a content file and its row leaves it
            stray = java.nio.file.Files.writeString(store.specDirectory().resolve("stray.spec"), "openapi: 3.0.3\n");
        }
        try (StatsStore store = open()) {
            assertFalse(java.nio.file.Files.exists(stray));
            assertEquals(List.of(a, b), store.specs());
            for (Path p : specFiles(store)) {
                if (java.nio.file.Files.readString(p).contains("# a")) {
                    java.nio.file.Files.delete(p);
                }
            }
            assertEquals(List.of(b), store.specs(), "a spec whose content is gone is left out, the others load");
        }
    }

    private static List<Path> specFiles(StatsStore store) throws java.io.IOException {
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(store.specDirectory())) {
            return files.sorted().toList();
        }
    }

    @Test
    void specsRoundTrip() {
        byte[] binary = new byte[256];
        for (int i = 0; i < binary.length; i++) {
            binary[i] = (byte) i;
        }
        Instant uploaded = Instant.parse("2026-03-04T05:06:07.123456Z");
        SpecRecord pets = new SpecRecord("petstore", 1, uploaded, SpecRecord.UPLOAD, "openapi: 3.0.3\n".getBytes(StandardCharsets.UTF_8),
            List.of("https://api.example.com/v1", "http://localhost:8080"));
        SpecRecord raw = new SpecRecord("binary 'name'", 3, uploaded.plusSeconds(1), SpecRecord.FOLDER, binary, List.of());
        try (StatsStore store = open()) {
            assertEquals(List.of(), store.specs());
            assertEquals(Optional.empty(), store.spec("petstore"));
            store.saveSpec(pets);
            store.saveSpec(raw);
            assertEquals(Optional.of(pets), store.spec("petstore"));
            assertEquals(List.of(raw, pets), store.specs());
            SpecRecord replaced = new SpecRecord("petstore", 2, uploaded.plusSeconds(60), SpecRecord.UPLOAD, new byte[] {1, 2, 3}, List.of());
            store.saveSpec(replaced);
            assertEquals(Optional.of(replaced), store.spec("petstore"));
            assertEquals(2, store.specs().size());
        }
        try (StatsStore store = open()) {
            assertArrayEquals(binary, store.spec("binary 'name'").orElseThrow().content());
            assertTrue(store.deleteSpec("petstore"));
            assertFalse(store.deleteSpec("petstore"));
            assertEquals(List.of("binary 'name'"), store.specs().stream().map(SpecRecord::name).toList());
        }
        assertThrows(IllegalArgumentException.class, () -> new SpecRecord(" ", 1, uploaded, SpecRecord.UPLOAD, new byte[0], List.of()));
        assertThrows(IllegalArgumentException.class, () -> new SpecRecord("x", 1, uploaded, "url", new byte[0], List.of()));
    }

    @Test
    void queriesRunWhileTheFlusherAppends() throws Exception {
        List<MinuteRow> rows = Oracle.rows(8, T0, 120, 8, A);
        Map<Long, List<MinuteRow>> byMinute = new TreeMap<>();
        for (MinuteRow row : rows) {
            byMinute.computeIfAbsent(row.minuteEpochSecond(), m -> new ArrayList<>()).add(row);
        }
        ExecutorService pool = Executors.newFixedThreadPool(3);
        AtomicBoolean appending = new AtomicBoolean(true);
        try (StatsStore store = open()) {
            Future<?> flusher = pool.submit(() -> {
                for (List<MinuteRow> minute : byMinute.values()) {
                    store.append(minute);
                    if (minute.get(0).minuteEpochSecond() % 3600 == 3540) {
                        store.rollup(Instant.ofEpochSecond(minute.get(0).minuteEpochSecond() + 3600));
                    }
                }
                appending.set(false);
                return null;
            });
            List<Future<Integer>> readers = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                readers.add(pool.submit(() -> {
                    int queries = 0;
                    long lastCalls = 0;
                    while (appending.get()) {
                        long calls = store.endpointFigures(T0, at("02:00:00"), null).stream().mapToLong(f -> f.figures().calls()).sum();
                        assertTrue(calls >= lastCalls, "a later snapshot never has fewer calls");
                        lastCalls = calls;
                        store.series(3, T0, at("02:00:00"), Duration.ofMinutes(10), A);
                        queries++;
                    }
                    return queries;
                }));
            }
            flusher.get(60, TimeUnit.SECONDS);
            for (Future<Integer> reader : readers) {
                assertTrue(reader.get(60, TimeUnit.SECONDS) > 0);
            }
            assertEquals(Oracle.figures(rows, T0, at("02:00:00"), null), Oracle.asMap(store.endpointFigures(T0, at("02:00:00"), null)));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void closedStoreRefusesWorkAndNewerSchemasAreNotTouched() throws Exception {
        Path file = dir.resolve("closed.duckdb");
        StatsStore store = StatsStore.open(file, StoreSettings.DEFAULTS);
        store.close();
        store.close();
        assertThrows(IllegalStateException.class, () -> store.endpointFigures(T0, at("01:00:00"), null));
        assertThrows(IllegalStateException.class, () -> store.append(Oracle.rows(1, T0, 1, 1, A)));
        assertTrue(Files.exists(file));
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:duckdb:" + file.toAbsolutePath());
             java.sql.Statement s = c.createStatement()) {
            s.execute("UPDATE meta SET value = '" + (StatsStore.SCHEMA_VERSION + 1) + "' WHERE key = 'schema_version'");
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> StatsStore.open(file, StoreSettings.DEFAULTS));
        assertTrue(e.getMessage().contains("newer"), e.getMessage());
    }
}
