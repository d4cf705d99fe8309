package io.gatelens.collector.handshake;

import io.gatelens.collector.record.ArrowBatchSink;
import io.gatelens.collector.record.TlsHandshakeSchema;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.function.LongSupplier;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * The TLS stage of the pipeline: drained ring-buffer bytes → {@link TlsChunk}s →
 * {@link HandshakeAssembler} → {@link TlsHandshakeSchema} batches handed to an
 * {@link ArrowBatchSink} (at maxRows rows, when the first row is maxMillis old at a
 * {@link #tick}, and at {@link #close}). It reads the same buffers as the HTTP batcher and takes
 * only the TLS chunks. Each batch is allocated from the parent allocator and belongs to the sink.
 * Not thread-safe: call it from the drain thread.
 */
public final class TlsHandshakes implements AutoCloseable {
    private final BufferAllocator allocator;
    private final int maxRows;
    private final long maxMillis;
    private final ArrowBatchSink sink;
    private final LongSupplier clockMillis;
    private final HandshakeAssembler assembler;
    private VectorSchemaRoot current;
    private long firstRowMillis;
    private long rows;
    private long lastChunkNs = Long.MIN_VALUE;
    private boolean closed;

    public TlsHandshakes(BufferAllocator parent, long idleTimeoutNs, int maxRows, long maxMillis, ArrowBatchSink sink) {
        this(parent, idleTimeoutNs, HandshakeAssembler.DEFAULT_MAX_CONNECTIONS, maxRows, maxMillis, sink,
                System::currentTimeMillis);
    }

    public TlsHandshakes(BufferAllocator parent, long idleTimeoutNs, int maxConnections, int maxRows, long maxMillis,
                         ArrowBatchSink sink, LongSupplier clockMillis) {
        if (maxRows < 1 || maxMillis < 1) {
            throw new IllegalArgumentException("maxRows and maxMillis must be >= 1");
        }
        this.allocator = Objects.requireNonNull(parent, "parent");
        this.maxRows = maxRows;
        this.maxMillis = maxMillis;
        this.sink = Objects.requireNonNull(sink, "sink");
        this.clockMillis = Objects.requireNonNull(clockMillis, "clockMillis");
        this.assembler = new HandshakeAssembler(idleTimeoutNs, maxConnections,
                io.gatelens.collector.record.TlsChunkLayout.HELLO_MAX, this::add);
    }

    /** The TLS chunks among the whole records of buf[0, length); start_ns + clockOffsetNs = epoch ns. */
    public void accept(ByteBuffer buf, int length, long clockOffsetNs) {
        ensureOpen();
        TlsChunk.forEach(buf, 0, length, c -> {
            lastChunkNs = Math.max(lastChunkNs, c.tsNs());
            assembler.accept(c, clockOffsetNs);
        });
    }

    /**
     * Reports connections idle for the timeout at nowNs (kernel clock: System.nanoTime live, the
     * capture's time offline) and hands over a batch whose first row is maxMillis old.
     */
    public void tick(long nowNs) {
        ensureOpen();
        assembler.expire(nowNs);
        if (current != null && clockMillis.getAsLong() - firstRowMillis >= maxMillis) {
            emit();
        }
    }

    /** The newest chunk time seen (kernel clock), Long.MIN_VALUE before any. */
    public long lastChunkNs() {
        return lastChunkNs;
    }

    /** Reports every pending connection and hands over the rows waiting. */
    public void flush() {
        ensureOpen();
        assembler.flush();
        if (current != null) {
            emit();
        }
    }

    public HandshakeAssembler assembler() {
        return assembler;
    }

    /** Rows handed to the sink so far. */
    public long rowsEmitted() {
        return rows;
    }

    /** Flushes (every pending connection is reported). Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        try {
            flush();
        } finally {
            closed = true;
            if (current != null) {
                current.close();
                current = null;
            }
        }
    }

    private void add(TlsHandshake h) {
        if (current == null) {
            current = VectorSchemaRoot.create(TlsHandshakeSchema.schema(), allocator);
            for (FieldVector v : current.getFieldVectors()) {
                v.setInitialCapacity(Math.min(maxRows, 256));
                v.allocateNew();
            }
            current.setRowCount(0);
            firstRowMillis = clockMillis.getAsLong();
        }
        h.appendTo(current);
        if (current.getRowCount() >= maxRows) {
            emit();
        }
    }

    private void emit() {
        VectorSchemaRoot batch = current;
        current = null;
        rows += batch.getRowCount();
        try {
            sink.accept(batch);
        } catch (RuntimeException | Error e) {
            batch.close();
            throw e;
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("closed");
        }
    }
}
