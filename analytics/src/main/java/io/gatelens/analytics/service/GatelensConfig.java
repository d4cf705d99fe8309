package io.gatelens.analytics.service;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Everything under {@code gatelens.*} in application.properties (defaults are there and here). */
@ConfigMapping(prefix = "gatelens")
public interface GatelensConfig {
    Store store();

    Specs specs();

    Capture capture();

    Shadow shadow();

    Ingest ingest();

    Metrics metrics();

    Tls tls();

    interface Tls {
        /** Fronts (SNIs, or server addresses without SNI) counted apart per minute; past it a minute's new ones count as 'other'. */
        @WithDefault("256")
        int maxFrontsPerMinute();
    }

    interface Metrics {
        /** Series of the captured-traffic histograms at /q/metrics; past it new routes count as _OTHER (read by TrafficMetrics). */
        @WithDefault("5000")
        int maxSeries();
    }

    interface Store {
        /** The DuckDB file. */
        @WithDefault("data/gatelens.duckdb")
        Path file();

        @WithDefault("7D")
        Duration minuteRetention();

        @WithDefault("90D")
        Duration hourRetention();

        /** How often completed minutes are written: a kill -9 loses at most the minute in progress plus this. */
        @WithDefault("5S")
        Duration flushInterval();

        /** How long after a minute ends its rows wait for late transactions (requests still open at its end). */
        @WithDefault("10S")
        Duration flushGrace();

        /** How long after an hour ends it is rolled up. */
        @WithDefault("5M")
        Duration rollupGrace();

        /** Heap for decoded hour blocks that /api/endpoints merges (about 0.4 MB per hour of 1,000 endpoints). */
        @WithDefault("32")
        int queryCacheMib();

        /** DuckDB's memory_limit. */
        @WithDefault("128MB")
        String duckdbMemoryLimit();

        /** DuckDB's checkpoint_threshold: WAL that makes a commit checkpoint into the database file. */
        @WithDefault("16MB")
        String duckdbCheckpointThreshold();
    }

    interface Specs {
        /** Specs in this folder load at start (by file name); empty for none. */
        Optional<Path> dir();

        /** The largest spec accepted, in bytes (uploads and files). */
        @WithDefault("26214400")
        long maxBytes();
    }

    interface Capture {
        /** Attach the TC programs and count live traffic (needs root or CAP_BPF + CAP_NET_ADMIN + CAP_PERFMON). */
        @WithDefault("false")
        boolean enabled();

        /** Interfaces to watch; empty: loopback and every device-backed interface. */
        Optional<List<String>> interfaces();

        /** Server ports to capture; empty: any. */
        Optional<Set<Integer>> ports();

        @WithDefault("1")
        int sampleEvery();

        @WithDefault("16")
        int ringMib();

        @WithDefault("30S")
        Duration idleTimeout();

        /**
         * A batch is sent when it has this many rows... (under load: the ingest groups a batch's rows by
         * endpoint, and larger batches bring each endpoint's accumulators into cache for more rows)
         */
        @WithDefault("32768")
        int batchRows();

        /** ...or its first row is this old. */
        @WithDefault("500MS")
        Duration batchAge();

        /** Also copy TLS ClientHello/ServerHello bytes and count the handshakes (any port the port filter lets through). */
        @WithDefault("true")
        boolean tls();

        /**
         * Batches sent but not yet counted; past this the ring-buffer drain waits (the kernel's buffer takes
         * the slack). With batch-rows, bounds the rows held in user space: 8 x 32,768.
         */
        @WithDefault("8")
        int maxInFlight();
    }

    interface Shadow {
        @WithDefault("64")
        int maxHosts();

        @WithDefault("10000")
        int maxEndpoints();
    }

    interface Ingest {
        /** Server ports whose traffic is not counted: by default the service's own HTTP port (its dashboard and API). */
        Optional<Set<Integer>> ignorePorts();
    }
}
