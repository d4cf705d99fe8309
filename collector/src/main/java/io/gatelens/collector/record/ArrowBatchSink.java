package io.gatelens.collector.record;

import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Receives the finished batches of a {@link TransactionBatcher}, so capture does not depend on
 * where rows go (Arrow IPC file, text output, a test list).
 */
@FunctionalInterface
public interface ArrowBatchSink {
    /**
     * Takes ownership of batch: the sink must close it, now or later. Its memory is accounted
     * to the parent allocator given to the batcher, so it may outlive the batcher.
     */
    void accept(VectorSchemaRoot batch);
}
