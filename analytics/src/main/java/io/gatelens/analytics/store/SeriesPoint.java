package io.gatelens.analytics.store;

import java.time.Instant;

/** The figures of one step of a series, covering [start, start + step) clipped to the queried range. */
public record SeriesPoint(Instant start, Figures figures) {
}
