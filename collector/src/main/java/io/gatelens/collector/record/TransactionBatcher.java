package io.gatelens.collector.record;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.LongSupplier;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.util.TransferPair;

/**
 * Accumulates decoded records into Arrow batches of bounded size and age, so that downstream
 * writers see reasonably large batches under load and still get rows promptly when traffic is
 * light. A batch is handed to the {@link ArrowBatchSink} when it reaches maxRows, when
 * {@link #poll(long)} finds its first row at least maxMillis old, on {@link #flush()} and on
 * {@link #close()}. No batch ever exceeds maxRows: an append that carries more records is split.
 *
 * <p>Rows being accumulated live in a child allocator of the parent; a finished batch is
 * transferred to the parent allocator before it is handed over, so the sink may keep it after
 * this batcher is closed. Call {@link #poll(long)} regularly (e.g. after each ring-buffer
 * drain): appends alone only close full batches. Not thread-safe.
 */
public final class TransactionBatcher implements AutoCloseable {
    /**
     * Upper bound for maxRows: even if every path were invalid UTF-8 (256 bytes becoming 768),
     * a batch's path column stays under the 2 GiB that Utf8 offsets can address.
     */
    public static final int MAX_ROWS_LIMIT = 1 << 20;

    private static final int INITIAL_ROWS = 4096;
    private static final double PATH_DENSITY = 64.0;
    private static final double HOST_DENSITY = 24.0;
    private static final double METHOD_DENSITY = 6.0;

    private final BufferAllocator parent;
    private final BufferAllocator allocator;
    private final int maxRows;
    private final long maxMillis;
    private final ArrowBatchSink sink;
    private final LongSupplier clockMillis;
    private final HttpRecordDecoder decoder = new HttpRecordDecoder();
    private final VectorSchemaRoot current;

    private long firstRowMillis;
    private long batches;
    private long rowsEmitted;
    private boolean closed;

    /** A batcher on the system clock ({@link System#currentTimeMillis()}). */
    public TransactionBatcher(BufferAllocator parent, int maxRows, long maxMillis, ArrowBatchSink sink) {
        this(parent, maxRows, maxMillis, sink, System::currentTimeMillis);
    }

    /** clockMillis stamps the first row of each batch; poll's nowMillis must use the same clock. */
    public TransactionBatcher(BufferAllocator parent, int maxRows, long maxMillis, ArrowBatchSink sink,
                              LongSupplier clockMillis) {
        if (parent == null) {
            throw new IllegalArgumentException("parent allocator must not be null");
        }
        if (maxRows < 1 || maxRows > MAX_ROWS_LIMIT) {
            throw new IllegalArgumentException(
                    "maxRows must be between 1 and " + MAX_ROWS_LIMIT + ", got " + maxRows);
        }
        if (maxMillis < 1) {
            throw new IllegalArgumentException("maxMillis must be >= 1, got " + maxMillis);
        }
        if (sink == null) {
            throw new IllegalArgumentException("sink must not be null");
        }
        if (clockMillis == null) {
            throw new IllegalArgumentException("clockMillis must not be null");
        }
        this.parent = parent;
        this.maxRows = maxRows;
        this.maxMillis = maxMillis;
        this.sink = sink;
        this.clockMillis = clockMillis;
        this.allocator = parent.newChildAllocator("gatelens-batcher", 0, Long.MAX_VALUE);
        VectorSchemaRoot root = null;
        try {
            root = VectorSchemaRoot.create(TransactionSchema.schema(), allocator);
            allocate(root);
        } catch (RuntimeException | Error e) {
            if (root != null) {
                root.close();
            }
            allocator.close();
            throw e;
        }
        this.current = root;
    }

    /**
     * Decodes the whole records of buf[offset, offset + length) (see {@link HttpRecordDecoder})
     * and hands over every batch that becomes full. Returns the rows appended.
     */
    public int append(ByteBuffer buf, int offset, int length, long clockOffsetNs) {
        ensureOpen();
        Objects.requireNonNull(buf, "buf");
        Objects.checkFromIndexSize(offset, length, buf.limit());
        final int end = offset + length;
        int p = offset;
        int total = 0;
        while (end - p >= HttpRecordLayout.SIZE) {
            int before = current.getRowCount();
            int n = decoder.decode(buf, p, end - p, current, clockOffsetNs, maxRows - before);
            p = decoder.nextOffset();
            if (n > 0 && before == 0) {
                firstRowMillis = clockMillis.getAsLong();
            }
            total += n;
            if (current.getRowCount() < maxRows) {
                break; // the decoder stopped at the end of the data, not at the row limit
            }
            emit();
        }
        return total;
    }

    /** Hands over the current batch if its first row is at least maxMillis old; true if it did. */
    public boolean poll(long nowMillis) {
        ensureOpen();
        if (current.getRowCount() > 0 && nowMillis - firstRowMillis >= maxMillis) {
            emit();
            return true;
        }
        return false;
    }

    /** {@link #poll(long)} at the batcher's clock. */
    public boolean poll() {
        return poll(clockMillis.getAsLong());
    }

    /** Hands over the current batch if it has rows; true if it did. */
    public boolean flush() {
        ensureOpen();
        if (current.getRowCount() > 0) {
            emit();
            return true;
        }
        return false;
    }

    /** Rows waiting in the current batch. */
    public int pendingRows() {
        return current.getRowCount();
    }

    /** Batches handed to the sink so far. */
    public long batchesEmitted() {
        return batches;
    }

    /** Rows handed to the sink so far. */
    public long rowsEmitted() {
        return rowsEmitted;
    }

    /** Records skipped because their type is unknown (see {@link HttpRecordDecoder#skippedRecords()}). */
    public long skippedRecords() {
        return decoder.skippedRecords();
    }

    /** Flushes, then frees the current batch and the child allocator. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        try {
            flush();
        } finally {
            closed = true;
            try {
                current.close();
            } finally {
                allocator.close();
            }
        }
    }

    private void emit() {
        int rows = current.getRowCount();
        List<FieldVector> moved = new ArrayList<>(current.getFieldVectors().size());
        VectorSchemaRoot batch;
        try {
            for (FieldVector v : current.getFieldVectors()) {
                TransferPair tp = v.getTransferPair(parent);
                tp.transfer();
                moved.add((FieldVector) tp.getTo());
            }
            batch = new VectorSchemaRoot(TransactionSchema.schema(), moved, rows);
            batch.setRowCount(rows);
        } catch (RuntimeException | Error e) {
            moved.forEach(FieldVector::close);
            current.clear();
            throw e;
        } finally {
            current.setRowCount(0);
        }
        allocate(current);
        batches++;
        rowsEmitted += rows;
        try {
            sink.accept(batch);
        } catch (RuntimeException | Error e) {
            batch.close(); // closing twice is harmless if the sink closed it before failing
            throw e;
        }
    }

    /** Allocates room for a first chunk of rows; vectors grow by doubling beyond it. */
    private void allocate(VectorSchemaRoot root) {
        int rows = Math.min(maxRows, INITIAL_ROWS);
        for (FieldVector v : root.getFieldVectors()) {
            if (v instanceof BaseVariableWidthVector) {
                String name = v.getName();
                double density = name.equals(TransactionSchema.PATH) ? PATH_DENSITY
                        : name.equals(TransactionSchema.HOST) ? HOST_DENSITY : METHOD_DENSITY;
                ((BaseVariableWidthVector) v).setInitialCapacity(rows, density);
            } else {
                v.setInitialCapacity(rows);
            }
            v.allocateNew();
        }
        root.setRowCount(0);
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the batcher is closed");
        }
    }
}
