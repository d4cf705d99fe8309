package io.gatelens.analytics.stats;

import java.util.Arrays;

/**
 * The bins of one latency sketch while a minute is being counted: counts by the bin index of the
 * shared {@link LatencySketches} mapping (DDSketch's logarithmic mapping, 1 % relative accuracy), in
 * a dense array whose window grows by half its length on the side a new value falls outside. It files
 * every value in exactly the bin a DDSketch of that mapping would, so {@link #bins()} equals
 * {@link LatencySketches#bins} of such a sketch fed the same values.
 *
 * <p>Written here rather than using the library's {@code DenseStore} on the hot path: that store
 * re-centres (shifts and refills) its array each time the range extends, which was the top frame of
 * the ingest benchmark ({@code Arrays.fill} under {@code DenseStore.extendRange}, a fifth of the
 * samples). Indexes are bounded (1 ns to {@code Long.MAX_VALUE} ns is about 2,200 bins), so the array
 * is too; like the library's store it keeps at most {@link LatencySketches#MAX_BINS} bins. Not
 * thread-safe.
 *
 * <p>Values are binned at once but counted in bursts: {@link #add(long)} appends the bin index to a
 * short buffer, counted when it fills or when the bins are read. The ingest spreads its rows over
 * thousands of endpoints, each with two of these arrays of a few hundred bins: counting each value
 * as it came was a cache miss per value; a burst brings the array into cache once. Bursts keep the
 * order of the values, so the bins are exactly those of counting one by one.
 */
public final class LatencyHistogram {
    private static final long[] NONE = new long[0];
    private static final int BURST = 128;

    private long[] counts = NONE;
    // bin indexes added but not yet counted, in order; allocated with the first value
    private short[] pending;
    private int pendingCount;
    private int offset;
    private long total;
    // the non-empty bins span [minIndex, maxIndex]; at most MAX_BINS wide, as the library's store
    private int minIndex = Integer.MAX_VALUE;
    private int maxIndex = Integer.MIN_VALUE;

    /** Heap this histogram holds, estimated (object headers and arrays, compressed references). */
    public long heapBytes() {
        return 48 + 16 + 8L * counts.length + (pending == null ? 0 : 16 + 2L * pending.length);
    }

    /** Files one latency (clamped to at least 1 ns, as {@link LatencySketches#add}). */
    public void add(long nanos) {
        short[] p = pending;
        if (p == null) {
            p = pending = new short[BURST];
        }
        // every index fits a short: LatencySketches checks its range once
        p[pendingCount++] = (short) LatencySketches.indexOf(nanos);
        if (pendingCount == BURST) {
            countPending();
        }
    }

    private void countPending() {
        short[] p = pending;
        for (int k = 0, n = pendingCount; k < n; k++) {
            addToBin(p[k], 1);
        }
        pendingCount = 0;
    }

    /**
     * Adds count to bin index. As the library's {@code CollapsingLowestDenseStore}, at most
     * {@link LatencySketches#MAX_BINS} bins are kept: the lowest collapse into the lowest kept one
     * (only a minute spanning 1 ns to days reaches it).
     */
    public void add(int index, long count) {
        if (pendingCount != 0) {
            countPending();
        }
        addToBin(index, count);
    }

    private void addToBin(int index, long count) {
        if (index > maxIndex && minIndex != Integer.MAX_VALUE && index - minIndex + 1 > LatencySketches.MAX_BINS) {
            collapseBelow(index - LatencySketches.MAX_BINS + 1);
        }
        if (maxIndex != Integer.MIN_VALUE && maxIndex - index + 1 > LatencySketches.MAX_BINS) {
            index = maxIndex - LatencySketches.MAX_BINS + 1;
        }
        minIndex = Math.min(minIndex, index);
        maxIndex = Math.max(maxIndex, index);
        int i = index - offset;
        if (i < 0 || i >= counts.length) {
            grow(index);
            i = index - offset;
        }
        counts[i] += count;
        total += count;
    }

    /** Adds every bin of other. */
    public void merge(LatencyHistogram other) {
        if (pendingCount != 0) {
            countPending();
        }
        long[] c = other.counts;
        for (int i = 0; i < c.length; i++) {
            if (c[i] != 0) {
                addToBin(other.offset + i, c[i]);
            }
        }
        for (int k = 0; k < other.pendingCount; k++) {
            addToBin(other.pending[k], 1);
        }
    }

    public long count() {
        return total + pendingCount;
    }

    /** The non-empty bins, ascending. */
    public LatencySketches.Bins bins() {
        if (pendingCount != 0) {
            countPending();
        }
        if (total == 0) {
            return LatencySketches.Bins.EMPTY;
        }
        int n = 0;
        for (long c : counts) {
            n += c != 0 ? 1 : 0;
        }
        int[] indexes = new int[n];
        long[] out = new long[n];
        int k = 0;
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] != 0) {
                indexes[k] = offset + i;
                out[k++] = counts[i];
            }
        }
        return new LatencySketches.Bins(indexes, out);
    }

    /** Folds every bin below floor into floor. */
    private void collapseBelow(int floor) {
        long folded = 0;
        for (int i = 0; i < counts.length && offset + i < floor; i++) {
            folded += counts[i];
            counts[i] = 0;
        }
        minIndex = floor;
        if (folded != 0) {
            int i = floor - offset;
            if (i < 0 || i >= counts.length) {
                grow(floor);
                i = floor - offset;
            }
            counts[i] += folded;
        }
    }

    private void grow(int index) {
        if (counts.length == 0) {
            counts = new long[32];
            offset = index - 16;
            return;
        }
        int pad = Math.max(16, counts.length / 2);
        int lo = index < offset ? index - pad : offset;
        int hi = index >= offset + counts.length ? index + pad : offset + counts.length - 1;
        long[] grown = new long[hi - lo + 1];
        System.arraycopy(counts, 0, grown, offset - lo, counts.length);
        counts = grown;
        offset = lo;
    }

    @Override
    public String toString() {
        return "LatencyHistogram[" + total + " values, bins " + Arrays.toString(bins().indexes()) + "]";
    }
}
