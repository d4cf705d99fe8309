package io.gatelens.analytics.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Committed appends survive SIGKILL: DuckDB replays its write-ahead log on the next open. */
class StatsStoreKillTest {
    static final int COMMITS_BEFORE_KILL = 40;

    @TempDir
    Path dir;

    @Test
    void everyReportedAppendSurvivesKill9() throws Exception {
        Path file = dir.resolve("killed/stats.duckdb");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
            AppendUntilKilled.class.getName(), file.toString())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
        int lastReported = -1;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                assertTrue(line.startsWith("committed "), line);
                lastReported = Integer.parseInt(line.substring("committed ".length()));
                if (lastReported + 1 == COMMITS_BEFORE_KILL) {
                    child.destroyForcibly(); // SIGKILL on Linux: no shutdown hooks, no close, no checkpoint
                    break;
                }
            }
        } finally {
            child.destroyForcibly();
            assertTrue(child.waitFor(30, TimeUnit.SECONDS), "child ended");
        }
        assertEquals(COMMITS_BEFORE_KILL - 1, lastReported, "the child reported its commits");
        assertFalse(child.exitValue() == 0, "the child was killed, not finished");

        try (StatsStore store = StatsStore.open(file, StoreSettings.DEFAULTS)) {
            List<EndpointInfo> endpoints = store.endpoints();
            assertEquals(1, endpoints.size());
            assertEquals(AppendUntilKilled.ENDPOINT, endpoints.get(0).key());
            int id = endpoints.get(0).id();
            Instant t0 = Instant.ofEpochSecond(AppendUntilKilled.T0_EPOCH_SECOND);
            // the child may have committed a few more after its last line was read; those are welcome, not required
            List<SeriesPoint> series = store.series(id, t0, t0.plus(Duration.ofMinutes(COMMITS_BEFORE_KILL + 100)),
                Duration.ofMinutes(1), null);
            for (int m = 0; m <= lastReported; m++) {
                assertEquals(AppendUntilKilled.callsOf(m), series.get(m).figures().calls(), "minute " + m);
                assertEquals(AppendUntilKilled.callsOf(m), series.get(m).figures().byStatusCode().get(201));
            }
            for (int m = lastReported + 1; m < series.size(); m++) {
                long calls = series.get(m).figures().calls();
                assertTrue(calls == 0 || calls == AppendUntilKilled.callsOf(m), "minute " + m + " is whole or absent: " + calls);
            }
        }
    }
}
