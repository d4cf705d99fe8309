package io.gatelens.analytics.tls;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Handshakes into the {@link TlsAggregator}: the TLS side of the ingest, fed batch by batch by the
 * channel's consumer (one worker at a time). Counts what it took in for {@code /api/status}.
 */
public final class TlsIngest {
    private final TlsAggregator aggregator;
    private final Consumer<TlsHandshakeFacts> observer;
    private final AtomicLong handshakes = new AtomicLong();
    private final AtomicLong batches = new AtomicLong();
    private volatile long lastBatchMillis;

    public TlsIngest(TlsAggregator aggregator) {
        this(aggregator, null);
    }

    /** @param observer sees every handshake after it is counted (the Prometheus metrics); may be null */
    public TlsIngest(TlsAggregator aggregator, Consumer<TlsHandshakeFacts> observer) {
        this.aggregator = aggregator;
        this.observer = observer;
    }

    public void accept(List<TlsHandshakeFacts> batch) {
        for (TlsHandshakeFacts f : batch) {
            aggregator.record(f);
            if (observer != null) {
                observer.accept(f);
            }
        }
        handshakes.addAndGet(batch.size());
        batches.incrementAndGet();
        lastBatchMillis = System.currentTimeMillis();
    }

    public long handshakes() {
        return handshakes.get();
    }

    public long batches() {
        return batches.get();
    }

    /** Wall-clock ms of the last batch taken in; 0 before the first. */
    public long lastBatchMillis() {
        return lastBatchMillis;
    }
}
