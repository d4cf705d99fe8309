package io.gatelens.collector.capture;

import io.gatelens.collector.bpf.BpfProgram;
import io.gatelens.collector.bpf.CaptureConfig;
import io.gatelens.collector.bpf.KernelCounters;
import io.gatelens.collector.handshake.TlsHandshakes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Capture on live interfaces: attaches the TC programs, drains the ring buffer on one thread
 * into a sink, runs the idle sweep once a second, and detaches on close. With a
 * {@link TlsHandshakes} stage, the same drained buffers go there too (after the sink), its idle
 * handling runs on the drain thread's ticks, and {@link #stop()} reports what is still pending;
 * without one, the programs are loaded with TLS capture off.
 */
public final class LiveCapture implements AutoCloseable {
    /** Receives record bytes: buf[0, length) holds whole records; start_ns + clockOffsetNs = epoch ns. */
    @FunctionalInterface
    public interface RecordSink {
        void accept(ByteBuffer buf, int length, long clockOffsetNs);
    }

    private static final System.Logger LOG = System.getLogger("gatelens.capture");
    private static final int BUFFER_BYTES = 4 << 20;
    private static final int POLL_MS = 100;
    private static final long SWEEP_EVERY_NS = 1_000_000_000L;

    private final BpfProgram program;
    private final RecordSink sink;
    private final Runnable tick;
    private final TlsHandshakes tls;
    private final long clockOffsetNs;
    private final Thread drainer;
    private volatile boolean running = true;
    private volatile Throwable failure;
    private long dropsReported;

    private LiveCapture(BpfProgram program, RecordSink sink, Runnable tick, TlsHandshakes tls) {
        this.program = program;
        this.sink = sink;
        this.tick = tick;
        this.tls = tls;
        // bpf_ktime_get_ns and System.nanoTime are both CLOCK_MONOTONIC on Linux
        Instant now = Instant.now();
        this.clockOffsetNs = now.getEpochSecond() * 1_000_000_000L + now.getNano() - System.nanoTime();
        this.drainer = new Thread(this::drainLoop, "gatelens-ring-drain");
        this.drainer.setDaemon(true);
    }

    /**
     * Loads the programs, attaches them to every interface and starts draining. tick runs on the
     * drain thread at least every 100 ms (batch deadlines); it may be null.
     */
    public static LiveCapture start(CaptureConfig config, List<String> interfaces, RecordSink sink,
                                    Runnable tick) {
        return start(config.withTls(false), interfaces, sink, tick, null);
    }

    /**
     * As {@link #start(CaptureConfig, List, RecordSink, Runnable)}, with TLS handshakes delivered
     * to tls (owned by the caller, who closes it after this capture; it is used by the drain
     * thread only). tls null: no TLS capture.
     */
    public static LiveCapture start(CaptureConfig config, List<String> interfaces, RecordSink sink,
                                    Runnable tick, TlsHandshakes tls) {
        if (interfaces.isEmpty()) {
            throw new IllegalArgumentException("name at least one interface to capture on");
        }
        BpfProgram program = BpfProgram.load(config.withOffline(false).withTls(tls != null && config.tls()));
        try {
            for (String ifname : interfaces) {
                program.attach(ifname);
            }
        } catch (RuntimeException e) {
            program.close();
            throw e;
        }
        LiveCapture capture = new LiveCapture(program, sink, tick == null ? () -> { } : tick, tls);
        capture.drainer.start();
        return capture;
    }

    /** Loopback plus every interface backed by a device (virtual ones like veth or docker0 are not). */
    public static List<String> defaultInterfaces() {
        List<String> out = new ArrayList<>();
        out.add("lo");
        try (Stream<Path> s = Files.list(Path.of("/sys/class/net"))) {
            s.filter(p -> Files.exists(p.resolve("device")))
                    .map(p -> p.getFileName().toString())
                    .sorted()
                    .forEach(out::add);
        } catch (IOException e) {
            // no sysfs: loopback only
        }
        return out;
    }

    public long clockOffsetNs() {
        return clockOffsetNs;
    }

    public KernelCounters counters() {
        return program.counters();
    }

    public BpfProgram program() {
        return program;
    }

    /** The error that stopped the drain thread, if any. */
    public Throwable failure() {
        return failure;
    }

    private void drainLoop() {
        ByteBuffer buf = ByteBuffer.allocateDirect(BUFFER_BYTES);
        long lastSweep = System.nanoTime();
        try {
            while (running) {
                int n = program.drain(buf, POLL_MS);
                if (n > 0) {
                    sink.accept(buf, n, clockOffsetNs);
                    if (tls != null) {
                        tls.accept(buf, n, clockOffsetNs);
                    }
                }
                long now = System.nanoTime();
                if (tls != null) {
                    tls.tick(now); // the kernel's clock is System.nanoTime's (CLOCK_MONOTONIC)
                }
                if (now - lastSweep >= SWEEP_EVERY_NS) {
                    program.sweep();
                    lastSweep = now;
                    reportDrops();
                }
                tick.run();
            }
            int n;
            while ((n = program.drain(buf, -1)) > 0) {
                sink.accept(buf, n, clockOffsetNs);
                if (tls != null) {
                    tls.accept(buf, n, clockOffsetNs);
                }
            }
            if (tls != null) {
                tls.flush();
            }
        } catch (Throwable t) {
            failure = t;
        }
    }

    /** The kernel cannot wait for a slow reader: say so as soon as it had to drop records. */
    private void reportDrops() {
        long drops = program.counters().ringbufDrops();
        if (drops > dropsReported) {
            LOG.log(System.Logger.Level.WARNING, "{0} records dropped since the last report: the ring buffer "
                    + "({1,number,#} bytes) was full because the reader falls behind; use a larger ring buffer, "
                    + "sampling (1 in N), or a faster sink", drops - dropsReported, program.config().ringBytes());
            dropsReported = drops;
        }
    }

    /**
     * Stops the drain thread after a last drain of what the kernel has written. The programs
     * stay attached until {@link #close()}; transactions still open are not reported; TLS
     * handshakes still pending are (flagged as their state says, e.g. NO_SERVER_HELLO).
     */
    public void stop() {
        if (!running) {
            return;
        }
        running = false;
        try {
            drainer.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops draining, detaches from every interface and unloads the programs. */
    @Override
    public void close() {
        stop();
        program.close();
    }
}
