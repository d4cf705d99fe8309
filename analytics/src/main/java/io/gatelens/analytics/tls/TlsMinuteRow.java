package io.gatelens.analytics.tls;

/**
 * The TLS statistics of one front over the minute starting at {@code minuteEpochSecond} (a multiple
 * of 60). Several rows of one front and minute may exist (late handshakes); they add up.
 */
public record TlsMinuteRow(long minuteEpochSecond, TlsFront front, TlsCounts counts) {
    public TlsMinuteRow {
        if (Math.floorMod(minuteEpochSecond, 60L) != 0) {
            throw new IllegalArgumentException("minuteEpochSecond must be a multiple of 60, got " + minuteEpochSecond);
        }
        if (front == null || counts == null) {
            throw new IllegalArgumentException("front and counts are required");
        }
    }

    /** Heap this row holds, estimated: the row, its front and name, its counts. */
    public long heapBytes() {
        return 32 + 24 + 40 + front.name().length() + counts.heapBytes();
    }
}
