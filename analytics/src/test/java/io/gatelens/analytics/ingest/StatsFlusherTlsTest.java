package io.gatelens.analytics.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.gatelens.analytics.stats.StatsAggregator;
import io.gatelens.analytics.store.StatsStore;
import io.gatelens.analytics.store.StoreSettings;
import io.gatelens.analytics.tls.Handshakes;
import io.gatelens.analytics.tls.TlsAggregator;
import io.gatelens.analytics.tls.TlsFront;
import io.gatelens.analytics.tls.TlsIngest;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The flusher writes TLS minutes as it writes HTTP ones: finished minutes once, the open one as live rows. */
class StatsFlusherTlsTest {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @TempDir
    Path dir;

    @Test
    void finishedMinutesAreWrittenOnceAndTheOpenOneLive() {
        Path file = dir.resolve("f.duckdb");
        TlsAggregator tls = new TlsAggregator();
        TlsIngest ingest = new TlsIngest(tls);
        long t0 = T0.getEpochSecond() * 1_000_000_000L;
        ingest.accept(List.of(Handshakes.at(t0).build(), Handshakes.at(t0 + 1).build(),
            Handshakes.at(t0 + 61_000_000_000L).build()));
        assertEquals(3, ingest.handshakes());
        TlsFront api = TlsFront.sni("api.example.com");
        Instant now = T0.plusSeconds(75); // minute 0 ended 15 s ago (grace 10 s), minute 1 is open
        try (StatsStore store = StatsStore.open(file, StoreSettings.DEFAULTS)) {
            StatsFlusher flusher = new StatsFlusher(new StatsAggregator(), tls, store, Clock.fixed(now, ZoneOffset.UTC),
                Duration.ofSeconds(10));
            flusher.flush();
            flusher.flush();
            assertEquals(2, store.tlsFront(api, T0, T0.plusSeconds(60)).handshakes(), "written once");
            assertEquals(1, store.tlsFront(api, T0.plusSeconds(60), T0.plusSeconds(120)).handshakes(), "the open minute, live");
            assertEquals(1, flusher.rowsWritten());
        }
        // killed here (no flushAll): the live row becomes a minute row at the next open
        try (StatsStore store = StatsStore.open(file, StoreSettings.DEFAULTS)) {
            assertEquals(3, store.tlsFront(api, T0, T0.plusSeconds(120)).handshakes());
        }
    }

    @Test
    void aFlushThatFailsWithAnErrorDoesNotStopTheTimer() throws Exception {
        TlsAggregator tls = new TlsAggregator();
        long t0 = T0.getEpochSecond() * 1_000_000_000L;
        new TlsIngest(tls).accept(List.of(Handshakes.at(t0).build()));
        // the first flush meets an OutOfMemoryError (as when another thread exhausted the heap a moment)
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        Clock clock = new Clock() {
            @Override
            public java.time.ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                if (calls.getAndIncrement() == 0) {
                    throw new OutOfMemoryError("Java heap space (from the test)");
                }
                return T0.plusSeconds(75);
            }
        };
        try (StatsStore store = StatsStore.open(dir.resolve("e.duckdb"), StoreSettings.DEFAULTS)) {
            StatsFlusher flusher = new StatsFlusher(new StatsAggregator(), tls, store, clock, Duration.ofSeconds(10));
            flusher.start(Duration.ofMillis(100));
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (flusher.rowsWritten() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertEquals(1, flusher.rowsWritten(), "a later flush wrote the minute");
            assertEquals(1, store.tlsFront(TlsFront.sni("api.example.com"), T0, T0.plusSeconds(60)).handshakes());
            flusher.close();
        }
    }
}
