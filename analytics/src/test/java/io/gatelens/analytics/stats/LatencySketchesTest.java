package io.gatelens.analytics.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datadoghq.sketch.ddsketch.DDSketch;
import java.util.Arrays;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import java.util.function.LongSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class LatencySketchesTest {
    static final double[] QUANTILES = {0.5, 0.9, 0.95, 0.99};

    /** Latency distributions in nanoseconds. */
    static Stream<Arguments> distributions() {
        return Stream.of(
            Arguments.of("log-normal, median 20 ms", (LongSupplierFactory) r -> () -> logNormal(r, 20e6, 0.8)),
            Arguments.of("bimodal: 2 ms cache hits, 300 ms misses", (LongSupplierFactory) r ->
                () -> r.nextInt(100) < 70 ? logNormal(r, 2e6, 0.3) : logNormal(r, 300e6, 0.4)),
            Arguments.of("uniform over 1 us .. 10 s", (LongSupplierFactory) r -> () -> r.nextLong(1_000, 10_000_000_001L)));
    }

    interface LongSupplierFactory {
        LongSupplier create(SplittableRandom r);
    }

    static long logNormal(SplittableRandom r, double median, double sigma) {
        return (long) (median * Math.exp(sigma * gaussian(r)));
    }

    static double gaussian(SplittableRandom r) {
        double u = 1 - r.nextDouble();
        double v = r.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }

    /** The value the sketch's rank points at: sorted[floor(q * (n - 1))], the element DDSketch's guarantee is about. */
    static long exactQuantile(long[] sorted, double q) {
        return sorted[(int) Math.floor(q * (sorted.length - 1))];
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("distributions")
    void quantilesFromBinsAreWithinOnePercentOfExact(String name, LongSupplierFactory factory) {
        long[] values = new long[200_000];
        LongSupplier gen = factory.create(new SplittableRandom(name.hashCode()));
        DDSketch sketch = LatencySketches.newSketch();
        for (int i = 0; i < values.length; i++) {
            values[i] = gen.getAsLong();
            LatencySketches.add(sketch, values[i]);
        }
        Arrays.sort(values);
        LatencySketches.Bins bins = LatencySketches.bins(sketch);
        assertEquals(values.length, bins.count());
        for (double q : QUANTILES) {
            long exact = exactQuantile(values, q);
            double estimate = LatencySketches.quantileNs(bins, q);
            double relativeError = Math.abs(estimate - exact) / exact;
            assertTrue(relativeError <= LatencySketches.RELATIVE_ACCURACY + 1e-12,
                name + " p" + q + ": exact " + exact + ", sketch " + estimate + ", error " + relativeError);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("distributions")
    void quantileNsHasTheSketchsSemanticsExactly(String name, LongSupplierFactory factory) {
        LongSupplier gen = factory.create(new SplittableRandom(7));
        for (int n : new int[] {1, 2, 3, 10, 999, 20_000}) {
            DDSketch sketch = LatencySketches.newSketch();
            for (int i = 0; i < n; i++) {
                LatencySketches.add(sketch, gen.getAsLong());
            }
            LatencySketches.Bins bins = LatencySketches.bins(sketch);
            for (int k = 0; k <= 1000; k++) {
                double q = k / 1000.0;
                assertEquals(sketch.getValueAtQuantile(q), LatencySketches.quantileNs(bins, q), name + " n=" + n + " q=" + q);
            }
            for (double q : QUANTILES) {
                assertEquals(sketch.getValueAtQuantile(q), LatencySketches.quantileNs(bins, q));
            }
        }
    }

    @Test
    void sixtyMinuteSketchesMergedBinByBinEqualTheSketchOfAllValues() {
        SplittableRandom r = new SplittableRandom(3);
        DDSketch all = LatencySketches.newSketch();
        DDSketch merged = LatencySketches.newSketch();
        for (int minute = 0; minute < 60; minute++) {
            DDSketch perMinute = LatencySketches.newSketch();
            // the median drifts over the hour, as real latency does
            double median = 5e6 * (1 + minute / 10.0);
            for (int i = 0; i < 500; i++) {
                long v = logNormal(r, median, 0.5);
                LatencySketches.add(perMinute, v);
                LatencySketches.add(all, v);
            }
            // through the stored representation, as the store sees it
            merged.mergeWith(LatencySketches.fromBins(LatencySketches.bins(perMinute)));
        }
        assertEquals(LatencySketches.bins(all), LatencySketches.bins(merged));
        for (double q : QUANTILES) {
            assertEquals(all.getValueAtQuantile(q), LatencySketches.quantileNs(LatencySketches.bins(merged), q));
        }
    }

    @Test
    void binsRoundTripThroughFromBins() {
        DDSketch sketch = LatencySketches.newSketch();
        for (long v = 1; v < 10_000_000_000L; v = v * 3 + 7) {
            LatencySketches.add(sketch, v);
            LatencySketches.add(sketch, v);
        }
        LatencySketches.Bins bins = LatencySketches.bins(sketch);
        assertEquals(bins, LatencySketches.bins(LatencySketches.fromBins(bins)));
        for (int i = 1; i < bins.indexes().length; i++) {
            assertTrue(bins.indexes()[i] > bins.indexes()[i - 1], "ascending");
        }
        assertEquals((long) sketch.getCount(), bins.count());
    }

    @Test
    void zeroAndNegativeLatenciesAreClampedToOneNanosecond() {
        DDSketch sketch = LatencySketches.newSketch();
        LatencySketches.add(sketch, 0);
        LatencySketches.add(sketch, -5);
        LatencySketches.add(sketch, 1);
        LatencySketches.Bins bins = LatencySketches.bins(sketch);
        assertEquals(new LatencySketches.Bins(new int[] {LatencySketches.indexOf(1)}, new long[] {3}), bins);
        assertEquals(1.0, LatencySketches.quantileNs(bins, 0.5), LatencySketches.RELATIVE_ACCURACY + 1e-12);
    }

    @Test
    void aSketchWithAZeroOrNegativeValueIsRejected() {
        DDSketch sketch = LatencySketches.newSketch();
        sketch.accept(0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LatencySketches.bins(sketch));
        assertTrue(e.getMessage().contains("clamped"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> LatencySketches.bins(new DDSketch(0.02)));
    }

    @Test
    void quantileArgumentsAreChecked() {
        LatencySketches.Bins bins = new LatencySketches.Bins(new int[] {10}, new long[] {1});
        assertThrows(IllegalArgumentException.class, () -> LatencySketches.quantileNs(bins, -0.1));
        assertThrows(IllegalArgumentException.class, () -> LatencySketches.quantileNs(bins, 1.5));
        assertThrows(IllegalArgumentException.class, () -> LatencySketches.quantileNs(bins, Double.NaN));
        assertThrows(NoSuchElementException.class, () -> LatencySketches.quantileNs(LatencySketches.Bins.EMPTY, 0.5));
        assertThrows(IllegalArgumentException.class, () -> new LatencySketches.Bins(new int[] {2, 1}, new long[] {1, 1}));
        assertThrows(IllegalArgumentException.class, () -> new LatencySketches.Bins(new int[] {1}, new long[] {0}));
        assertThrows(IllegalArgumentException.class, () -> new LatencySketches.Bins(new int[] {1, 2}, new long[] {1}));
    }
}
