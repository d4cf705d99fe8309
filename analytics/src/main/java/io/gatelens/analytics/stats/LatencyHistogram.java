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
 */
public final class LatencyHistogram {
    private static final long[] NONE = new long[0];

    private long[] counts = NONE;
    private int offset;
    private long total;
    // the non-empty bins span [minIndex, maxIndex]; at most MAX_BINS wide, as the library's store
    private int minIndex = Integer.MAX_VALUE;
    private int maxIndex = Integer.MIN_VALUE;

    /** Files one latency (clamped to at least 1 ns, as {@link LatencySketches#add}). */
    public void add(long nanos) {
        add(LatencySketches.indexOf(nanos), 1);
    }

    /**
     * Adds count to bin index. As the library's {@code CollapsingLowestDenseStore}, at most
     * {@link LatencySketches#MAX_BINS} bins are kept: the lowest collapse into the lowest kept one
     * (only a minute spanning 1 ns to days reaches it).
     */
    public void add(int index, long count) {
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
        long[] c = other.counts;
        for (int i = 0; i < c.length; i++) {
            if (c[i] != 0) {
                add(other.offset + i, c[i]);
            }
        }
    }

    public long count() {
        return total;
    }

    /** The non-empty bins, ascending. */
    public LatencySketches.Bins bins() {
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
