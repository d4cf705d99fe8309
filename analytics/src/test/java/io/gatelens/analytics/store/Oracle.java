package io.gatelens.analytics.store;

import io.gatelens.analytics.stats.EndpointMinute;
import io.gatelens.analytics.stats.LatencySketches;
import io.gatelens.analytics.stats.MinuteRow;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Test data and the figures it must give, computed in Java from the minute rows alone (merging
 * {@link EndpointMinute}s, quantiles with {@link LatencySketches#quantileNs}), independently of the
 * store's SQL.
 */
final class Oracle {
    private Oracle() {
    }

    /**
     * Minute rows over {@code minutes} minutes from {@code start}: each endpoint has its own latency
     * scale and is idle in some minutes; hosts cycle through {@code hosts} (null allowed).
     */
    static List<MinuteRow> rows(long seed, Instant start, int minutes, int endpoints, String... hosts) {
        SplittableRandom r = new SplittableRandom(seed);
        List<MinuteRow> rows = new ArrayList<>();
        for (int m = 0; m < minutes; m++) {
            long minute = start.getEpochSecond() + m * 60L;
            for (int e = 1; e <= endpoints; e++) {
                for (String host : hosts) {
                    if (r.nextInt(10) < 2) {
                        continue; // idle this minute
                    }
                    rows.add(new MinuteRow(minute, e, host, minuteOf(r, 1 + r.nextInt(40), 1e6 * e)));
                }
            }
        }
        return rows;
    }

    static EndpointMinute minuteOf(SplittableRandom r, int calls, double medianNs) {
        EndpointMinute s = new EndpointMinute();
        for (int i = 0; i < calls; i++) {
            int roll = r.nextInt(100);
            int status = roll < 80 ? 200 : roll < 85 ? 201 : roll < 90 ? 404 : roll < 94 ? 503 : roll < 97 ? 0 : roll < 98 ? 302 : 999;
            long latency = (long) (medianNs * Math.exp(0.6 * gaussian(r)));
            long ttfb = r.nextInt(20) == 0 ? -1 : latency / (2 + r.nextInt(3));
            s.record(status, r.nextInt(2_000), r.nextInt(100_000), ttfb, latency);
        }
        return s;
    }

    static double gaussian(SplittableRandom r) {
        return Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
    }

    /** Figures per endpoint of the rows whose minute starts in [from, to), of one host or all. */
    static Map<Integer, Figures> figures(List<MinuteRow> rows, Instant from, Instant to, String hostOrNull) {
        Map<Integer, EndpointMinute> merged = new TreeMap<>();
        for (MinuteRow row : select(rows, from, to, hostOrNull)) {
            merged.computeIfAbsent(row.endpointId(), id -> new EndpointMinute()).merge(row.stats());
        }
        Map<Integer, Figures> out = new TreeMap<>();
        merged.forEach((id, m) -> out.put(id, figuresOf(m)));
        return out;
    }

    /** Figures of one endpoint over [from, to), {@link Figures#NONE} if it has no rows there. */
    static Figures figures(List<MinuteRow> rows, int endpointId, Instant from, Instant to, String hostOrNull) {
        EndpointMinute merged = null;
        for (MinuteRow row : select(rows, from, to, hostOrNull)) {
            if (row.endpointId() == endpointId) {
                if (merged == null) {
                    merged = new EndpointMinute();
                }
                merged.merge(row.stats());
            }
        }
        return merged == null ? Figures.NONE : figuresOf(merged);
    }

    static List<MinuteRow> select(List<MinuteRow> rows, Instant from, Instant to, String hostOrNull) {
        List<MinuteRow> out = new ArrayList<>();
        for (MinuteRow row : rows) {
            Instant start = Instant.ofEpochSecond(row.minuteEpochSecond());
            if (!start.isBefore(from) && start.isBefore(to) && (hostOrNull == null || Objects.equals(hostOrNull, row.host()))) {
                out.add(row);
            }
        }
        return out;
    }

    static Figures figuresOf(EndpointMinute m) {
        Map<Integer, Long> byCode = new TreeMap<>();
        int[] codes = m.statusCodes();
        long[] counts = m.statusCodeCounts();
        for (int i = 0; i < codes.length; i++) {
            byCode.put(codes[i], counts[i]);
        }
        return new Figures(m.calls(), m.s1xx(), m.s2xx(), m.s3xx(), m.s4xx(), m.s5xx(), m.sOther(), m.noResponse(),
            Collections.unmodifiableMap(byCode), m.reqBytes(), m.respBytes(), percentiles(m.latencyBins()), m.maxLatencyNs(),
            percentiles(m.ttfbBins()));
    }

    static Percentiles percentiles(LatencySketches.Bins bins) {
        if (bins.isEmpty()) {
            return null;
        }
        return new Percentiles(bins.count(), LatencySketches.quantileNs(bins, 0.5), LatencySketches.quantileNs(bins, 0.9),
            LatencySketches.quantileNs(bins, 0.95), LatencySketches.quantileNs(bins, 0.99));
    }

    /** The store's answer as a map, to compare with {@link #figures(List, Instant, Instant, String)}. */
    static Map<Integer, Figures> asMap(List<EndpointFigures> figures) {
        Map<Integer, Figures> out = new TreeMap<>();
        for (EndpointFigures f : figures) {
            out.put(f.endpointId(), f.figures());
        }
        return out;
    }
}
