package io.gatelens.collector.bpf;

import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the TC programs are told at load time (read-only globals and maps of gatelens.bpf.c).
 *
 * @param maxPathBytes  path bytes kept per request, 1..256; longer paths are truncated and flagged
 * @param sampleEvery   report 1 in N transactions (1 = all); all are still tracked for pairing
 * @param ports         TCP ports to watch (either end); empty = every port
 * @param idleTimeout   a connection idle this long is swept: its open transactions are reported
 *                      with the TIMEOUT flag
 * @param ringBytes     ring buffer size, a power of two >= 4096
 * @param maxFlows      connections tracked at once (LRU); also the pending-request table size
 * @param offline       replaying a capture (BPF_PROG_TEST_RUN, capture timestamps)
 * @param tls           copy TLS ClientHello/ServerHello bytes to user space (any port the port
 *                      filter lets through); false removes that code from the program
 */
public record CaptureConfig(int maxPathBytes, int sampleEvery, Set<Integer> ports,
                            Duration idleTimeout, int ringBytes, int maxFlows, boolean offline, boolean tls) {
    public static final int PATH_MAX = 256;

    public CaptureConfig {
        if (maxPathBytes < 1 || maxPathBytes > PATH_MAX) {
            throw new IllegalArgumentException("max path bytes must be 1.." + PATH_MAX + ", not " + maxPathBytes);
        }
        if (sampleEvery < 1) {
            throw new IllegalArgumentException("sampling must be 1 in N with N >= 1, not " + sampleEvery);
        }
        ports = Set.copyOf(new TreeSet<>(ports));
        for (int p : ports) {
            if (p < 1 || p > 65535) {
                throw new IllegalArgumentException("port " + p + " is not a TCP port (1..65535)");
            }
        }
        if (idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("idle timeout must be positive");
        }
        if (ringBytes < 4096 || Integer.bitCount(ringBytes) != 1) {
            throw new IllegalArgumentException("ring buffer size must be a power of two >= 4096, not " + ringBytes);
        }
        if (maxFlows < 16) {
            throw new IllegalArgumentException("max flows must be >= 16, not " + maxFlows);
        }
    }

    public static CaptureConfig defaults() {
        return new CaptureConfig(PATH_MAX, 1, Set.of(), Duration.ofSeconds(30), 16 << 20, 65536, false, true);
    }

    public CaptureConfig withOffline(boolean value) {
        return new CaptureConfig(maxPathBytes, sampleEvery, ports, idleTimeout, ringBytes, maxFlows, value, tls);
    }

    public CaptureConfig withPorts(Set<Integer> value) {
        return new CaptureConfig(maxPathBytes, sampleEvery, value, idleTimeout, ringBytes, maxFlows, offline, tls);
    }

    public CaptureConfig withSampleEvery(int value) {
        return new CaptureConfig(maxPathBytes, value, ports, idleTimeout, ringBytes, maxFlows, offline, tls);
    }

    public CaptureConfig withMaxPathBytes(int value) {
        return new CaptureConfig(value, sampleEvery, ports, idleTimeout, ringBytes, maxFlows, offline, tls);
    }

    public CaptureConfig withIdleTimeout(Duration value) {
        return new CaptureConfig(maxPathBytes, sampleEvery, ports, value, ringBytes, maxFlows, offline, tls);
    }

    public CaptureConfig withRingBytes(int value) {
        return new CaptureConfig(maxPathBytes, sampleEvery, ports, idleTimeout, value, maxFlows, offline, tls);
    }

    public CaptureConfig withTls(boolean value) {
        return new CaptureConfig(maxPathBytes, sampleEvery, ports, idleTimeout, ringBytes, maxFlows, offline, value);
    }
}
