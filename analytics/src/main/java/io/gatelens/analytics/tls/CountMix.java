package io.gatelens.analytics.tls;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Counts per value (a version, a cipher suite, an ALPN protocol, a JA4 fingerprint) with a bound on
 * the distinct values held: past {@code cap} values, new ones are counted in {@link #other()} only.
 * Values come off the wire, so nothing may grow with what a client chooses to send.
 *
 * <p>{@link #trim} keeps the {@code keep} most frequent values (ties: the smaller value) and folds the
 * rest into {@code other}: a minute counted with a cap of a few times {@code keep} then keeps its true
 * top values unless more than {@code cap} distinct values arrived. The total (values plus other) is
 * always exact. Not thread-safe.
 */
public final class CountMix<K extends Comparable<K>> {
    private final HashMap<K, long[]> counts = new HashMap<>();
    private final int cap;
    private long other;

    /** @param cap the most distinct values held; {@link Integer#MAX_VALUE} for an exact merge */
    public CountMix(int cap) {
        if (cap < 1) {
            throw new IllegalArgumentException("cap must be >= 1, got " + cap);
        }
        this.cap = cap;
    }

    /** Heap this mix holds, estimated: the map, an entry and a one-long array per value, the keys. */
    public long heapBytes() {
        long bytes = 40 + 48 + 16L * Integer.highestOneBit(Math.max(1, counts.size() * 4 / 3) * 2);
        for (K k : counts.keySet()) {
            bytes += 32 + 24 + (k instanceof String s ? 40 + s.length() : 16);
        }
        return bytes;
    }

    public void add(K value, long n) {
        if (n == 0) {
            return;
        }
        long[] c = counts.get(value);
        if (c != null) {
            c[0] += n;
        } else if (counts.size() < cap) {
            counts.put(value, new long[] {n});
        } else {
            other += n;
        }
    }

    /** Counts that are known to belong to no value held (a stored row's {@code _other}). */
    public void addOther(long n) {
        other += n;
    }

    public void merge(CountMix<K> o) {
        for (Map.Entry<K, long[]> e : o.counts.entrySet()) {
            add(e.getKey(), e.getValue()[0]);
        }
        other += o.other;
    }

    /** Adds every entry of a stored map. */
    public void addAll(Map<K, Long> stored) {
        for (Map.Entry<K, Long> e : stored.entrySet()) {
            add(e.getKey(), e.getValue());
        }
    }

    /** Counts not attributed to a value: past the cap while counting, or folded by {@link #trim}. */
    public long other() {
        return other;
    }

    /** Every count: the values' and {@link #other()}. */
    public long total() {
        long t = other;
        for (long[] c : counts.values()) {
            t += c[0];
        }
        return t;
    }

    public long count(K value) {
        long[] c = counts.get(value);
        return c == null ? 0 : c[0];
    }

    public int size() {
        return counts.size();
    }

    public boolean isEmpty() {
        return counts.isEmpty() && other == 0;
    }

    /** Keeps the {@code keep} most frequent values, folding the rest into {@link #other()}. */
    public void trim(int keep) {
        if (counts.size() <= keep) {
            return;
        }
        List<Map.Entry<K, Long>> sorted = sorted();
        for (Map.Entry<K, Long> e : sorted.subList(keep, sorted.size())) {
            counts.remove(e.getKey());
            other += e.getValue();
        }
    }

    /** The values and their counts, most frequent first (ties: the smaller value first). */
    public List<Map.Entry<K, Long>> sorted() {
        List<Map.Entry<K, Long>> out = new ArrayList<>(counts.size());
        for (Map.Entry<K, long[]> e : counts.entrySet()) {
            out.add(Map.entry(e.getKey(), e.getValue()[0]));
        }
        out.sort(Map.Entry.<K, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()));
        return out;
    }

    /** The values and their counts as a map in {@link #sorted()} order (what the store writes). */
    public Map<K, Long> asMap() {
        Map<K, Long> m = new LinkedHashMap<>();
        for (Map.Entry<K, Long> e : sorted()) {
            m.put(e.getKey(), e.getValue());
        }
        return Collections.unmodifiableMap(m);
    }

    @Override
    public String toString() {
        return asMap() + (other == 0 ? "" : " + other " + other);
    }
}
