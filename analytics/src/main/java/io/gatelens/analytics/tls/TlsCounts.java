package io.gatelens.analytics.tls;

import io.gatelens.analytics.stats.LatencyHistogram;
import io.gatelens.analytics.stats.LatencySketches;

import java.util.HashSet;
import java.util.Set;

/**
 * The TLS statistics of one front over one minute (while counting, and as a stored row), or over any
 * range (rows merged). Every figure adds up across rows; the handshake times are DDSketch bins
 * ({@link LatencySketches}, 1 % relative accuracy), merged bin by bin, so percentiles over a range
 * are those of all its handshakes, never averages of minutes.
 *
 * <p>What counts where, per handshake:
 * <ul>
 *   <li>{@code handshakes}: one per connection whose handshake was seen (its ClientHello, or only
 *       the ServerHello when capture began after the ClientHello);
 *   <li>{@code offeredMax}: the highest version it offered ({@link TlsHandshakeFacts#highestOffered});
 *       {@code offered}: each distinct version it offered, GREASE excluded (how many clients still
 *       offer TLS 1.0, say);
 *   <li>{@code noServerHello}: no ServerHello answered; else {@code negotiated} and {@code ciphers}
 *       count what the server selected, and {@code alpnSelected} its ALPN choice, or
 *       {@code alpnEncrypted} (TLS 1.3 carries it encrypted) or {@code alpnNotSelected} (a TLS ≤ 1.2
 *       ServerHello without ALPN);
 *   <li>{@code alpnOffered}: each distinct protocol the client offered;
 *   <li>{@code ja4}: the ClientHello's fingerprint (hellos that could not be parsed have none);
 *   <li>{@code unparseable}: the ClientHello or ServerHello could not be parsed;
 *   <li>{@code handshakeTime}, {@code maxHandshakeNs}: ClientHello to ServerHello, where measured.
 * </ul>
 * Every mix is a bounded {@link CountMix}: while counting, a few times its stored bound of distinct
 * values ({@link #trim} then keeps the most frequent); merged rows are exact. Not thread-safe.
 */
public final class TlsCounts {
    /** Distinct values a stored row keeps per mix; the rest are counted in the mix's other. */
    public static final int KEEP_VERSIONS = 16;
    public static final int KEEP_CIPHERS = 32;
    public static final int KEEP_ALPN = 16;
    public static final int KEEP_JA4 = 32;
    /** While a minute is counted, each mix holds this many times its stored bound. */
    static final int COUNTING_FACTOR = 4;
    /** ALPN names and JA4 strings are cut here (an ALPN name has at most 255 bytes; JA4 is 36 chars). */
    public static final int MAX_VALUE_CHARS = 255;

    private long handshakes;
    private long noServerHello;
    private long unparseable;
    private long alpnNotSelected;
    private long alpnEncrypted;
    private long maxHandshakeNs;
    private final CountMix<Integer> offeredMax;
    private final CountMix<Integer> offered;
    private final CountMix<Integer> negotiated;
    private final CountMix<Integer> ciphers;
    private final CountMix<String> alpnOffered;
    private final CountMix<String> alpnSelected;
    private final CountMix<String> ja4;
    private final LatencyHistogram handshakeTime = new LatencyHistogram();

    private TlsCounts(int factor) {
        offeredMax = new CountMix<>(cap(KEEP_VERSIONS, factor));
        offered = new CountMix<>(cap(KEEP_VERSIONS, factor));
        negotiated = new CountMix<>(cap(KEEP_VERSIONS, factor));
        ciphers = new CountMix<>(cap(KEEP_CIPHERS, factor));
        alpnOffered = new CountMix<>(cap(KEEP_ALPN, factor));
        alpnSelected = new CountMix<>(cap(KEEP_ALPN, factor));
        ja4 = new CountMix<>(cap(KEEP_JA4, factor));
    }

    private static int cap(int keep, int factor) {
        return factor == 0 ? Integer.MAX_VALUE : keep * factor;
    }

    /** An accumulator for one front's minute: mixes bounded while counting. */
    public static TlsCounts counting() {
        return new TlsCounts(COUNTING_FACTOR);
    }

    /** An accumulator for merging stored rows: mixes exact (rows are bounded already). */
    public static TlsCounts merging() {
        return new TlsCounts(0);
    }

    /** Heap these counts hold, estimated. */
    public long heapBytes() {
        return 96 + offeredMax.heapBytes() + offered.heapBytes() + negotiated.heapBytes() + ciphers.heapBytes()
            + alpnOffered.heapBytes() + alpnSelected.heapBytes() + ja4.heapBytes() + handshakeTime.heapBytes();
    }

    /** Counts one handshake. */
    public void record(TlsHandshakeFacts f) {
        handshakes++;
        int highest = f.highestOffered();
        if (highest != 0) {
            offeredMax.add(highest, 1);
        }
        Set<Integer> versions = new HashSet<>();
        for (int v : f.offeredVersions()) {
            if (!TlsNames.isGrease(v) && versions.add(v)) {
                offered.add(v, 1);
            }
        }
        if (versions.isEmpty() && highest != 0) {
            offered.add(highest, 1);
        }
        Set<String> protocols = new HashSet<>();
        for (String p : f.alpnOffered()) {
            String cut = cut(p);
            if (protocols.add(cut)) {
                alpnOffered.add(cut, 1);
            }
        }
        if (f.ja4() != null && !f.ja4().isEmpty()) {
            ja4.add(cut(f.ja4()), 1);
        }
        if (!f.serverHelloSeen()) {
            noServerHello++;
        } else {
            if (f.negotiatedVersion() > 0) {
                negotiated.add(f.negotiatedVersion(), 1);
            }
            if (f.cipherSuite() >= 0) {
                ciphers.add(f.cipherSuite(), 1);
            }
            if (f.alpnSelected() != null) {
                alpnSelected.add(cut(f.alpnSelected()), 1);
            } else if (f.negotiatedVersion() == TlsNames.TLS_1_3) {
                alpnEncrypted++;
            } else if (f.negotiatedVersion() > 0) {
                alpnNotSelected++;
            }
        }
        if (f.unparseable()) {
            unparseable++;
        }
        if (f.handshakeNs() >= 0) {
            handshakeTime.add(f.handshakeNs());
            maxHandshakeNs = Math.max(maxHandshakeNs, f.handshakeNs());
        }
    }

    private static String cut(String s) {
        return s.length() > MAX_VALUE_CHARS ? s.substring(0, MAX_VALUE_CHARS) : s;
    }

    /** Adds every figure of o. */
    public void merge(TlsCounts o) {
        handshakes += o.handshakes;
        noServerHello += o.noServerHello;
        unparseable += o.unparseable;
        alpnNotSelected += o.alpnNotSelected;
        alpnEncrypted += o.alpnEncrypted;
        maxHandshakeNs = Math.max(maxHandshakeNs, o.maxHandshakeNs);
        offeredMax.merge(o.offeredMax);
        offered.merge(o.offered);
        negotiated.merge(o.negotiated);
        ciphers.merge(o.ciphers);
        alpnOffered.merge(o.alpnOffered);
        alpnSelected.merge(o.alpnSelected);
        ja4.merge(o.ja4);
        handshakeTime.merge(o.handshakeTime);
    }

    /** Each mix cut to its stored bound (the most frequent values kept, the rest in other): what a row holds. */
    public void trim() {
        offeredMax.trim(KEEP_VERSIONS);
        offered.trim(KEEP_VERSIONS);
        negotiated.trim(KEEP_VERSIONS);
        ciphers.trim(KEEP_CIPHERS);
        alpnOffered.trim(KEEP_ALPN);
        alpnSelected.trim(KEEP_ALPN);
        ja4.trim(KEEP_JA4);
    }

    /** An exact copy. */
    public TlsCounts copy() {
        TlsCounts c = merging();
        c.merge(this);
        return c;
    }

    /**
     * Adds the scalar figures of a stored row (its mixes and bins go to the mix and histogram
     * accessors): handshakes, no ServerHello, unparseable, ALPN not selected, ALPN encrypted, max ns.
     */
    public void addScalars(long handshakes, long noServerHello, long unparseable, long alpnNotSelected, long alpnEncrypted,
                           long maxHandshakeNs) {
        this.handshakes += handshakes;
        this.noServerHello += noServerHello;
        this.unparseable += unparseable;
        this.alpnNotSelected += alpnNotSelected;
        this.alpnEncrypted += alpnEncrypted;
        this.maxHandshakeNs = Math.max(this.maxHandshakeNs, maxHandshakeNs);
    }

    public long handshakes() {
        return handshakes;
    }

    public long noServerHello() {
        return noServerHello;
    }

    public long unparseable() {
        return unparseable;
    }

    /** ServerHellos of TLS 1.2 or older that selected no ALPN protocol. */
    public long alpnNotSelected() {
        return alpnNotSelected;
    }

    /** ServerHellos of TLS 1.3, whose ALPN choice travels encrypted. */
    public long alpnEncrypted() {
        return alpnEncrypted;
    }

    /** The longest handshake time measured, ns; 0 when none. */
    public long maxHandshakeNs() {
        return maxHandshakeNs;
    }

    /** Highest version offered per handshake. */
    public CountMix<Integer> offeredMax() {
        return offeredMax;
    }

    /** Hellos offering each version. */
    public CountMix<Integer> offered() {
        return offered;
    }

    public CountMix<Integer> negotiated() {
        return negotiated;
    }

    public CountMix<Integer> ciphers() {
        return ciphers;
    }

    public CountMix<String> alpnOffered() {
        return alpnOffered;
    }

    public CountMix<String> alpnSelected() {
        return alpnSelected;
    }

    public CountMix<String> ja4() {
        return ja4;
    }

    /** ClientHello-to-ServerHello times, sketch bins in ns. */
    public LatencyHistogram handshakeTime() {
        return handshakeTime;
    }

    /** Handshakes with a ServerHello whose version is TLS 1.1 or older. */
    public long legacyNegotiated() {
        long n = 0;
        for (var e : negotiated.sorted()) {
            if (TlsNames.isLegacy(e.getKey())) {
                n += e.getValue();
            }
        }
        return n;
    }

    /** The handshake-time quantile in ns (DDSketch semantics, 1 % relative accuracy); NaN without measurements. */
    public double handshakeQuantileNs(double q) {
        LatencySketches.Bins bins = handshakeTime.bins();
        return bins.isEmpty() ? Double.NaN : LatencySketches.quantileNs(bins, q);
    }

    @Override
    public String toString() {
        return "TlsCounts[" + handshakes + " handshakes, negotiated " + negotiated + ", ja4 " + ja4.size() + " + "
            + ja4.other() + "]";
    }
}
