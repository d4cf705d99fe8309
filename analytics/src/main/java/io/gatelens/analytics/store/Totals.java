package io.gatelens.analytics.store;

import io.gatelens.analytics.stats.EndpointMinute;
import io.gatelens.analytics.stats.LatencySketches;
import io.gatelens.analytics.stats.StatusCodeCounts;
import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The running sum of statistics rows: the scalar columns, the per-code status counts and the bins of
 * both sketches; mutable, not thread-safe. Rows come in as scalar longs ({@link #SCALARS} of them, in
 * the order of the constants below) and a {@code bins} value in the store's encoding.
 *
 * <h2>The {@code bins} encoding</h2>
 * Three lists of (key, count) pairs one after the other: the status codes (100..599) with their
 * responses, the latency sketch's bins and the TTFB sketch's bins (index, count). Each list is its
 * number of pairs, then per pair the key and count - 1; the first key as a zigzag varint, every
 * further key as its distance to the previous one minus 1 (keys ascend strictly, counts are &gt; 0).
 * Varints are LEB128 (7 bits a byte, low group first, high bit set on every byte but the last). Two
 * bytes a bin in the usual case; an empty row is 3 bytes.
 *
 * <p>Sketch bins are summed into dense arrays over the range of indexes seen (at most a few thousand:
 * {@link LatencySketches} indexes of 1 ns to 2^63 ns span about 2,200), so merging is an array add
 * per pair and merged quantiles are exactly those of the sketch of all values.
 */
final class Totals {
    static final int CALLS = 0;
    static final int S1XX = 1;
    static final int S2XX = 2;
    static final int S3XX = 3;
    static final int S4XX = 4;
    static final int S5XX = 5;
    static final int S_OTHER = 6;
    static final int NO_RESPONSE = 7;
    static final int REQ_BYTES = 8;
    static final int RESP_BYTES = 9;
    static final int MAX_LATENCY_NS = 10;
    static final int SCALARS = 11;

    final long[] scalars = new long[SCALARS];
    private final StatusCodeCounts codes = new StatusCodeCounts();
    private final Dense latency = new Dense();
    private final Dense ttfb = new Dense();

    /** Adds one row's scalars, {@link #SCALARS} values from {@code offset}. */
    void addScalars(long[] values, int offset) {
        for (int i = 0; i < MAX_LATENCY_NS; i++) {
            scalars[i] += values[offset + i];
        }
        scalars[MAX_LATENCY_NS] = Math.max(scalars[MAX_LATENCY_NS], values[offset + MAX_LATENCY_NS]);
    }

    /** Adds one row's encoded bins, bytes [from, to) of {@code data}. */
    void addBins(byte[] data, int from, int to) {
        int p = from;
        // status codes
        long n = 0;
        int shift = 0;
        byte b;
        do {
            b = data[p++];
            n |= (long) (b & 0x7f) << shift;
            shift += 7;
        } while (b < 0);
        int key = 0;
        for (long i = 0; i < n; i++) {
            long v = 0;
            shift = 0;
            do {
                b = data[p++];
                v |= (long) (b & 0x7f) << shift;
                shift += 7;
            } while (b < 0);
            key = i == 0 ? zigzagDecode(v) : key + (int) v + 1;
            long c = 0;
            shift = 0;
            do {
                b = data[p++];
                c |= (long) (b & 0x7f) << shift;
                shift += 7;
            } while (b < 0);
            codes.add(key, c + 1);
        }
        p = latency.add(data, p);
        p = ttfb.add(data, p);
        if (p != to) {
            throw new IllegalStateException("bins value of " + (to - from) + " bytes holds " + (p - from));
        }
    }

    /** Adds everything another accumulator holds. */
    void merge(Totals other) {
        addScalars(other.scalars, 0);
        codes.merge(other.codes);
        latency.merge(other.latency);
        ttfb.merge(other.ttfb);
    }

    Figures figures() {
        Map<Integer, Long> byCode = new TreeMap<>();
        for (int code : codes.codes()) {
            byCode.put(code, codes.countOf(code));
        }
        long[] s = scalars;
        return new Figures(s[CALLS], s[S1XX], s[S2XX], s[S3XX], s[S4XX], s[S5XX], s[S_OTHER], s[NO_RESPONSE],
            Collections.unmodifiableMap(byCode), s[REQ_BYTES], s[RESP_BYTES], percentiles(latency.bins()), s[MAX_LATENCY_NS],
            percentiles(ttfb.bins()));
    }

    private static Percentiles percentiles(LatencySketches.Bins bins) {
        if (bins.isEmpty()) {
            return null;
        }
        return new Percentiles(bins.count(), LatencySketches.quantileNs(bins, 0.5), LatencySketches.quantileNs(bins, 0.9),
            LatencySketches.quantileNs(bins, 0.95), LatencySketches.quantileNs(bins, 0.99));
    }

    /** This accumulator's codes and bins in the {@code bins} encoding. */
    byte[] encodeBins() {
        int[] order = codes.codes();
        return encode(order, codes.countsOf(order), latency.bins(), ttfb.bins());
    }

    /** A minute's scalars in the order of the constants. */
    static long[] scalarsOf(EndpointMinute m) {
        long[] s = new long[SCALARS];
        s[CALLS] = m.calls();
        s[S1XX] = m.s1xx();
        s[S2XX] = m.s2xx();
        s[S3XX] = m.s3xx();
        s[S4XX] = m.s4xx();
        s[S5XX] = m.s5xx();
        s[S_OTHER] = m.sOther();
        s[NO_RESPONSE] = m.noResponse();
        s[REQ_BYTES] = m.reqBytes();
        s[RESP_BYTES] = m.respBytes();
        s[MAX_LATENCY_NS] = m.maxLatencyNs();
        return s;
    }

    /** A minute's codes and bins in the {@code bins} encoding. */
    static byte[] encodeBins(EndpointMinute m) {
        return encode(m.statusCodes(), m.statusCodeCounts(), m.latencyBins(), m.ttfbBins());
    }

    static byte[] encode(int[] codes, long[] codeCounts, LatencySketches.Bins latency, LatencySketches.Bins ttfb) {
        Out out = new Out(8 + 3 * (codes.length + latency.indexes().length + ttfb.indexes().length));
        out.pairs(codes, codeCounts);
        out.pairs(latency.indexes(), latency.counts());
        out.pairs(ttfb.indexes(), ttfb.counts());
        return out.bytes();
    }

    static int zigzagDecode(long v) {
        return (int) (v >>> 1) ^ -(int) (v & 1);
    }

    /** A growable byte buffer writing the encoding. */
    private static final class Out {
        private byte[] buf;
        private int size;

        Out(int capacity) {
            buf = new byte[capacity];
        }

        void pairs(int[] keys, long[] counts) {
            if (keys.length != counts.length) {
                throw new IllegalArgumentException(keys.length + " keys but " + counts.length + " counts");
            }
            varint(keys.length);
            for (int i = 0; i < keys.length; i++) {
                if (i == 0) {
                    varint(Integer.toUnsignedLong((keys[0] << 1) ^ (keys[0] >> 31)));
                } else if (keys[i] > keys[i - 1]) {
                    varint((long) keys[i] - keys[i - 1] - 1);
                } else {
                    throw new IllegalArgumentException("keys must ascend strictly: " + keys[i - 1] + " then " + keys[i]);
                }
                if (counts[i] <= 0) {
                    throw new IllegalArgumentException("count " + counts[i] + " of key " + keys[i] + "; counts must be > 0");
                }
                varint(counts[i] - 1);
            }
        }

        void varint(long v) {
            if (size + 10 > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + 10));
            }
            while ((v & ~0x7fL) != 0) {
                buf[size++] = (byte) ((v & 0x7f) | 0x80);
                v >>>= 7;
            }
            buf[size++] = (byte) v;
        }

        byte[] bytes() {
            return Arrays.copyOf(buf, size);
        }
    }

    /** Counts per bin index over the range seen so far. */
    private static final class Dense {
        private long[] counts;
        private int base;
        private int lo = Integer.MAX_VALUE;
        private int hi = Integer.MIN_VALUE;

        /** Adds one encoded pair list starting at p; returns the position after it. */
        int add(byte[] data, int p) {
            // one-byte varints are the rule (small gaps, small counts): a fast path for them, LEB128 in general
            long n = data[p++];
            if (n < 0) {
                p = readVarint(data, p - 1);
                n = varint;
            }
            if (n == 0) {
                return p;
            }
            long v = data[p++];
            if (v < 0) {
                p = readVarint(data, p - 1);
                v = varint;
            }
            int index = zigzagDecode(v);
            if (counts == null || index < base || index - base >= counts.length) {
                grow(index);
            }
            if (index < lo) {
                lo = index;
            }
            long[] dense = counts;
            int slot = index - base;
            for (long i = 0; ; ) {
                long c = data[p++];
                if (c < 0) {
                    p = readVarint(data, p - 1);
                    c = varint;
                }
                dense[slot] += c + 1;
                if (++i == n) {
                    break;
                }
                long gap = data[p++];
                if (gap < 0) {
                    p = readVarint(data, p - 1);
                    gap = varint;
                }
                slot += (int) gap + 1;
                if (slot >= dense.length) {
                    int at = slot + base;
                    grow(at);
                    slot = at - base;
                    dense = counts;
                }
            }
            int last = slot + base;
            if (last > hi) {
                hi = last;
            }
            return p;
        }

        /** The varint last read by {@link #readVarint}. */
        private long varint;

        /** Reads the LEB128 varint at p into {@link #varint}; returns the position after it. */
        private int readVarint(byte[] data, int p) {
            long v = 0;
            int shift = 0;
            byte b;
            do {
                b = data[p++];
                v |= (long) (b & 0x7f) << shift;
                shift += 7;
            } while (b < 0);
            varint = v;
            return p;
        }

        void merge(Dense other) {
            if (other.counts == null || other.lo > other.hi) {
                return;
            }
            grow(other.lo);
            grow(other.hi);
            for (int i = other.lo; i <= other.hi; i++) {
                counts[i - base] += other.counts[i - other.base];
            }
            lo = Math.min(lo, other.lo);
            hi = Math.max(hi, other.hi);
        }

        /** Makes index addressable. */
        private void grow(int index) {
            if (counts == null) {
                counts = new long[128];
                base = index - 32;
                return;
            }
            int slot = index - base;
            if (slot >= 0 && slot < counts.length) {
                return;
            }
            int newLo = Math.min(base, index - 32);
            int newHi = Math.max(base + counts.length, index + 32);
            long[] grown = new long[Math.max(newHi - newLo, counts.length * 2)];
            System.arraycopy(counts, 0, grown, base - newLo, counts.length);
            counts = grown;
            base = newLo;
        }

        LatencySketches.Bins bins() {
            if (counts == null || lo > hi) {
                return LatencySketches.Bins.EMPTY;
            }
            int n = 0;
            for (int i = lo; i <= hi; i++) {
                if (counts[i - base] != 0) {
                    n++;
                }
            }
            int[] indexes = new int[n];
            long[] binCounts = new long[n];
            int k = 0;
            for (int i = lo; i <= hi; i++) {
                long c = counts[i - base];
                if (c != 0) {
                    indexes[k] = i;
                    binCounts[k] = c;
                    k++;
                }
            }
            return new LatencySketches.Bins(indexes, binCounts);
        }
    }
}
