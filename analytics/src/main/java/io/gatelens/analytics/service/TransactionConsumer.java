package io.gatelens.analytics.service;

import io.gatelens.analytics.ingest.TransactionIngest;
import io.gatelens.collector.record.TransactionBatchCodec;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The analytics end of the {@code transactions} channel: decodes each Arrow batch and counts it.
 * Blocking and ordered: one worker at a time runs {@link TransactionIngest}, which is single-threaded
 * by design; the capture's drain thread meanwhile keeps draining.
 */
@ApplicationScoped
public class TransactionConsumer {
    private static final System.Logger LOG = System.getLogger("gatelens.ingest");

    @Inject
    TransactionIngest ingest;

    private final BufferAllocator allocator = new RootAllocator();
    private final AtomicLong rejected = new AtomicLong();

    @Incoming("transactions")
    @Blocking(ordered = true)
    public void consume(byte[] payload) {
        VectorSchemaRoot batch;
        try {
            batch = TransactionBatchCodec.decode(payload, allocator);
        } catch (IllegalArgumentException e) {
            // a foreign or corrupt payload (possible once a broker carries the channel): refuse it, keep going
            rejected.incrementAndGet();
            LOG.log(System.Logger.Level.ERROR, "refused a batch of " + payload.length + " bytes: " + e.getMessage());
            return;
        }
        try (batch) {
            ingest.accept(batch);
        } catch (IllegalArgumentException e) {
            // well-formed IPC whose buffers lie (offsets past the data, too many rows): refused whole
            rejected.incrementAndGet();
            LOG.log(System.Logger.Level.ERROR, "refused a batch of " + payload.length + " bytes: " + e.getMessage());
        }
    }

    /** Payloads refused as not a transaction batch. */
    public long rejected() {
        return rejected.get();
    }
}
