package io.gatelens.analytics.stats;

import static org.junit.jupiter.api.Assertions.*;

import com.datadoghq.sketch.ddsketch.DDSketch;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The ingest's bin counting files every value where the library's DDSketch does. */
class LatencyHistogramTest {
    @Test
    void binsEqualTheLibrarySketchFedTheSameValues() {
        SplittableRandom rnd = new SplittableRandom(11);
        for (int round = 0; round < 50; round++) {
            DDSketch sketch = LatencySketches.newSketch();
            LatencyHistogram hist = new LatencyHistogram();
            int n = 1 + rnd.nextInt(3_000);
            for (int i = 0; i < n; i++) {
                long v = switch (rnd.nextInt(4)) {
                    case 0 -> (long) Math.exp(Math.log(20e6) + 1.5 * rnd.nextGaussian());
                    case 1 -> rnd.nextLong(1, 1_000);
                    case 2 -> rnd.nextLong(-5, 2);
                    default -> rnd.nextLong(1, Long.MAX_VALUE);
                };
                LatencySketches.add(sketch, v);
                hist.add(v);
            }
            assertEquals(LatencySketches.bins(sketch), hist.bins(), "round " + round);
            assertEquals(n, hist.count());
        }
    }

    @Test
    void theIndexTableAgreesWithTheMappingEverywhere() {
        com.datadoghq.sketch.ddsketch.mapping.IndexMapping mapping =
            new com.datadoghq.sketch.ddsketch.mapping.LogarithmicMapping(LatencySketches.RELATIVE_ACCURACY);
        SplittableRandom rnd = new SplittableRandom(5);
        for (long v = 1; v > 0 && v < Long.MAX_VALUE / 2; v = v * 2 + 1) {
            for (long d = -3; d <= 3; d++) {
                long n = Math.max(1, v + d);
                assertEquals(mapping.index((double) n), LatencySketches.indexOf(n), "at " + n);
            }
        }
        for (int i = 0; i < 200_000; i++) {
            long n = i % 2 == 0 ? rnd.nextLong(1, 100_000_000_000L) : rnd.nextLong(1, Long.MAX_VALUE);
            assertEquals(mapping.index((double) n), LatencySketches.indexOf(n), "at " + n);
            // both sides of the step the value is next to
            int idx = LatencySketches.indexOf(n);
            long low = (long) Math.ceil(mapping.lowerBound(idx));
            for (long m = Math.max(1, low - 2); m <= low + 2; m++) {
                assertEquals(mapping.index((double) m), LatencySketches.indexOf(m), "at " + m);
            }
        }
        assertEquals(mapping.index(1.0), LatencySketches.indexOf(-5));
        assertEquals(mapping.index((double) Long.MAX_VALUE), LatencySketches.indexOf(Long.MAX_VALUE));
    }

    @Test
    void valuesBufferedForABurstCountAsIfCountedOneByOne() {
        // counts read between bursts, bins added directly in between, a merge of a half-full buffer
        LatencyHistogram hist = new LatencyHistogram();
        LatencyHistogram other = new LatencyHistogram();
        DDSketch all = LatencySketches.newSketch();
        SplittableRandom rnd = new SplittableRandom(3);
        long n = 0;
        for (int i = 0; i < 1_000; i++) {
            long v = rnd.nextLong(1, 10_000_000_000L);
            hist.add(v);
            LatencySketches.add(all, v);
            assertEquals(++n, hist.count(), "after " + n + " values");
            if (i % 97 == 0) {
                hist.add(LatencySketches.indexOf(5_000), 3);
                for (int k = 0; k < 3; k++) {
                    LatencySketches.add(all, 5_000);
                }
                n += 3;
                assertEquals(n, hist.count());
            }
            if (i % 300 == 0) {
                assertEquals(LatencySketches.bins(all), hist.bins(), "read after " + i);
            }
        }
        for (int i = 0; i < 70; i++) {
            long v = rnd.nextLong(1, 1_000_000);
            other.add(v);
            LatencySketches.add(all, v);
        }
        hist.merge(other);
        assertEquals(n + 70, hist.count());
        assertEquals(LatencySketches.bins(all), hist.bins());
        assertEquals(70, other.count(), "the merged histogram is unchanged");
    }

    @Test
    void mergeAddsBinByBin() {
        LatencyHistogram a = new LatencyHistogram();
        LatencyHistogram b = new LatencyHistogram();
        DDSketch all = LatencySketches.newSketch();
        for (long v = 1; v < 10_000_000_000L; v *= 3) {
            a.add(v);
            LatencySketches.add(all, v);
            b.add(v * 7 + 1);
            LatencySketches.add(all, v * 7 + 1);
        }
        a.merge(b);
        assertEquals(LatencySketches.bins(all), a.bins());
        assertEquals(LatencySketches.Bins.EMPTY, new LatencyHistogram().bins());
    }
}
