package io.gatelens.analytics.stats;

/**
 * Statistics of one endpoint on one host over the minute starting at {@code minuteEpochSecond}
 * (a multiple of 60). {@code host} is null when the transactions named no host. Several rows for the
 * same endpoint, host and minute may exist (late records); they add up.
 */
public record MinuteRow(long minuteEpochSecond, int endpointId, String host, EndpointMinute stats) {
    public MinuteRow {
        if (Math.floorMod(minuteEpochSecond, 60L) != 0) {
            throw new IllegalArgumentException("minuteEpochSecond must be a multiple of 60, got " + minuteEpochSecond);
        }
        if (stats == null) {
            throw new IllegalArgumentException("stats must not be null");
        }
    }

    /** Heap this row holds, estimated (the host String is shared with the aggregator's table). */
    public long heapBytes() {
        return 32 + stats.heapBytes();
    }
}
