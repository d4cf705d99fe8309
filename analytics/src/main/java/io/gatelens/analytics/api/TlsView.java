package io.gatelens.analytics.api;

import io.gatelens.analytics.tls.CountMix;
import io.gatelens.analytics.tls.TlsCounts;
import io.gatelens.analytics.tls.TlsFront;
import io.gatelens.analytics.tls.TlsNames;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** The TLS figures the API returns, from a front's {@link TlsCounts}: shares, names, milliseconds. */
public final class TlsView {
    /** Cipher suites a list row shows; the detail shows all the figures hold. */
    static final int ROW_CIPHERS = 5;

    private TlsView() {
    }

    /**
     * One value of a mix.
     *
     * @param name   "TLS 1.3", "h2", "TLS_AES_128_GCM_SHA256", a JA4 fingerprint
     * @param code   the wire number of a version or cipher suite; null for ALPN and JA4
     * @param share  count / the mix's total
     * @param legacy for versions: TLS 1.1 or older; null otherwise
     */
    public record Entry(String name, Integer code, long count, double share, Boolean legacy) {
    }

    /**
     * A mix: its entries, most frequent first, and what they are shares of.
     *
     * @param total what the shares are of (see each mix)
     * @param other counts of values not listed (past a bound, or past the limit of the list)
     */
    public record Mix(long total, long other, List<Entry> entries) {
    }

    /** Handshake-time percentiles in ms (within the sketch's 1 %); null fields when none was measured. */
    public record HandshakeMs(long samples, Double p50, Double p95, Double p99, Double max) {
    }

    public record Failures(long noServerHello, long unparseable) {
    }

    /**
     * One front over the queried range.
     *
     * @param kind        sni | address | other
     * @param versions    negotiated versions; shares of the ServerHellos that named a version
     * @param offeredMax  the highest version each client offered; shares of the hellos with one
     * @param legacyShare handshakes negotiated at TLS 1.1 or older / ServerHellos that named a version
     * @param alpnOffered protocols offered; shares of all handshakes (a hello offers several)
     * @param alpnSelected protocols selected in the clear (TLS ≤ 1.2); shares of the ServerHellos that
     *                    named a version, whose others are {@code alpnNotSelected} and (TLS 1.3)
     *                    {@code alpnEncrypted}
     * @param ciphers     negotiated cipher suites; the top {@value #ROW_CIPHERS} in a list row
     * @param specs       the specs whose servers name this front's host
     */
    public record Row(String kind, String name, long handshakes, double handshakesPerSecond, Mix versions, Mix offeredMax,
                      long legacy, double legacyShare, Mix alpnOffered, Mix alpnSelected, long alpnNotSelected,
                      long alpnEncrypted, Mix ciphers, HandshakeMs handshakeMs, Failures failures, List<String> specs) {
    }

    /** One step of a front's series: negotiated versions by name, legacy ones, handshake times. */
    public record Point(String t, long handshakes, double handshakesPerSecond, Map<String, Long> versions, long legacy,
                        long noServerHello, HandshakeMs handshakeMs) {
    }

    static Row row(TlsFront front, TlsCounts c, Duration range, List<String> specs, int cipherLimit) {
        long named = c.negotiated().total();
        long legacy = c.legacyNegotiated();
        return new Row(front.kind().id(), front.name(), c.handshakes(), perSecond(c.handshakes(), range),
            versions(c.negotiated(), named), versions(c.offeredMax(), c.offeredMax().total()), legacy,
            named == 0 ? 0 : (double) legacy / named,
            strings(c.alpnOffered(), c.handshakes(), Integer.MAX_VALUE),
            strings(c.alpnSelected(), c.alpnSelected().total() + c.alpnNotSelected() + c.alpnEncrypted(), Integer.MAX_VALUE),
            c.alpnNotSelected(), c.alpnEncrypted(), ciphers(c.ciphers(), cipherLimit), handshakeMs(c),
            new Failures(c.noServerHello(), c.unparseable()), specs);
    }

    static Point point(String t, TlsCounts c, Duration step) {
        Map<String, Long> versions = new LinkedHashMap<>();
        for (Map.Entry<Integer, Long> e : c.negotiated().sorted()) {
            versions.put(TlsNames.version(e.getKey()), e.getValue());
        }
        if (c.negotiated().other() > 0) {
            versions.put("other", c.negotiated().other());
        }
        return new Point(t, c.handshakes(), perSecond(c.handshakes(), step), versions, c.legacyNegotiated(), c.noServerHello(),
            handshakeMs(c));
    }

    /** Each version offered; shares of all handshakes (a hello offers several). */
    static Mix offered(TlsCounts c) {
        return versions(c.offered(), c.handshakes());
    }

    static Mix versions(CountMix<Integer> mix, long total) {
        return mix(mix, total, Integer.MAX_VALUE, v -> new Named(TlsNames.version(v), v, TlsNames.isLegacy(v)));
    }

    static Mix ciphers(CountMix<Integer> mix, int limit) {
        return mix(mix, mix.total(), limit, v -> new Named(TlsNames.cipher(v), v, null));
    }

    static Mix strings(CountMix<String> mix, long total, int limit) {
        return mix(mix, total, limit, v -> new Named(v, null, null));
    }

    private record Named(String name, Integer code, Boolean legacy) {
    }

    private static <K extends Comparable<K>> Mix mix(CountMix<K> mix, long total, int limit, Function<K, Named> naming) {
        List<Entry> entries = new ArrayList<>();
        long other = mix.other();
        for (Map.Entry<K, Long> e : mix.sorted()) {
            if (entries.size() >= limit) {
                other += e.getValue();
                continue;
            }
            Named n = naming.apply(e.getKey());
            entries.add(new Entry(n.name(), n.code(), e.getValue(), total == 0 ? 0 : (double) e.getValue() / total, n.legacy()));
        }
        return new Mix(total, other, entries);
    }

    static HandshakeMs handshakeMs(TlsCounts c) {
        long n = c.handshakeTime().count();
        if (n == 0) {
            return new HandshakeMs(0, null, null, null, null);
        }
        return new HandshakeMs(n, ms(c.handshakeQuantileNs(0.50)), ms(c.handshakeQuantileNs(0.95)), ms(c.handshakeQuantileNs(0.99)),
            ms(c.maxHandshakeNs()));
    }

    private static double perSecond(long n, Duration d) {
        double seconds = d.toNanos() / 1e9;
        return seconds <= 0 ? 0 : n / seconds;
    }

    private static double ms(double ns) {
        // 4 significant decimals of a millisecond: the sketch is 1 % accurate anyway
        return Math.round(ns / 100.0) / 10_000.0;
    }
}
