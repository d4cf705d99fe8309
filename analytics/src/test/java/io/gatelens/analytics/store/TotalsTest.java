package io.gatelens.analytics.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.gatelens.analytics.stats.EndpointMinute;
import io.gatelens.analytics.stats.LatencySketches;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TotalsTest {
    @Test
    void encodingIsTheDocumentedVarintLayout() {
        // codes [200, 404] x [5, 1]: n=2, zigzag(200)=400 -> 90 03, 5-1 -> 04, gap 203 -> cb 01, 1-1 -> 00
        byte[] bins = Totals.encode(new int[] {200, 404}, new long[] {5, 1}, LatencySketches.Bins.EMPTY,
            new LatencySketches.Bins(new int[] {-1, 0, 1, 300}, new long[] {1, 128, 16384, Long.MAX_VALUE}));
        assertArrayEquals(bytes("02 90 03 04 cb 01 00  00  04 01 00 00 7f 00 ff 7f aa 02 fe ff ff ff ff ff ff ff 7f"), bins);
        assertArrayEquals(bytes("00 00 00"), Totals.encodeBins(new EndpointMinute()));
    }

    @Test
    void mergedRowsEqualTheMergedMinutes() {
        SplittableRandom r = new SplittableRandom(4);
        EndpointMinute all = new EndpointMinute();
        Totals totals = new Totals();
        Totals viaMerge = new Totals();
        for (int m = 0; m < 50; m++) {
            EndpointMinute minute = Oracle.minuteOf(r, r.nextInt(30), Math.pow(10, 2 + r.nextInt(8)));
            all.merge(minute);
            byte[] bins = Totals.encodeBins(minute);
            totals.addScalars(Totals.scalarsOf(minute), 0);
            totals.addBins(bins, 0, bins.length);
            Totals one = new Totals();
            one.addScalars(Totals.scalarsOf(minute), 0);
            one.addBins(bins, 0, bins.length);
            viaMerge.merge(one);
        }
        assertEquals(Oracle.figuresOf(all), totals.figures());
        assertEquals(Oracle.figuresOf(all), viaMerge.figures());
        // re-encoding the sum gives the sum's encoding
        assertArrayEquals(Totals.encodeBins(all), totals.encodeBins());
    }

    @Test
    void latenciesFromOneNanosecondToWeeksMerge() {
        EndpointMinute all = new EndpointMinute();
        Totals totals = new Totals();
        for (long latency : List.of(0L, 1L, 2L, 999L, 1_000_000_000L, 1_000_000_000_000_000L, 7L, 1L)) {
            EndpointMinute m = new EndpointMinute();
            m.record(200, 0, 0, latency / 2, latency);
            all.merge(m);
            byte[] bins = Totals.encodeBins(m);
            totals.addScalars(Totals.scalarsOf(m), 0);
            totals.addBins(bins, 0, bins.length);
        }
        assertEquals(Oracle.figuresOf(all), totals.figures());
    }

    @Test
    void malformedInputIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> Totals.encode(new int[] {404, 200}, new long[] {1, 1},
            LatencySketches.Bins.EMPTY, LatencySketches.Bins.EMPTY));
        assertThrows(IllegalArgumentException.class, () -> Totals.encode(new int[] {200}, new long[] {0},
            LatencySketches.Bins.EMPTY, LatencySketches.Bins.EMPTY));
        byte[] trailing = bytes("00 00 00 00");
        assertThrows(IllegalStateException.class, () -> new Totals().addBins(trailing, 0, trailing.length));
    }

    private static byte[] bytes(String hex) {
        String[] parts = hex.trim().split("\\s+");
        byte[] out = new byte[parts.length];
        for (int i = 0; i < parts.length; i++) {
            out[i] = (byte) Integer.parseInt(parts[i], 16);
        }
        return out;
    }
}
