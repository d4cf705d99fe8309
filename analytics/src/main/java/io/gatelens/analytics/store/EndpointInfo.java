package io.gatelens.analytics.store;

import java.time.Instant;

/** A registered endpoint: its id, what it stands for, and when it was registered (microsecond precision). */
public record EndpointInfo(int id, EndpointKey key, Instant firstSeen) {
}
