package io.gatelens.analytics.store;

/**
 * Quantiles of a latency distribution in nanoseconds, from merged sketch bins with the semantics of
 * {@link io.gatelens.analytics.stats.LatencySketches#quantileNs}: each within 1% of a sample's value.
 *
 * @param samples number of values the quantiles describe
 */
public record Percentiles(long samples, double p50Ns, double p90Ns, double p95Ns, double p99Ns) {
}
