package io.gatelens.collector.bpf;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The loaded TC programs of bpf/src/gatelens.bpf.c and the interfaces they are attached to.
 * Not thread-safe except {@link #counters()}: one thread drains, the owner attaches and closes.
 */
public final class BpfProgram implements AutoCloseable {
    /** Programs runnable with BPF_PROG_TEST_RUN. */
    public enum Program { INGRESS, EGRESS, SWEEP, NOOP }

    private final CaptureConfig config;
    private final Map<String, Integer> attached = new LinkedHashMap<>();
    private volatile long handle;

    private BpfProgram(CaptureConfig config, long handle) {
        this.config = config;
        this.handle = handle;
    }

    /** Checks the host, then opens and loads (verifies) the programs with this configuration. */
    public static BpfProgram load(CaptureConfig config) {
        HostRequirements.checkKernel(System.getProperty("os.version", ""));
        HostRequirements.checkCapabilities();
        int[] ports = config.ports().stream().mapToInt(Integer::intValue).toArray();
        long h = GatelensNative.open(config.maxPathBytes(), config.sampleEvery(), ports,
                config.idleTimeout().toNanos(), config.offline(), config.ringBytes(), config.maxFlows(),
                config.tls());
        return new BpfProgram(config, h);
    }

    /**
     * Loads and unloads any BPF object file: passes, or throws VERIFIER_REJECTED with the
     * verifier's log (a diagnostic for custom builds of the programs).
     */
    public static void verifyObjectFile(java.nio.file.Path object) {
        HostRequirements.checkCapabilities();
        GatelensNative.verifyObject(object.toAbsolutePath().toString());
    }

    /** sizeof(struct gl_http_record) and its field offsets, as compiled into the native library. */
    public static int[] nativeRecordLayout() {
        return GatelensNative.layout();
    }

    /** sizeof(struct gl_tls_chunk) and its field offsets, as compiled (see GatelensNative.tlsLayout). */
    public static int[] nativeTlsChunkLayout() {
        return GatelensNative.tlsLayout();
    }

    public CaptureConfig config() {
        return config;
    }

    /**
     * Attaches to an interface. On loopback every packet crosses egress and then ingress, so
     * only ingress is used there: each transaction is seen once (and reported as served).
     * Returns the interface index.
     */
    public int attach(String ifname) {
        int idx = GatelensNative.ifindex(ifname);
        if (idx == 0) {
            throw new CollectorException(CollectorException.Reason.INTERFACE_NOT_FOUND,
                    "no network interface named '" + ifname + "' (ip link lists them)");
        }
        boolean loopback = "lo".equals(ifname);
        GatelensNative.attach(live(), idx, true, !loopback);
        attached.put(ifname, idx);
        return idx;
    }

    /** Removes our filters, and the clsact qdisc when gatelens created it. */
    public void detach(String ifname) {
        Integer idx = attached.remove(ifname);
        if (idx == null) {
            throw new CollectorException(CollectorException.Reason.NOT_ATTACHED,
                    "gatelens is not attached to '" + ifname + "'");
        }
        GatelensNative.detach(live(), idx);
    }

    public Map<String, Integer> attachedInterfaces() {
        return Map.copyOf(attached);
    }

    public KernelCounters counters() {
        return new KernelCounters(GatelensNative.counters(live()));
    }

    /** See {@link GatelensNative#drain}: whole records into dst from 0, returns bytes written. */
    public int drain(ByteBuffer dst, int timeoutMs) {
        if (!dst.isDirect()) {
            throw new IllegalArgumentException("drain needs a direct ByteBuffer");
        }
        return GatelensNative.drain(live(), dst, timeoutMs);
    }

    /** Reports and forgets connections idle longer than the configured timeout. */
    public void sweep() {
        GatelensNative.sweep(live());
    }

    /** Sets the programs' clock (offline mode only reads it). */
    public void setClock(long epochNs) {
        GatelensNative.setClock(live(), epochNs);
    }

    /** Runs pkt through a program repeat times; returns the kernel's mean ns per run. */
    public long testRun(Program program, byte[] pkt, int repeat) {
        return GatelensNative.testRun(live(), program.ordinal(), pkt, repeat);
    }

    long handle() {
        return live();
    }

    private long live() {
        long h = handle;
        if (h == 0) {
            throw new CollectorException(CollectorException.Reason.CLOSED, "the BPF programs were closed");
        }
        return h;
    }

    /** Detaches from every interface and unloads. Idempotent. */
    @Override
    public synchronized void close() {
        long h = handle;
        handle = 0;
        attached.clear();
        if (h != 0) {
            GatelensNative.close(h);
        }
    }
}
