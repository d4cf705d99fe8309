package io.gatelens.analytics.stats;

import com.datadoghq.sketch.ddsketch.DDSketch;
import com.datadoghq.sketch.ddsketch.mapping.IndexMapping;
import com.datadoghq.sketch.ddsketch.mapping.LogarithmicMapping;
import com.datadoghq.sketch.ddsketch.store.CollapsingLowestDenseStore;
import com.datadoghq.sketch.ddsketch.store.Store;
import java.util.Arrays;
import java.util.NoSuchElementException;

/**
 * The one latency-sketch configuration of the product, and the conversions between a sketch and the
 * bins that the store keeps.
 *
 * <p>A DDSketch with a {@link LogarithmicMapping} of {@value #RELATIVE_ACCURACY} relative accuracy:
 * every quantile it reports is within 1% of the exact value of some sample at that rank. Values are
 * nanoseconds, clamped to at least 1 ns so that nothing lands in the zero bucket (a sketch is then
 * fully described by its positive bins). The store collapses its lowest bins past
 * {@value #MAX_BINS} bins; at 1% accuracy that many bins span 1 ns to about 17 years, so in practice it
 * never collapses and sketches merge exactly bin by bin, which is what lets the store merge them in
 * SQL by summing counts per index.
 */
public final class LatencySketches {
    public static final double RELATIVE_ACCURACY = 0.01;
    public static final int MAX_BINS = 2048;

    /** Immutable and thread-safe; shared by every sketch so that bin indexes mean the same everywhere. */
    private static final IndexMapping MAPPING = new LogarithmicMapping(RELATIVE_ACCURACY);

    private LatencySketches() {
    }

    public static DDSketch newSketch() {
        return new DDSketch(MAPPING, () -> new CollapsingLowestDenseStore(MAX_BINS));
    }

    /** Adds one latency, clamped to at least 1 ns. */
    public static void add(DDSketch sketch, long nanos) {
        sketch.accept(nanos < 1 ? 1.0 : (double) nanos);
    }

    /**
     * The bin index a latency falls into (after clamping), as {@link #add} would file it: exactly
     * {@code MAPPING.index((double) max(1, nanos))}, without the logarithm. The thresholds where the
     * index steps up are found once, from the mapping itself, so the two cannot disagree; a value
     * then costs a leading-zero count and a short binary search (the ingest files two per transaction).
     */
    public static int indexOf(long nanos) {
        long n = nanos < 1 ? 1 : nanos;
        if (n < SMALL) {
            return SMALL_INDEX[(int) n];
        }
        // a bucket is 1/128 of a power of two wide (< 0.8 %), narrower than a bin (2 %): it holds at
        // most one threshold, so one comparison finishes
        int p = 63 - Long.numberOfLeadingZeros(n);
        int bucket = (p << 7) | (int) ((n >>> (p - 7)) & 127);
        int k = BUCKET_FLOOR[bucket];
        if (k + 1 < THRESHOLDS.length && THRESHOLDS[k + 1] <= n) {
            k++;
        }
        return MIN_INDEX + k;
    }

    private static final int MIN_INDEX = MAPPING.index(1.0);
    /** THRESHOLDS[k]: the smallest n >= 1 whose index is at least MIN_INDEX + k. */
    private static final long[] THRESHOLDS;
    private static final int SMALL = 256;
    /** The index of every n below SMALL. */
    private static final int[] SMALL_INDEX = new int[SMALL];
    /** BUCKET_FLOOR[p * 128 + m]: the largest k with THRESHOLDS[k] <= 2^p + m * 2^(p-7), for p >= 8. */
    private static final int[] BUCKET_FLOOR = new int[64 * 128];

    static {
        int maxIndex = MAPPING.index((double) Long.MAX_VALUE);
        if (MIN_INDEX < Short.MIN_VALUE || maxIndex > Short.MAX_VALUE) {
            throw new ExceptionInInitializerError("bin indexes " + MIN_INDEX + ".." + maxIndex
                + " do not fit the short that LatencyHistogram buffers them in");
        }
        long[] t = new long[maxIndex - MIN_INDEX + 1];
        t[0] = 1;
        for (int k = 1; k < t.length; k++) {
            long lo = t[k - 1];
            long hi = Long.MAX_VALUE;
            // smallest n in (lo, hi] with index(n) >= MIN_INDEX + k (index is monotonic in n)
            while (lo < hi) {
                long mid = lo + (hi - lo) / 2;
                if (MAPPING.index((double) mid) >= MIN_INDEX + k) {
                    hi = mid;
                } else {
                    lo = mid + 1;
                }
            }
            t[k] = lo;
        }
        THRESHOLDS = t;
        int k = 0;
        for (int n = 1; n < SMALL; n++) {
            while (k + 1 < t.length && t[k + 1] <= n) {
                k++;
            }
            SMALL_INDEX[n] = MIN_INDEX + k;
        }
        SMALL_INDEX[0] = SMALL_INDEX[1];
        k = 0;
        for (int p = 8; p < 63; p++) { // a positive long's top bit is at most 62
            for (int m = 0; m < 128; m++) {
                long start = (1L << p) + ((long) m << (p - 7));
                while (k + 1 < t.length && t[k + 1] <= start) {
                    k++;
                }
                BUCKET_FLOOR[(p << 7) | m] = k;
            }
        }
    }

    /** The value the sketch reports for a bin: within {@value #RELATIVE_ACCURACY} of any value in it. */
    public static double valueNs(int index) {
        return MAPPING.value(index);
    }

    /**
     * The non-empty bins of a sketch made by {@link #newSketch()} and fed through {@link #add}, in
     * ascending index order.
     *
     * @throws IllegalArgumentException if the sketch uses another mapping or holds zero or negative values
     */
    public static Bins bins(DDSketch sketch) {
        if (!MAPPING.equals(sketch.getIndexMapping())) {
            throw new IllegalArgumentException("sketch uses another index mapping: " + sketch.getIndexMapping());
        }
        Store positive = sketch.getPositiveValueStore();
        if (!sketch.getNegativeValueStore().isEmpty() || sketch.getCount() != positive.getTotalCount()) {
            throw new IllegalArgumentException("sketch holds zero or negative values; latencies are clamped to >= 1 ns");
        }
        if (positive.isEmpty()) {
            return Bins.EMPTY;
        }
        int span = positive.getMaxIndex() - positive.getMinIndex() + 1;
        int[] indexes = new int[span];
        long[] counts = new long[span];
        int[] n = {0};
        positive.forEach((index, count) -> {
            indexes[n[0]] = index;
            // counts are whole numbers held in doubles (each sample adds 1.0)
            counts[n[0]] = Math.round(count);
            n[0]++;
        });
        return new Bins(Arrays.copyOf(indexes, n[0]), Arrays.copyOf(counts, n[0]));
    }

    public static DDSketch fromBins(Bins bins) {
        DDSketch sketch = newSketch();
        Store positive = sketch.getPositiveValueStore();
        int[] indexes = bins.indexes();
        long[] counts = bins.counts();
        for (int i = 0; i < indexes.length; i++) {
            positive.add(indexes[i], counts[i]);
        }
        return sketch;
    }

    /**
     * The quantile of merged bins with the semantics of {@link DDSketch#getValueAtQuantile}: rank =
     * q * (count - 1), the first bin whose cumulative count exceeds the rank, its
     * {@link #valueNs value}. Arithmetic in doubles as the sketch does, so results are identical.
     *
     * @throws IllegalArgumentException if q is not within [0, 1]
     * @throws NoSuchElementException if the bins are empty, as the sketch does
     */
    public static double quantileNs(Bins bins, double q) {
        if (!(q >= 0 && q <= 1)) {
            throw new IllegalArgumentException("quantile must be within [0, 1], got " + q);
        }
        long total = bins.count();
        if (total == 0) {
            throw new NoSuchElementException("no values");
        }
        double rank = q * ((double) total - 1);
        double cumulative = 0;
        int[] indexes = bins.indexes();
        long[] counts = bins.counts();
        for (int i = 0; i < indexes.length; i++) {
            cumulative += counts[i];
            if (cumulative > rank) {
                return MAPPING.value(indexes[i]);
            }
        }
        // unreachable: the last cumulative count is total > rank
        throw new IllegalStateException("rank " + rank + " beyond total " + total);
    }

    /**
     * Bins of one sketch: ascending bin indexes and their counts (parallel arrays). The record takes
     * the arrays as they are, without copying: do not modify them afterwards.
     */
    public record Bins(int[] indexes, long[] counts) {
        public static final Bins EMPTY = new Bins(new int[0], new long[0]);

        public Bins {
            if (indexes.length != counts.length) {
                throw new IllegalArgumentException(indexes.length + " indexes but " + counts.length + " counts");
            }
            for (int i = 0; i < indexes.length; i++) {
                if (counts[i] <= 0) {
                    throw new IllegalArgumentException("bin " + indexes[i] + " has count " + counts[i] + "; counts must be > 0");
                }
                if (i > 0 && indexes[i] <= indexes[i - 1]) {
                    throw new IllegalArgumentException("bin indexes must ascend strictly: " + indexes[i - 1] + " then " + indexes[i]);
                }
            }
        }

        /** Number of values: the sum of the counts. */
        public long count() {
            long total = 0;
            for (long c : counts) {
                total += c;
            }
            return total;
        }

        public boolean isEmpty() {
            return indexes.length == 0;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Bins b && Arrays.equals(indexes, b.indexes) && Arrays.equals(counts, b.counts);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(indexes) + Arrays.hashCode(counts);
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder("Bins[");
            for (int i = 0; i < indexes.length; i++) {
                sb.append(i == 0 ? "" : ", ").append(indexes[i]).append('=').append(counts[i]);
            }
            return sb.append(']').toString();
        }
    }
}
