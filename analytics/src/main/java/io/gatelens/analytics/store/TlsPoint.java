package io.gatelens.analytics.store;

import io.gatelens.analytics.tls.TlsCounts;
import java.time.Instant;

/** One step of a front's TLS series: the figures of [start, start + step) (the counts are the caller's). */
public record TlsPoint(Instant start, TlsCounts counts) {
}
