package io.gatelens.analytics.ingest;

import io.gatelens.collector.record.TransactionSchema;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.ValueVector;
import org.apache.arrow.vector.VectorSchemaRoot;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The columns of one transaction batch that the ingest reads, copied out of Arrow memory into Java
 * arrays, one bulk copy per buffer. Why: Arrow's per-value accessors check bounds and reference
 * counts on every call (measured: a fifth of the ingest's CPU), and turning those checks off
 * ({@code arrow.enable_unsafe_memory_access}) would let a malformed batch read arbitrary memory.
 * Here a buffer is checked once when copied, offsets are validated before any row is used, and every
 * later access is a Java array access.
 *
 * <p>Reused from batch to batch by one thread; the arrays grow to the largest batch seen.
 */
final class TransactionColumns {
    /** The collector closes batches at gatelens.capture.batch-rows (32,768); a claim far beyond is not a batch of ours. */
    static final int MAX_ROWS = 1 << 20;

    int rows;
    long[] ts = new long[0];
    byte[] direction = new byte[0];
    int[] dport = new int[0];
    int[] status = new int[0];
    long[] reqBytes = new long[0];
    long[] respBytes = new long[0];
    long[] ttfb = new long[0];
    long[] latency = new long[0];
    /**
     * Validity bitmaps, bit i of byte i / 8 (Arrow's layout); an all-valid column reads as all ones.
     * A null status reads as 0 and a null ttfb or latency as -1 in the value arrays themselves
     * (folded in once per batch, so the per-row loops read one array, not a bitmap too).
     */
    byte[] hostValid = new byte[0];
    byte[] statusValid = new byte[0];
    byte[] ttfbValid = new byte[0];
    byte[] latencyValid = new byte[0];
    final Utf8Column method = new Utf8Column();
    final Utf8Column path = new Utf8Column();
    final Utf8Column host = new Utf8Column();

    /** One variable-width column: value i is {@code data[offsets[i], offsets[i + 1])}. */
    static final class Utf8Column {
        int[] offsets = new int[1];
        byte[] data = new byte[0];

        int start(int i) {
            return offsets[i];
        }

        int length(int i) {
            return offsets[i + 1] - offsets[i];
        }

        void load(String name, BaseVariableWidthVector v, int rows) {
            if (offsets.length < rows + 1) {
                offsets = new int[grow(rows + 1)];
            }
            if (rows == 0) {
                offsets[0] = 0;
                return;
            }
            ArrowBuf offsetBuf = v.getOffsetBuffer();
            checkCapacity(name + " offsets", offsetBuf, (long) (rows + 1) * Integer.BYTES);
            offsetBuf.nioBuffer(0, (rows + 1) * Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer()
                .get(offsets, 0, rows + 1);
            int first = offsets[0];
            if (first < 0) {
                throw new IllegalArgumentException("column " + name + ": negative first offset " + first);
            }
            for (int i = 0; i < rows; i++) {
                if (offsets[i + 1] < offsets[i]) {
                    throw new IllegalArgumentException("column " + name + ": offsets decrease at row " + i);
                }
            }
            int end = offsets[rows];
            ArrowBuf dataBuf = v.getDataBuffer();
            checkCapacity(name + " data", dataBuf, end);
            if (data.length < end) {
                data = new byte[grow(end)];
            }
            dataBuf.getBytes(0, data, 0, end);
        }
    }

    /** Copies the batch's columns; throws IllegalArgumentException, before any row is used, if a buffer is malformed. */
    void load(VectorSchemaRoot batch) {
        int n = batch.getRowCount();
        if (n < 0 || n > MAX_ROWS) {
            throw new IllegalArgumentException("batch of " + n + " rows: 0.." + MAX_ROWS + " accepted");
        }
        rows = n;
        if (ts.length < n) {
            int cap = grow(n);
            ts = new long[cap];
            direction = new byte[cap];
            dport = new int[cap];
            status = new int[cap];
            reqBytes = new long[cap];
            respBytes = new long[cap];
            ttfb = new long[cap];
            latency = new long[cap];
            int bitmap = (cap + 7) / 8;
            hostValid = new byte[bitmap];
            statusValid = new byte[bitmap];
            ttfbValid = new byte[bitmap];
            latencyValid = new byte[bitmap];
        }
        longs("ts_ns", batch.getVector(TransactionSchema.COL_TS_NS), ts, n);
        fixed("direction", batch.getVector(TransactionSchema.COL_DIRECTION), 1, n).get(direction, 0, n);
        fixed("dport", batch.getVector(TransactionSchema.COL_DPORT), 4, n).asIntBuffer().get(dport, 0, n);
        fixed("status", batch.getVector(TransactionSchema.COL_STATUS), 4, n).asIntBuffer().get(status, 0, n);
        longs("req_bytes", batch.getVector(TransactionSchema.COL_REQ_BYTES), reqBytes, n);
        longs("resp_bytes", batch.getVector(TransactionSchema.COL_RESP_BYTES), respBytes, n);
        longs("ttfb_ns", batch.getVector(TransactionSchema.COL_TTFB_NS), ttfb, n);
        longs("latency_ns", batch.getVector(TransactionSchema.COL_LATENCY_NS), latency, n);
        validity(batch.getVector(TransactionSchema.COL_HOST), hostValid, n);
        validity(batch.getVector(TransactionSchema.COL_STATUS), statusValid, n);
        validity(batch.getVector(TransactionSchema.COL_TTFB_NS), ttfbValid, n);
        validity(batch.getVector(TransactionSchema.COL_LATENCY_NS), latencyValid, n);
        nullsAs(statusValid, status, 0, n);
        nullsAs(ttfbValid, ttfb, -1, n);
        nullsAs(latencyValid, latency, -1, n);
        method.load("method", variable("method", batch.getVector(TransactionSchema.COL_METHOD)), n);
        path.load("path", variable("path", batch.getVector(TransactionSchema.COL_PATH)), n);
        host.load("host", variable("host", batch.getVector(TransactionSchema.COL_HOST)), n);
    }

    private static void nullsAs(byte[] valid, int[] values, int absent, int n) {
        forEachNull(valid, n, i -> values[i] = absent);
    }

    private static void nullsAs(byte[] valid, long[] values, long absent, int n) {
        forEachNull(valid, n, i -> values[i] = absent);
    }

    /** Calls onNull for the rows [0, n) whose bit is clear; a byte of eight valid rows is skipped whole. */
    private static void forEachNull(byte[] valid, int n, java.util.function.IntConsumer onNull) {
        for (int b = 0, bytes = (n + 7) >>> 3; b < bytes; b++) {
            if (valid[b] != -1) {
                for (int i = b << 3, end = Math.min(n, i + 8); i < end; i++) {
                    if ((valid[b] >> (i & 7) & 1) == 0) {
                        onNull.accept(i);
                    }
                }
            }
        }
    }

    static boolean isValid(byte[] bitmap, int i) {
        return (bitmap[i >>> 3] >> (i & 7) & 1) != 0;
    }

    private static void longs(String name, FieldVector v, long[] into, int n) {
        fixed(name, v, 8, n).asLongBuffer().get(into, 0, n);
    }

    private static ByteBuffer fixed(String name, FieldVector v, int width, int n) {
        if (!(v instanceof BaseFixedWidthVector f) || f.getTypeWidth() != width) {
            throw new IllegalArgumentException("column " + name + " is not " + width + "-byte fixed width: " + v.getField());
        }
        if (n == 0) {
            return ByteBuffer.allocate(0);
        }
        ArrowBuf data = f.getDataBuffer();
        checkCapacity(name, data, (long) n * width);
        return data.nioBuffer(0, n * width).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static BaseVariableWidthVector variable(String name, FieldVector v) {
        if (!(v instanceof BaseVariableWidthVector b)) {
            throw new IllegalArgumentException("column " + name + " is not variable width: " + v.getField());
        }
        return b;
    }

    private static void validity(ValueVector v, byte[] into, int n) {
        int bytes = (n + 7) / 8;
        if (v.getNullCount() == 0) {
            java.util.Arrays.fill(into, 0, bytes, (byte) -1);
            return;
        }
        ArrowBuf buf = v.getValidityBuffer();
        checkCapacity(v.getName() + " validity", buf, bytes);
        buf.getBytes(0, into, 0, bytes);
    }

    private static void checkCapacity(String what, ArrowBuf buf, long needed) {
        if (buf == null || buf.capacity() < needed) {
            throw new IllegalArgumentException("column " + what + ": buffer of " + (buf == null ? 0 : buf.capacity())
                + " bytes, " + needed + " needed");
        }
    }

    private static int grow(int n) {
        return Math.max(16, Integer.highestOneBit(Math.max(1, n - 1)) << 1);
    }
}
