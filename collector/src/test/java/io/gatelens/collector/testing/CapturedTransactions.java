package io.gatelens.collector.testing;


import io.gatelens.collector.bpf.CaptureConfig;
import io.gatelens.collector.bpf.KernelCounters;
import io.gatelens.collector.capture.LiveCapture;
import io.gatelens.collector.record.HttpRecordDecoder;
import io.gatelens.collector.record.HttpRecordLayout;
import io.gatelens.collector.record.TransactionRow;
import io.gatelens.collector.record.TransactionSchema;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * A {@link LiveCapture} on real interfaces plus a sink that decodes every record it drains
 * (through {@link HttpRecordDecoder}, as the collector does) into plain {@link Txn}s that tests
 * can wait for and assert on.
 *
 * <p>Kernel tests call {@link #requireBpf()} first: without root they are skipped with a message,
 * unless GATELENS_REQUIRE_BPF=1, which turns the skip into a failure (CI must not pass silently).
 */
public final class CapturedTransactions implements LiveCapture.RecordSink, AutoCloseable {
    /** How long to keep watching after the expected count arrived, to catch extra records. */
    private static final long SETTLE_MS = 300;

    /**
     * One decoded transaction. status is 0 and ttfbNs / latencyNs are -1 when there was no
     * response (the Arrow columns are null then); host is null when none was captured.
     */
    public record Txn(long tsNs, InetAddress client, int clientPort, InetAddress server, int serverPort,
                      int family, int direction, int ifindex, String method, String path, String host,
                      int status, long reqBytes, long respBytes, long ttfbNs, long latencyNs, int flags) {
        public boolean has(int flag) {
            return (flags & flag) == flag;
        }

        /** method + " " + path: the usual key of request multisets. */
        public String request() {
            return method + " " + path;
        }

        @Override
        public String toString() {
            String p = path.length() > 80 ? path.substring(0, 77) + "...(" + path.length() + ")" : path;
            return String.format("%s %s -> %d host=%s req=%d resp=%d ttfb=%s lat=%s flags=%s v%d dir=%d if=%d %s:%d->%s:%d",
                    method, p, status, host, reqBytes, respBytes, ms(ttfbNs), ms(latencyNs),
                    HttpRecordLayout.flagNames(flags), family, direction, ifindex,
                    client.getHostAddress(), clientPort, server.getHostAddress(), serverPort);
        }

        private static String ms(long ns) {
            return ns < 0 ? "-" : String.format("%.3fms", ns / 1e6);
        }
    }

    private final RootAllocator allocator = new RootAllocator();
    private final HttpRecordDecoder decoder = new HttpRecordDecoder();
    private final List<Txn> all = new ArrayList<>();
    private volatile Throwable sinkFailure;
    private long oddLengths;
    private LiveCapture capture;

    private CapturedTransactions() {}

    // ---------------------------------------------------------------- kernel requirement

    /** Skips the calling test (class) without root, or fails when GATELENS_REQUIRE_BPF=1. */
    public static void requireBpf() {
        KernelAndCorpus.requireBpf();
    }

    // ---------------------------------------------------------------- lifecycle

    /** requireBpf(), then loads and attaches the programs with this configuration. */
    public static CapturedTransactions start(CaptureConfig config, List<String> interfaces) {
        requireBpf();
        CapturedTransactions t = new CapturedTransactions();
        try {
            t.capture = LiveCapture.start(config, interfaces, t, null);
        } catch (RuntimeException | Error e) {
            t.allocator.close();
            throw e;
        }
        return t;
    }

    public LiveCapture capture() {
        return capture;
    }

    public KernelCounters counters() {
        return capture.counters();
    }

    /** Final drain, then stops the drain thread (the programs stay loaded and attached). */
    public void stop() {
        capture.stop();
    }

    @Override
    public void close() {
        try {
            if (capture != null) {
                capture.close();
            }
        } finally {
            synchronized (this) {
                allocator.close();
            }
        }
    }

    // ---------------------------------------------------------------- the sink

    @Override
    public void accept(ByteBuffer buf, int length, long clockOffsetNs) {
        try {
            List<Txn> rows = new ArrayList<>();
            synchronized (this) {
                if (io.gatelens.collector.record.RecordTypes.wholeRecordBytes(buf, 0, length) != length) {
                    oddLengths++;
                }
                try (VectorSchemaRoot root = VectorSchemaRoot.create(TransactionSchema.schema(), allocator)) {
                    root.allocateNew();
                    decoder.decode(buf, 0, length, root, clockOffsetNs);
                    for (TransactionRow r : TransactionRow.readAll(root)) {
                        rows.add(row(r));
                    }
                }
                all.addAll(rows);
                notifyAll();
            }
        } catch (Throwable t) {
            sinkFailure = t;
            synchronized (this) {
                notifyAll();
            }
        }
    }

    private static Txn row(TransactionRow r) {
        return new Txn(r.tsNs(), r.src(), r.sport(), r.dst(), r.dport(), r.family(), r.direction(), r.ifindex(),
                r.method(), r.path(), r.host(), r.status() == null ? 0 : r.status(), r.reqBytes(), r.respBytes(),
                r.ttfbNs() == null ? -1 : r.ttfbNs(), r.latencyNs() == null ? -1 : r.latencyNs(), r.flags());
    }

    // ---------------------------------------------------------------- queries

    /** Every transaction so far, in the order the ring buffer delivered them. */
    public synchronized List<Txn> all() {
        return List.copyOf(all);
    }

    public synchronized List<Txn> forServerPort(int port) {
        return all.stream().filter(t -> t.serverPort() == port).collect(Collectors.toList());
    }

    /**
     * Waits (at most timeout) until at least n transactions with this server port arrived, then
     * keeps watching a moment longer so that extra ones show, and returns all of them. Never
     * fails by itself: callers assert the exact count (with {@link #describe}).
     */
    public List<Txn> await(int serverPort, int n, Duration timeout) {
        return await(t -> t.serverPort() == serverPort, n, timeout);
    }

    public List<Txn> await(int serverPort, int n) {
        return await(serverPort, n, Duration.ofSeconds(10));
    }

    public List<Txn> await(Predicate<Txn> which, int n, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (this) {
            while (count(which) < n && sinkFailure == null && capture.failure() == null) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                try {
                    wait(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(left), 100)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        checkHealthy();
        try {
            Thread.sleep(SETTLE_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        checkHealthy();
        synchronized (this) {
            return all.stream().filter(which).collect(Collectors.toList());
        }
    }

    private long count(Predicate<Txn> which) {
        return all.stream().filter(which).count();
    }

    /** Fails when the sink or the drain thread died (their errors would hide as "no records"). */
    /** Stops draining, then checks nothing was dropped and every record written was drained. */
    public KernelCounters stopAndCheckDrained() {
        stop();
        checkHealthy();
        KernelCounters c = counters();
        org.junit.jupiter.api.Assertions.assertEquals(0, c.ringbufDrops(), "ring buffer drops: " + c.asMap());
        org.junit.jupiter.api.Assertions.assertEquals(c.records(), all().size(),
                "every record written was drained: " + c.asMap());
        return c;
    }

    public void checkHealthy() {
        if (sinkFailure != null) {
            throw new AssertionError("decoding drained records failed", sinkFailure);
        }
        if (capture.failure() != null) {
            throw new AssertionError("the ring-buffer drain thread died", capture.failure());
        }
        synchronized (this) {
            if (oddLengths != 0 || decoder.skippedRecords() != 0) {
                throw new AssertionError("the drain handed " + oddLengths + " buffers that were not whole "
                        + "records, and the decoder skipped " + decoder.skippedRecords() + " unknown records");
            }
        }
    }

    /** Rows one per line, for assertion messages, with the kernel counters. */
    public String describe(List<Txn> rows) {
        StringBuilder sb = new StringBuilder();
        sb.append(rows.size()).append(" captured row(s):");
        int i = 0;
        for (Txn t : rows) {
            sb.append("\n  [").append(i++).append("] ").append(t);
        }
        try {
            KernelCounters c = counters();
            int drained;
            synchronized (this) {
                drained = all.size();
            }
            sb.append("\n  kernel counters: ").append(c.asMap());
            sb.append("\n  records drained so far: ").append(drained).append(" of ").append(c.records())
                    .append(" the kernel wrote");
            if (c.records() > drained) {
                sb.append(" (written but not delivered to the sink: is the drain woken? LiveCapture polls"
                        + " with a 100 ms timeout)");
            }
        } catch (RuntimeException e) {
            sb.append("\n  kernel counters unavailable: ").append(e);
        }
        return sb.toString();
    }

    /** describe() of every transaction of this server port. */
    public String describe(int serverPort) {
        return describe(forServerPort(serverPort));
    }
}
