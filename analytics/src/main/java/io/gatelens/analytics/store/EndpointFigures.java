package io.gatelens.analytics.store;

/** The figures of one endpoint over a queried range. */
public record EndpointFigures(int endpointId, Figures figures) {
}
