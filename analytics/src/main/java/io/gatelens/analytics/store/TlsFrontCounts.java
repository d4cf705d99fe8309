package io.gatelens.analytics.store;

import io.gatelens.analytics.tls.TlsCounts;
import io.gatelens.analytics.tls.TlsFront;

/** The TLS figures of one front over a queried range (the counts are the caller's). */
public record TlsFrontCounts(TlsFront front, TlsCounts counts) {
}
