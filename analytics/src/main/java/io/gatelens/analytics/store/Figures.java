package io.gatelens.analytics.store;

import java.util.Map;

/**
 * Statistics of an endpoint over a time range: the sums of its rows, status counts and merged latency
 * sketches. See {@link io.gatelens.analytics.stats.EndpointMinute} for what counts where.
 *
 * @param byStatusCode responses per exact status code (100..599), ascending by code
 * @param latency null when no transaction in the range had a response with a measured latency
 * @param maxLatencyNs exact maximum, 0 when none
 * @param ttfb time to first byte; null when none was measured
 */
public record Figures(long calls, long s1xx, long s2xx, long s3xx, long s4xx, long s5xx, long sOther, long noResponse,
                      Map<Integer, Long> byStatusCode, long reqBytes, long respBytes,
                      Percentiles latency, long maxLatencyNs, Percentiles ttfb) {
    public static final Figures NONE = new Figures(0, 0, 0, 0, 0, 0, 0, 0, Map.of(), 0, 0, null, 0, null);
}
