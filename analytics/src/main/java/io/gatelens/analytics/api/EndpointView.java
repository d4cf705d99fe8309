package io.gatelens.analytics.api;

import io.gatelens.analytics.store.Figures;
import io.gatelens.analytics.store.Percentiles;

import java.time.Duration;
import java.util.Map;

/** The figures the API returns, from the store's {@link Figures}: rates, and latencies in milliseconds. */
public final class EndpointView {
    private EndpointView() {
    }

    /** Latency percentiles in ms; null fields when nothing was measured. */
    public record Latency(Double p50, Double p90, Double p95, Double p99, Double max) {
    }

    public record StatusClasses(long s1xx, long s2xx, long s3xx, long s4xx, long s5xx, long other, long noResponse) {
    }

    /** One operation or shadow endpoint over the queried range. */
    public record Row(int id, String kind, String spec, String method, String path, String operationId,
                      String summary, String host, long calls, double callsPerSecond, double errorRate4xx,
                      double errorRate5xx, StatusClasses status, Map<Integer, Long> byStatusCode,
                      long requestBytes, long responseBytes, Latency latencyMs, Latency ttfbMs) {
    }

    /** One step of a series. */
    public record Point(String t, long calls, double callsPerSecond, double errorRate4xx, double errorRate5xx,
                        StatusClasses status, Map<Integer, Long> byStatusCode, Latency latencyMs, Latency ttfbMs) {
    }

    static Row row(int id, String kind, String spec, String method, String path, String operationId, String summary,
                   String host, Figures f, Duration range) {
        return new Row(id, kind, spec, method, path, operationId, summary, host, f.calls(), perSecond(f.calls(), range),
            rate(f.s4xx(), f.calls()), rate(f.s5xx(), f.calls()), classes(f), f.byStatusCode(), f.reqBytes(),
            f.respBytes(), latency(f.latency(), f.maxLatencyNs()), latency(f.ttfb(), -1));
    }

    static Point point(String t, Figures f, Duration step) {
        return new Point(t, f.calls(), perSecond(f.calls(), step), rate(f.s4xx(), f.calls()), rate(f.s5xx(), f.calls()),
            classes(f), f.byStatusCode(), latency(f.latency(), f.maxLatencyNs()), latency(f.ttfb(), -1));
    }

    private static StatusClasses classes(Figures f) {
        return new StatusClasses(f.s1xx(), f.s2xx(), f.s3xx(), f.s4xx(), f.s5xx(), f.sOther(), f.noResponse());
    }

    private static double perSecond(long calls, Duration d) {
        double seconds = d.toNanos() / 1e9;
        return seconds <= 0 ? 0 : calls / seconds;
    }

    private static double rate(long part, long whole) {
        return whole == 0 ? 0 : (double) part / whole;
    }

    private static Latency latency(Percentiles p, long maxNs) {
        if (p == null || p.samples() == 0) {
            return new Latency(null, null, null, null, null);
        }
        return new Latency(ms(p.p50Ns()), ms(p.p90Ns()), ms(p.p95Ns()), ms(p.p99Ns()), maxNs < 0 ? null : ms(maxNs));
    }

    private static double ms(double ns) {
        // 4 significant decimals of a millisecond: the sketch is 1 % accurate anyway
        return Math.round(ns / 100.0) / 10_000.0;
    }
}
