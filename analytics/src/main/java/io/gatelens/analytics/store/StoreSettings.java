package io.gatelens.analytics.store;

import java.time.Duration;

/**
 * Retention and rollup timing of a {@link StatsStore}.
 *
 * @param minuteRetention how long minute rows are kept (only hours already rolled up are deleted);
 *     a query whose range starts or ends off the hour beyond it lacks the minutes of its partial hours
 * @param hourRetention how long hour rows are kept
 * @param rollupGrace how long after an hour ends before it is rolled up, so that minute rows still
 *     being flushed for it are included; must cover the aggregator's flush grace plus the flush period
 * @param cacheBytes heap the store may keep decoded hour and five-minute blocks in for queries; about
 *     0.4 MB per hour of 1,000 endpoints, so the default 32 MiB holds three days of hours
 * @param duckdbMemoryLimit DuckDB's {@code memory_limit} (e.g. {@code 128MB}); its own default is 80 %
 *     of the machine's memory, far above what a sidecar-sized service may use
 * @param duckdbCheckpointThreshold DuckDB's {@code checkpoint_threshold}: how much WAL makes a commit
 *     checkpoint it into the database file (its own default, 16MB)
 */
public record StoreSettings(Duration minuteRetention, Duration hourRetention, Duration rollupGrace, long cacheBytes,
                            String duckdbMemoryLimit, String duckdbCheckpointThreshold) {
    public static final long DEFAULT_CACHE_BYTES = 32L << 20;
    public static final String DEFAULT_DUCKDB_MEMORY_LIMIT = "128MB";
    public static final String DEFAULT_DUCKDB_CHECKPOINT_THRESHOLD = "16MB";
    public static final StoreSettings DEFAULTS = new StoreSettings(Duration.ofDays(7), Duration.ofDays(90), Duration.ofMinutes(5));

    public StoreSettings(Duration minuteRetention, Duration hourRetention, Duration rollupGrace) {
        this(minuteRetention, hourRetention, rollupGrace, DEFAULT_CACHE_BYTES);
    }

    public StoreSettings(Duration minuteRetention, Duration hourRetention, Duration rollupGrace, long cacheBytes) {
        this(minuteRetention, hourRetention, rollupGrace, cacheBytes, DEFAULT_DUCKDB_MEMORY_LIMIT);
    }

    public StoreSettings(Duration minuteRetention, Duration hourRetention, Duration rollupGrace, long cacheBytes,
                         String duckdbMemoryLimit) {
        this(minuteRetention, hourRetention, rollupGrace, cacheBytes, duckdbMemoryLimit, DEFAULT_DUCKDB_CHECKPOINT_THRESHOLD);
    }

    /** These settings with another {@link #duckdbCheckpointThreshold}. */
    public StoreSettings withDuckdbCheckpointThreshold(String threshold) {
        return new StoreSettings(minuteRetention, hourRetention, rollupGrace, cacheBytes, duckdbMemoryLimit, threshold);
    }

    public StoreSettings {
        if (minuteRetention == null || hourRetention == null || rollupGrace == null) {
            throw new IllegalArgumentException("minuteRetention, hourRetention and rollupGrace are required");
        }
        if (minuteRetention.isNegative() || minuteRetention.isZero()) {
            throw new IllegalArgumentException("minuteRetention must be positive, got " + minuteRetention);
        }
        if (hourRetention.compareTo(minuteRetention) < 0) {
            throw new IllegalArgumentException("hourRetention (" + hourRetention + ") must not be shorter than minuteRetention ("
                + minuteRetention + ")");
        }
        if (rollupGrace.isNegative()) {
            throw new IllegalArgumentException("rollupGrace must be >= 0, got " + rollupGrace);
        }
        if (duckdbMemoryLimit == null || !duckdbMemoryLimit.matches("\\d{1,6}(\\.\\d+)?\\s*(KB|MB|GB|KiB|MiB|GiB)")) {
            throw new IllegalArgumentException("duckdbMemoryLimit must be like 128MB or 1GB, got " + duckdbMemoryLimit);
        }
        if (duckdbCheckpointThreshold == null || !duckdbCheckpointThreshold.matches("\\d{1,6}(\\.\\d+)?\\s*(KB|MB|GB|KiB|MiB|GiB)")) {
            throw new IllegalArgumentException("duckdbCheckpointThreshold must be like 16MB, got " + duckdbCheckpointThreshold);
        }
        if (cacheBytes < 0) {
            throw new IllegalArgumentException("cacheBytes must be >= 0, got " + cacheBytes);
        }
    }
}
