package io.gatelens.analytics.stats;

import java.util.Arrays;

/**
 * Responses per exact status code: a minute's accumulator and a query's totals both keep one. Codes
 * in first-seen order in two small arrays: an endpoint sees a handful of codes, so a linear scan
 * beats hashing and nothing is allocated once they are known. Not thread-safe.
 */
public final class StatusCodeCounts {
    private short[] codes = new short[4];
    private long[] counts = new long[4];
    private int size;

    /** Heap this table holds, estimated. */
    long heapBytes() {
        return 24 + 16 + 2L * codes.length + 16 + 8L * counts.length;
    }

    /** Adds n responses with status code (callers keep codes within 100..599). */
    public void add(int code, long n) {
        for (int i = 0; i < size; i++) {
            if (codes[i] == code) {
                counts[i] += n;
                return;
            }
        }
        if (size == codes.length) {
            codes = Arrays.copyOf(codes, size * 2);
            counts = Arrays.copyOf(counts, size * 2);
        }
        codes[size] = (short) code;
        counts[size] = n;
        size++;
    }

    public void merge(StatusCodeCounts other) {
        for (int i = 0; i < other.size; i++) {
            add(other.codes[i], other.counts[i]);
        }
    }

    /** Responses with exactly this code; 0 when none. */
    public long countOf(int code) {
        for (int i = 0; i < size; i++) {
            if (codes[i] == code) {
                return counts[i];
            }
        }
        return 0;
    }

    /** The distinct codes, ascending. */
    public int[] codes() {
        int[] sorted = new int[size];
        for (int i = 0; i < size; i++) {
            sorted[i] = codes[i];
        }
        Arrays.sort(sorted);
        return sorted;
    }

    /** The counts of codes (as {@link #codes()} returns them), in the same order. */
    public long[] countsOf(int[] codes) {
        long[] out = new long[codes.length];
        for (int i = 0; i < codes.length; i++) {
            out[i] = countOf(codes[i]);
        }
        return out;
    }
}
