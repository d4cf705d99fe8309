package io.gatelens.analytics.service;

import io.gatelens.collector.bpf.CaptureConfig;
import io.gatelens.collector.bpf.KernelCounters;
import io.gatelens.collector.capture.LiveCapture;
import io.gatelens.collector.handshake.TlsHandshakes;
import io.gatelens.collector.record.TlsHandshakeBatchCodec;
import io.gatelens.collector.record.TransactionBatchCodec;
import io.gatelens.collector.record.TransactionBatcher;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The collector inside the service: live capture on the configured interfaces, records batched in
 * Arrow and sent as {@link TransactionBatchCodec} bytes on the {@code transactions} channel, and
 * (unless {@code gatelens.capture.tls} is off) the collector's TLS handshakes, one row per connection,
 * as {@link TlsHandshakeBatchCodec} bytes on the {@code tls-handshakes} channel. The channels are in
 * memory here; a connector (Kafka) can carry the same payloads between processes.
 *
 * <p>Backpressure without loss in user space: at most {@code maxInFlight} batches are sent and not
 * yet acknowledged; past that the drain thread waits, so the kernel's ring buffer takes the slack and
 * any record it cannot hold is counted there (ringbuf_drops in {@code /api/status}). Both channels'
 * batches count against the one bound.
 */
@ApplicationScoped
public class CaptureService {
    private static final System.Logger LOG = System.getLogger("gatelens.capture");

    @Inject
    GatelensConfig config;

    @Inject
    @Channel("transactions")
    @OnOverflow(value = OnOverflow.Strategy.UNBOUNDED_BUFFER)
    Emitter<byte[]> emitter;

    @Inject
    @Channel("tls-handshakes")
    @OnOverflow(value = OnOverflow.Strategy.UNBOUNDED_BUFFER)
    Emitter<byte[]> tlsEmitter;

    private final AtomicLong batchesSent = new AtomicLong();
    private final AtomicLong tlsBatchesSent = new AtomicLong();
    private final AtomicLong batchesNacked = new AtomicLong();
    private Semaphore inFlight;
    private BufferAllocator allocator;
    private TransactionBatcher batcher;
    private TlsHandshakes tls;
    private volatile LiveCapture capture;
    private volatile List<String> interfaces = List.of();
    private volatile String error;

    /** Starts capturing when {@code gatelens.capture.enabled}; a failure is logged and shown in the status, not fatal. */
    public synchronized void start() {
        GatelensConfig.Capture c = config.capture();
        if (!c.enabled() || capture != null) {
            return;
        }
        List<String> ifs = c.interfaces().filter(l -> !l.isEmpty()).orElseGet(LiveCapture::defaultInterfaces);
        CaptureConfig kernel = CaptureConfig.defaults()
            .withPorts(c.ports().orElse(Set.of()))
            .withSampleEvery(c.sampleEvery())
            .withRingBytes(c.ringMib() << 20)
            .withIdleTimeout(c.idleTimeout())
            .withTls(c.tls());
        inFlight = new Semaphore(c.maxInFlight());
        allocator = new RootAllocator();
        batcher = new TransactionBatcher(allocator, c.batchRows(), c.batchAge().toMillis(), this::send);
        // without a stage the kernel copies no hellos (LiveCapture loads the programs with TLS off)
        tls = c.tls() ? new TlsHandshakes(allocator, c.idleTimeout().toNanos(), c.batchRows(), c.batchAge().toMillis(),
            this::sendTls) : null;
        try {
            capture = LiveCapture.start(kernel, ifs, (buf, n, offset) -> batcher.append(buf, 0, n, offset),
                batcher::poll, tls);
            interfaces = List.copyOf(ifs);
            error = null;
            LOG.log(System.Logger.Level.INFO, "capturing HTTP on " + String.join(", ", ifs));
        } catch (RuntimeException e) {
            error = e.getMessage();
            LOG.log(System.Logger.Level.ERROR, "capture did not start: " + e.getMessage());
            batcher.close();
            if (tls != null) {
                tls.close();
            }
            allocator.close();
            batcher = null;
            tls = null;
            allocator = null;
        }
    }

    /** Stops draining, sends what is batched, waits until the analytics counted it, detaches. */
    public synchronized void stop() {
        LiveCapture c = capture;
        if (c == null) {
            return;
        }
        c.stop(); // the drain thread's last act reports the pending TLS handshakes
        batcher.close();
        if (tls != null) {
            tls.close();
            tls = null;
        }
        c.close();
        capture = null;
        allocator.close();
        try {
            if (!inFlight.tryAcquire(config.capture().maxInFlight(), 30, TimeUnit.SECONDS)) {
                LOG.log(System.Logger.Level.WARNING, "stopped with batches not yet counted");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public boolean running() {
        return capture != null;
    }

    public List<String> interfaces() {
        return interfaces;
    }

    /** Why capture is not running although enabled; null otherwise. */
    public String error() {
        return error;
    }

    /** The kernel's counters, null when not capturing. */
    public KernelCounters counters() {
        LiveCapture c = capture;
        return c == null ? null : c.counters();
    }

    public long batchesSent() {
        return batchesSent.get();
    }

    /** TLS handshake batches sent on the tls-handshakes channel. */
    public long tlsBatchesSent() {
        return tlsBatchesSent.get();
    }

    /** Batches the consumer refused (a bug or a foreign payload; logged there). */
    public long batchesNacked() {
        return batchesNacked.get();
    }

    private void send(VectorSchemaRoot batch) {
        byte[] payload;
        try (batch) {
            payload = TransactionBatchCodec.encode(batch);
        }
        batchesSent.incrementAndGet();
        send(emitter, payload);
    }

    private void sendTls(VectorSchemaRoot batch) {
        byte[] payload;
        try (batch) {
            payload = TlsHandshakeBatchCodec.encode(batch);
        }
        tlsBatchesSent.incrementAndGet();
        send(tlsEmitter, payload);
    }

    private void send(Emitter<byte[]> channel, byte[] payload) {
        inFlight.acquireUninterruptibly();
        channel.send(Message.of(payload,
            () -> {
                inFlight.release();
                return CompletableFuture.completedFuture(null);
            },
            reason -> {
                inFlight.release();
                batchesNacked.incrementAndGet();
                return CompletableFuture.completedFuture(null);
            }));
    }
}
