package io.gatelens.analytics.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.gatelens.analytics.stats.StatsAggregator;
import io.gatelens.analytics.store.EndpointFigures;
import io.gatelens.analytics.store.EndpointKey;
import io.gatelens.analytics.store.StatsStore;
import io.gatelens.analytics.store.StoreException;
import io.gatelens.analytics.store.StoreSettings;
import io.gatelens.analytics.tls.Handshakes;
import io.gatelens.analytics.tls.TlsAggregator;
import io.gatelens.analytics.tls.TlsIngest;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The statistics on a disk that fills up, for real: a small tmpfs (mounting it needs root; CI runs
 * as root with GATELENS_REQUIRE_BPF=1, under which this fails instead of skipping). Flushes fail
 * while the disk is full, one of them with DuckDB's fatal checkpoint error, which invalidates the
 * database; once space is freed the store reopens by itself, and every call recorded is counted
 * exactly once: none lost, none written twice by a retry of a commit that had landed.
 */
class StoreDiskFullTest {
    private static final Instant T0 = Instant.parse("2026-03-01T00:00:00Z");
    private static final int ENDPOINTS = 200;

    private Path mount;

    @BeforeEach
    void mountSmallDisk() throws Exception {
        boolean root = Files.readAllLines(Path.of("/proc/self/status")).stream()
            .anyMatch(l -> l.matches("Uid:\\s+0\\s.*"));
        String why = "mounting a small tmpfs needs root";
        if (!root && "1".equals(System.getenv("GATELENS_REQUIRE_BPF"))) {
            fail(why + ", and GATELENS_REQUIRE_BPF=1 says privileged tests must run");
        }
        assumeTrue(root, why + ": skipped");
        mount = Files.createTempDirectory("gatelens-full-disk");
        run("mount", "-t", "tmpfs", "-o", "size=12m", "tmpfs", mount.toString());
    }

    @AfterEach
    void unmount() throws Exception {
        if (mount != null) {
            run("umount", mount.toString());
            Files.deleteIfExists(mount);
        }
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), String.join(" ", command) + ": " + out);
    }

    @Test
    void fatalCheckpointsOnAFullDiskLoseNoCallAndCountNoneTwice() throws Exception {
        // a small WAL threshold, so that flushes checkpoint often and some do on the full disk
        long reopens = throughAFullDisk(StoreSettings.DEFAULTS.withDuckdbCheckpointThreshold("64KB"),
            StatsFlusher.MAX_PENDING_BYTES).reopens();
        assertTrue(reopens > 0, "no fatal error: the test did not reach a checkpoint on the full disk");
    }

    @Test
    void failedCommitsOnAFullDiskLoseNoCallAndLeaveTheStoreWorking() throws Exception {
        // DuckDB's own threshold: no checkpoint here, only commits whose WAL write fails (not fatal);
        // after one, the driver would never begin another transaction on that connection
        long reopens = throughAFullDisk(StoreSettings.DEFAULTS, StatsFlusher.MAX_PENDING_BYTES).reopens();
        assertEquals(0, reopens, "no fatal error expected without a checkpoint");
    }

    @Test
    void anOutageLongerThanTheWaitingBudgetMergesMinutesIntoHoursAndLosesNoCall() throws Exception {
        // 1 MiB: the 90 minutes' rows (~180 KB a minute) pass it within minutes; merged into hours they fit
        Outcome outcome = throughAFullDisk(StoreSettings.DEFAULTS, 1L << 20);
        assertTrue(outcome.merged() > 0, "no minutes merged: the budget was never reached");
        assertTrue(outcome.tlsMerged() > 0, "no TLS minutes merged");
    }

    record Outcome(long reopens, long merged, long tlsMerged) {
    }

    /** Flushes 120 minutes of calls, the disk full from minute 10 to 100; every call must be counted, none dropped. */
    private Outcome throughAFullDisk(StoreSettings settings, long pendingBudget) throws Exception {
        Path db = mount.resolve("g.duckdb");
        Path filler = mount.resolve("filler");
        SettableClock clock = new SettableClock(T0);
        StatsAggregator aggregator = new StatsAggregator();
        TlsAggregator tls = new TlsAggregator();
        TlsIngest tlsIngest = new TlsIngest(tls);
        long handshakes = 0;
        long recorded = 0;
        int failures = 0;
        Outcome outcome;
        java.util.Set<Integer> newIds = new java.util.HashSet<>();
        boolean full = false;
        try (StatsStore store = StatsStore.open(db, settings)) {
            StatsFlusher flusher = new StatsFlusher(aggregator, tls, store, clock, Duration.ofSeconds(10), pendingBudget,
                pendingBudget / 4);
            for (int minute = 0; minute < 120; minute++) {
                // a minute of calls to every endpoint, then the flush after it
                long minuteNs = (T0.getEpochSecond() + minute * 60L) * 1_000_000_000L;
                // and a new endpoint each minute, as a shadow endpoint appears: registered while the disk is
                // full too, so its calls must be counted under an id that gets saved later
                int id = store.endpointId(EndpointKey.shadow("GET", "/new/" + minute, "api.example.com"));
                assertTrue(newIds.add(id), "id " + id + " given twice");
                aggregator.record(id, "api.example.com", minuteNs, 200, 300, 2_000, 1_000_000, 2_000_000);
                recorded++;
                // and TLS handshakes to a few fronts, which wait and merge the same way
                List<io.gatelens.analytics.tls.TlsHandshakeFacts> hellos = new java.util.ArrayList<>();
                for (int f = 0; f < 20; f++) {
                    hellos.add(Handshakes.at(minuteNs + f).sni("front" + f + ".example.com").ja4("t13d1516h2_8daaf6152771_" + f).build());
                }
                tlsIngest.accept(hellos);
                handshakes += hellos.size();
                for (int e = 1; e <= ENDPOINTS; e++) {
                    for (int k = 0; k < 3; k++) {
                        aggregator.record(e, "", minuteNs + k * 1_000_000_000L, k == 2 ? 503 : 200, 300, 2_000,
                            (e * 7919L + minute * 104_729L + k) % 50_000_000L, (e * 7919L + minute * 104_729L + k) % 90_000_000L + 1);
                        recorded++;
                    }
                }
                clock.set(T0.plusSeconds(minute * 60L + 75));
                if (minute == 10) {
                    fill(filler);
                    full = true;
                }
                if (minute == 100) {
                    Files.delete(filler);
                    full = false;
                }
                try {
                    flusher.flush();
                } catch (StoreException e) {
                    assertTrue(full, "a flush failed with space on the disk: " + e.getMessage());
                    failures++;
                }
                if (minute == 60) {
                    // a query while the disk is full: answered from what was committed, or refused; never more
                    try {
                        assertTrue(calls(store) <= recorded);
                    } catch (StoreException e) {
                        assertTrue(e.getMessage().contains("No space left") || e.getMessage().contains("fatal"), e.getMessage());
                    }
                }
            }
            assertTrue(failures > 0, "no flush failed on the full disk");
            flusher.flushAll();
            assertEquals(recorded, calls(store), "every call counted once");
            assertEquals(handshakes, handshakes(store), "every handshake counted once");
            assertEquals(0, flusher.droppedRows());
            outcome = new Outcome(store.reopens(), flusher.mergedRows(), flusher.mergedTlsRows());
        }
        try (StatsStore store = StatsStore.open(db, settings)) {
            assertEquals(recorded, calls(store), "and after a restart");
            assertEquals(handshakes, handshakes(store));
            for (int minute = 0; minute < 120; minute++) {
                EndpointKey key = EndpointKey.shadow("GET", "/new/" + minute, "api.example.com");
                assertTrue(newIds.contains(store.endpointId(key)), "the endpoint of minute " + minute + " was saved with its id");
            }
            assertEquals(120, store.endpoints().size(), "no endpoint saved twice or lost");
        }
        return outcome;
    }

    private static long handshakes(StatsStore store) {
        return store.tlsFronts(T0.minusSeconds(3600), T0.plusSeconds(6 * 3600)).stream()
            .mapToLong(f -> f.counts().handshakes()).sum();
    }

    private static long calls(StatsStore store) {
        List<EndpointFigures> all = store.endpointFigures(T0.minusSeconds(3600), T0.plusSeconds(6 * 3600), null);
        return all.stream().mapToLong(f -> f.figures().calls()).sum();
    }

    /** Writes the filler until the disk is full: 64 KiB at a time, then a page at a time. */
    private static void fill(Path filler) throws IOException {
        try (OutputStream out = Files.newOutputStream(filler)) {
            for (int size : new int[] {64 << 10, 4 << 10}) {
                byte[] block = new byte[size];
                try {
                    while (true) {
                        out.write(block);
                        out.flush();
                    }
                } catch (IOException e) {
                    if (!String.valueOf(e.getMessage()).contains("No space left")) {
                        throw e;
                    }
                }
            }
        }
    }
}
