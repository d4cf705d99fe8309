package io.gatelens.analytics.service;

import io.gatelens.analytics.tls.TlsBatchReader;
import io.gatelens.analytics.tls.TlsHandshakeFacts;
import io.gatelens.analytics.tls.TlsIngest;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The analytics end of the {@code tls-handshakes} channel: byte[] Arrow IPC streams of the
 * collector's {@code tls_handshake} schema, read by {@link TlsBatchReader} and counted by
 * {@link TlsIngest}. A channel of its own rather than the transactions channel dispatching on the
 * schema name: the transaction hot path stays as it is, each kind of batch has its own backlog, and
 * a broker carries them as two topics. Blocking and ordered: one worker at a time counts.
 */
@ApplicationScoped
public class TlsHandshakeConsumer {
    private static final System.Logger LOG = System.getLogger("gatelens.ingest");

    @Inject
    TlsIngest ingest;

    private final BufferAllocator allocator = new RootAllocator();
    private final AtomicLong rejected = new AtomicLong();

    @Incoming("tls-handshakes")
    @Blocking(ordered = true)
    public void consume(byte[] payload) {
        List<TlsHandshakeFacts> facts;
        try {
            facts = TlsBatchReader.read(payload, allocator);
        } catch (IllegalArgumentException e) {
            // a foreign or corrupt payload: refuse it, keep going
            rejected.incrementAndGet();
            LOG.log(System.Logger.Level.ERROR, "refused a TLS batch of " + payload.length + " bytes: " + e.getMessage());
            return;
        }
        ingest.accept(facts);
    }

    /** Payloads refused as not a tls_handshake batch. */
    public long rejected() {
        return rejected.get();
    }
}
