package io.gatelens.analytics.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class TlsAggregatorTest {
    static final long MINUTE = 60_000_000_000L;
    static final long T0 = 1_767_225_600L * 1_000_000_000L; // 2026-01-01T00:00:00Z

    @Test
    void handshakesCountPerFrontAndMinute() {
        TlsAggregator agg = new TlsAggregator();
        agg.record(Handshakes.at(T0 + 1).sni("API.Example.com").build());
        agg.record(Handshakes.at(T0 + 2).sni("api.example.com").build());
        agg.record(Handshakes.at(T0 + MINUTE + 5).sni("api.example.com").build());
        agg.record(Handshakes.at(T0 + 3).sni(null).server("10.0.0.9", 8443).build());
        agg.record(Handshakes.at(T0 + 4).sni("").server("2001:db8::1", 443).build());
        List<TlsMinuteRow> rows = agg.takeAll();
        Map<String, Long> byKey = new TreeMap<>();
        for (TlsMinuteRow r : rows) {
            byKey.put((r.minuteEpochSecond() - T0 / 1_000_000_000L) / 60 + " " + r.front().kind().id() + " " + r.front().name(),
                r.counts().handshakes());
        }
        assertEquals(Map.of("0 sni api.example.com", 2L, "1 sni api.example.com", 1L, "0 address 10.0.0.9:8443", 1L,
            "0 address [2001:db8::1]:443", 1L), byKey);
        assertEquals("[2001:db8::1]", TlsFront.address("2001:db8::1", 443).host());
        assertEquals("10.0.0.9", TlsFront.address("10.0.0.9", 8443).host());
        assertTrue(agg.takeAll().isEmpty());
    }

    @Test
    void frontsPastTheBoundOfAMinuteShareTheOtherFront() {
        TlsAggregator agg = new TlsAggregator(3);
        for (int i = 0; i < 10; i++) {
            agg.record(Handshakes.at(T0 + i).sni("h" + i + ".example").build());
            agg.record(Handshakes.at(T0 + i).sni("h" + i + ".example").build());
        }
        // the next minute starts afresh
        agg.record(Handshakes.at(T0 + MINUTE).sni("h9.example").build());
        Map<TlsFront, Long> first = new TreeMap<>(java.util.Comparator.comparing(TlsFront::kind).thenComparing(TlsFront::name));
        Map<TlsFront, Long> second = new TreeMap<>(java.util.Comparator.comparing(TlsFront::kind).thenComparing(TlsFront::name));
        for (TlsMinuteRow r : agg.takeAll()) {
            (r.minuteEpochSecond() * 1_000_000_000L == T0 ? first : second).put(r.front(), r.counts().handshakes());
        }
        assertEquals(Map.of(TlsFront.sni("h0.example"), 2L, TlsFront.sni("h1.example"), 2L, TlsFront.sni("h2.example"), 2L,
            TlsFront.OTHER, 14L), first);
        assertEquals(Map.of(TlsFront.sni("h9.example"), 1L), second);
    }

    @Test
    void completedMinutesAreTakenOnceAndOpenOnesSnapshotted() {
        TlsAggregator agg = new TlsAggregator();
        agg.record(Handshakes.at(T0).build());
        agg.record(Handshakes.at(T0 + MINUTE).build());
        long now = T0 + 2 * MINUTE + 5_000_000_000L;
        assertEquals(2, agg.snapshot().size());
        List<TlsMinuteRow> done = agg.takeCompleted(now, 10_000_000_000L);
        assertEquals(1, done.size(), "only the minute that ended more than the grace ago");
        assertEquals(T0 / 1_000_000_000L, done.get(0).minuteEpochSecond());
        List<TlsMinuteRow> open = agg.snapshot();
        assertEquals(1, open.size());
        agg.record(Handshakes.at(T0 + MINUTE + 1).build());
        assertEquals(1, open.get(0).counts().handshakes(), "a snapshot is a copy");
        // a late handshake for a minute already taken starts that minute again
        agg.record(Handshakes.at(T0 + 7).build());
        assertEquals(2, agg.takeAll().size());
    }
}
