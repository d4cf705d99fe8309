package io.gatelens.collector.bpf;

import java.nio.ByteBuffer;

/**
 * Every native method of gatelens, implemented in collector/src/main/native/gatelens.c over
 * libbpf (one class for all of them, as duckdb-java does). Handles are C pointers owned by the
 * caller and freed by the matching close call. Failures throw {@link CollectorException}.
 * Use {@link BpfProgram} and {@link CaptureFile} rather than this class directly.
 */
public final class GatelensNative {
    static {
        NativeLibrary.load();
    }

    private GatelensNative() {}

    /**
     * Opens the BPF object embedded in the library (skeleton of bpf/src/gatelens.bpf.c), writes
     * the configuration into its read-only globals and maps, and loads it (the verifier runs
     * here). ports empty means every port. ringBytes and maxFlows <= 0 keep the defaults. tls
     * false turns the TLS hello capture off (the verifier prunes it).
     * Returns a handle freed by {@link #close(long)}, which also detaches every interface.
     */
    static native long open(int maxPathLen, int sampleEvery, int[] ports, long idleTimeoutNs,
                            boolean offline, int ringBytes, int maxFlows, boolean tls);

    /** Detaches from every interface, unloads the programs and frees the handle. */
    static native void close(long handle);

    /** if_nametoindex: 0 when there is no such interface. */
    static native int ifindex(String name);

    /** Attaches to TC ingress/egress of ifindex. Returns 1 when gatelens created the clsact qdisc. */
    static native int attach(long handle, int ifindex, boolean ingress, boolean egress);

    /** Removes our filters from ifindex, and the clsact qdisc if gatelens created it. */
    static native void detach(long handle, int ifindex);

    /**
     * The fields of struct gl_counters summed over CPUs, then the sweep's live flow count, then
     * the TLS directions mid-hello (sum of gl_tls_gate).
     */
    static native long[] counters(long handle);

    /**
     * Copies whole ring-buffer records, 8-byte aligned, into dst from offset 0 and returns the
     * bytes written. Waits up to timeoutMs for the first record; timeoutMs < 0 does not wait.
     * A record copied is consumed; none is ever dropped for lack of room in dst.
     */
    static native int drain(long handle, ByteBuffer dst, int timeoutMs);

    /** Sets the offline clock (gl_clock_ns) the programs read instead of the kernel's. */
    static native void setClock(long handle, long ns);

    /** Runs the idle sweep once (BPF_PROG_TEST_RUN of gl_sweep). */
    static native void sweep(long handle);

    /**
     * Runs pkt through a program with BPF_PROG_TEST_RUN, repeat times; returns the kernel's mean
     * ns per run. prog: 0 ingress, 1 egress, 2 sweep, 3 a no-op TC program (the baseline).
     */
    static native long testRun(long handle, int prog, byte[] pkt, int repeat);

    /** Loads and unloads a BPF object file; throws with the verifier log when it is rejected. */
    static native void verifyObject(String path);

    /** sizeof(struct gl_http_record), its field offsets in declaration order, GL_COUNTERS_N. */
    static native int[] layout();

    /**
     * sizeof(struct gl_tls_chunk), its field offsets (pads left out) in declaration order,
     * GL_TLS_CHUNK_MAX, and the largest record size the drain makes room for.
     */
    static native int[] tlsLayout();

    /** Opens a pcap or pcapng file, plain or gzip'd. Freed by {@link #captureClose(long)}. */
    static native long captureOpen(String path);

    static native void captureClose(long capture);

    /**
     * Replays up to maxPackets packets of the capture through the ingress program, with the
     * capture's timestamps as the programs' clock, draining records into dst after each packet.
     * Returns the packets fed, or -1 at the end of the capture. progress receives: bytes written
     * to dst, packets read in total, packets skipped in total, last timestamp (epoch ns).
     */
    static native int captureFeed(long handle, long capture, int maxPackets, ByteBuffer dst,
                                  long[] progress);

    /** Bytes of the file read so far, for progress. */
    static native long captureOffset(long capture);

    /** The capture's libpcap link type (DLT_*). */
    static native int captureLinkType(long capture);
}
