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
