package io.gatelens.analytics.ingest;

import java.util.Arrays;

/**
 * A batch's rows grouped by a key (the ingest's: minute and endpoint), groups in ascending key order,
 * rows in their batch order within a group: a counting sort through an open-addressed table of the
 * batch's distinct keys, so linear in the rows; only the distinct keys (a few thousand endpoints) are
 * sorted. Written here because sorting a long per row ({@code Arrays.sort}) was 8 % of the ingest
 * profile, and grows with the batch. Not thread-safe: one per ingest, its arrays reused.
 */
final class RowGroups {
    /** Keys are below 2^KEY_BITS; groups below 2^(63 - KEY_BITS). */
    static final int KEY_BITS = 40;

    private long[] table = new long[0]; // key + 1 per slot, 0 = empty
    private int[] tableGroup = new int[0];
    private long[] groupKeys = new long[0];
    private int[] groupSize = new int[0];
    private long[] sortedGroups = new long[0]; // key << (63 - KEY_BITS) | group
    private int[] rowGroup = new int[0];
    private int[] rows = new int[0];
    private int[] groupFrom = new int[0];
    private int groups;

    /**
     * Groups rows[k] by keys[k], k in [0, n).
     *
     * @param keys each below 2^{@value #KEY_BITS}
     */
    void group(int[] rowsIn, long[] keys, int n) {
        int cap = Integer.highestOneBit(Math.max(16, 2 * n - 1)) << 1;
        if (table.length < cap) {
            table = new long[cap];
            tableGroup = new int[cap];
        } else {
            Arrays.fill(table, 0, cap, 0L);
        }
        if (groupFrom.length < n + 1) {
            rowGroup = new int[n];
            rows = new int[n];
            groupKeys = new long[n];
            groupSize = new int[n];
            sortedGroups = new long[n];
            groupFrom = new int[n + 1];
        }
        int mask = cap - 1;
        int shift = 64 - Integer.numberOfTrailingZeros(cap);
        int g = 0;
        for (int k = 0; k < n; k++) {
            long key = keys[k];
            if (key < 0 || key >>> KEY_BITS != 0) {
                throw new IllegalArgumentException("key " + key + " out of range");
            }
            int s = (int) ((key * 0x9E3779B97F4A7C15L) >>> shift) & mask;
            long stored;
            while ((stored = table[s]) != 0 && stored != key + 1) {
                s = (s + 1) & mask;
            }
            int group;
            if (stored == 0) {
                table[s] = key + 1;
                tableGroup[s] = group = g;
                groupKeys[g] = key;
                groupSize[g] = 0;
                g++;
            } else {
                group = tableGroup[s];
            }
            rowGroup[k] = group;
            groupSize[group]++;
        }
        groups = g;
        int groupBits = 63 - KEY_BITS;
        for (int i = 0; i < g; i++) {
            sortedGroups[i] = groupKeys[i] << groupBits | i;
        }
        Arrays.sort(sortedGroups, 0, g);
        // groupFrom[i]: where the i-th group in key order starts; the fill cursor of each group
        // is kept in groupSize, turned into a start offset
        int at = 0;
        for (int i = 0; i < g; i++) {
            int group = (int) (sortedGroups[i] & ((1L << groupBits) - 1));
            groupFrom[i] = at;
            int size = groupSize[group];
            groupSize[group] = at;
            at += size;
        }
        groupFrom[g] = at;
        for (int k = 0; k < n; k++) {
            rows[groupSize[rowGroup[k]]++] = rowsIn[k];
        }
    }

    /** How many groups the last {@link #group} made. */
    int groups() {
        return groups;
    }

    /** The key of the i-th group in key order. */
    long key(int i) {
        return sortedGroups[i] >>> (63 - KEY_BITS);
    }

    /** Where the i-th group's rows start in {@link #rows()}; {@code from(groups())} is the row count. */
    int from(int i) {
        return groupFrom[i];
    }

    /** The rows, grouped. */
    int[] rows() {
        return rows;
    }
}
