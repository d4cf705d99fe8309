package io.gatelens.collector.record;

import static io.gatelens.collector.record.HttpRecordLayout.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.FixedSizeBinaryVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Turns raw {@code struct gl_http_record}s (see {@link HttpRecordLayout}) into rows of a
 * {@link TransactionSchema} root. It sits on the capture hot path, so the common case
 * allocates nothing per record: fields are read with absolute gets and bytes are copied
 * straight from the source buffer into the vectors.
 *
 * <p>Record bytes are untrusted (paths and hosts come off the wire, a bug could corrupt a
 * length): lengths are clamped to their field, Utf8 columns always receive valid UTF-8
 * (invalid sequences become U+FFFD), unknown record types are skipped and counted, and a
 * trailing partial record is never read. Not thread-safe: use one decoder per thread.
 */
public final class HttpRecordDecoder {
    private static final boolean LITTLE = BYTE_ORDER == ByteOrder.LITTLE_ENDIAN;
    private static final long HIGH_BITS = 0x8080808080808080L;

    private long skipped;
    private int nextOffset;

    // Vectors of the root of the last call, so a reused root is checked only once.
    private VectorSchemaRoot boundRoot;
    private Schema boundSchema;
    private BigIntVector tsNs;
    private FixedSizeBinaryVector src;
    private IntVector sport;
    private FixedSizeBinaryVector dst;
    private IntVector dport;
    private TinyIntVector family;
    private TinyIntVector direction;
    private IntVector ifindex;
    private VarCharVector method;
    private VarCharVector path;
    private VarCharVector host;
    private IntVector status;
    private BigIntVector reqBytes;
    private BigIntVector respBytes;
    private BigIntVector ttfbNs;
    private BigIntVector latencyNs;
    private IntVector flags;

    // For the rare non-ASCII string: bytes to decode with replacement.
    private final byte[] scratch = new byte[PATH_MAX];

    /**
     * Appends every whole record of buf[offset, offset + length) to root, after its current
     * rows, and updates its row count. ts_ns = start_ns + clockOffsetNs (live: the
     * CLOCK_MONOTONIC to epoch offset; offline: 0). Returns the number of rows appended.
     * buf's position, limit and byte order are left untouched.
     */
    public int decode(ByteBuffer buf, int offset, int length, VectorSchemaRoot root, long clockOffsetNs) {
        return decode(buf, offset, length, root, clockOffsetNs, Integer.MAX_VALUE);
    }

    /**
     * As {@link #decode(ByteBuffer, int, int, VectorSchemaRoot, long)}, but stops after
     * maxRecords rows; {@link #nextOffset()} then tells where to resume.
     */
    public int decode(ByteBuffer buf, int offset, int length, VectorSchemaRoot root, long clockOffsetNs,
                      int maxRecords) {
        Objects.requireNonNull(buf, "buf");
        Objects.checkFromIndexSize(offset, length, buf.limit());
        if (maxRecords < 0) {
            throw new IllegalArgumentException("maxRecords must be >= 0, got " + maxRecords);
        }
        bind(root);
        final ByteBuffer b = buf.order() == BYTE_ORDER ? buf : buf.duplicate().order(BYTE_ORDER);
        final int start = root.getRowCount();
        final int end = offset + length;
        final int bound = (int) Math.min(maxRecords, (long) length / SIZE);
        ensureFixedCapacity(start + bound);

        int row = start;
        int p = offset;
        final int lastRow = start + bound;
        while (row < lastRow && end - p >= SIZE) {
            if ((b.getShort(p + OFF_TYPE) & 0xFFFF) != TYPE_HTTP) {
                skipped++;
                p += SIZE;
                continue;
            }
            decodeHttp(b, p, row, clockOffsetNs);
            row++;
            p += SIZE;
        }
        nextOffset = p;
        if (row != start) {
            root.setRowCount(row);
        }
        return row - start;
    }

    /** Records skipped since this decoder was created because their type is unknown. */
    public long skippedRecords() {
        return skipped;
    }

    /**
     * Offset in the buffer just after the last record the latest decode call consumed
     * (appended or skipped): where the next call should start.
     */
    public int nextOffset() {
        return nextOffset;
    }

    private void decodeHttp(ByteBuffer b, int p, int row, long clockOffsetNs) {
        final int st = b.getShort(p + OFF_STATUS) & 0xFFFF;
        tsNs.set(row, b.getLong(p + OFF_START_NS) + clockOffsetNs);
        src.getDataBuffer().setBytes((long) row * ADDR_LEN, b, p + OFF_CLIENT_ADDR, ADDR_LEN);
        src.setIndexDefined(row);
        sport.set(row, ((b.get(p + OFF_CLIENT_PORT) & 0xFF) << 8) | (b.get(p + OFF_CLIENT_PORT + 1) & 0xFF));
        dst.getDataBuffer().setBytes((long) row * ADDR_LEN, b, p + OFF_SERVER_ADDR, ADDR_LEN);
        dst.setIndexDefined(row);
        dport.set(row, ((b.get(p + OFF_SERVER_PORT) & 0xFF) << 8) | (b.get(p + OFF_SERVER_PORT + 1) & 0xFF));
        family.set(row, b.get(p + OFF_FAMILY));
        direction.set(row, b.get(p + OFF_DIRECTION));
        ifindex.set(row, b.getInt(p + OFF_IFINDEX));
        reqBytes.set(row, b.getLong(p + OFF_REQ_BYTES));
        respBytes.set(row, b.getLong(p + OFF_RESP_BYTES));
        flags.set(row, b.getShort(p + OFF_FLAGS) & 0xFFFF);
        if (st != 0) {
            status.set(row, st);
            ttfbNs.set(row, b.getLong(p + OFF_TTFB_NS));
            latencyNs.set(row, b.getLong(p + OFF_LATENCY_NS));
        } else {
            status.setNull(row);
            ttfbNs.setNull(row);
            latencyNs.setNull(row);
        }
        putUtf8(method, row, b, p + OFF_METHOD, Math.min(b.get(p + OFF_METHOD_LEN) & 0xFF, METHOD_MAX));
        putUtf8(path, row, b, p + OFF_PATH, Math.min(b.getShort(p + OFF_PATH_LEN) & 0xFFFF, PATH_MAX));
        int hostLen = Math.min(b.get(p + OFF_HOST_LEN) & 0xFF, HOST_MAX);
        if (hostLen != 0) {
            putUtf8(host, row, b, p + OFF_HOST, hostLen);
        } else {
            host.setNull(row);
        }
    }

    /**
     * Copies len bytes at b[at] into v[row] as is when they are ASCII, otherwise as their
     * UTF-8 decoding with replacement, re-encoded. at is 8-byte aligned and the field holds
     * a multiple of 8 bytes, so whole words never leave the field.
     */
    private void putUtf8(VarCharVector v, int row, ByteBuffer b, int at, int len) {
        long acc = 0;
        int i = 0;
        for (; i + 8 <= len; i += 8) {
            acc |= b.getLong(at + i);
        }
        if (i < len) {
            int tail = (len - i) << 3; // bits, 8..56
            long w = b.getLong(at + i);
            acc |= LITTLE ? w & ((1L << tail) - 1) : w & (-1L << (64 - tail));
        }
        if ((acc & HIGH_BITS) == 0) {
            v.setSafe(row, b, at, len);
        } else {
            b.get(at, scratch, 0, len);
            v.setSafe(row, new String(scratch, 0, len, StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8));
        }
    }

    private void ensureFixedCapacity(int rows) {
        ensure(tsNs, rows);
        ensure(src, rows);
        ensure(sport, rows);
        ensure(dst, rows);
        ensure(dport, rows);
        ensure(family, rows);
        ensure(direction, rows);
        ensure(ifindex, rows);
        ensure(status, rows);
        ensure(reqBytes, rows);
        ensure(respBytes, rows);
        ensure(ttfbNs, rows);
        ensure(latencyNs, rows);
        ensure(flags, rows);
    }

    private static void ensure(FieldVector v, int rows) {
        while (v.getValueCapacity() < rows) {
            v.reAlloc();
        }
    }

    private void bind(VectorSchemaRoot root) {
        Objects.requireNonNull(root, "root");
        if (root == boundRoot && root.getSchema() == boundSchema) {
            return;
        }
        List<Field> want = TransactionSchema.schema().getFields();
        if (!root.getSchema().getFields().equals(want)) {
            throw new IllegalArgumentException("root does not have the TransactionSchema fields: "
                    + root.getSchema());
        }
        List<FieldVector> v = root.getFieldVectors();
        tsNs = (BigIntVector) v.get(TransactionSchema.COL_TS_NS);
        src = (FixedSizeBinaryVector) v.get(TransactionSchema.COL_SRC);
        sport = (IntVector) v.get(TransactionSchema.COL_SPORT);
        dst = (FixedSizeBinaryVector) v.get(TransactionSchema.COL_DST);
        dport = (IntVector) v.get(TransactionSchema.COL_DPORT);
        family = (TinyIntVector) v.get(TransactionSchema.COL_FAMILY);
        direction = (TinyIntVector) v.get(TransactionSchema.COL_DIRECTION);
        ifindex = (IntVector) v.get(TransactionSchema.COL_IFINDEX);
        method = (VarCharVector) v.get(TransactionSchema.COL_METHOD);
        path = (VarCharVector) v.get(TransactionSchema.COL_PATH);
        host = (VarCharVector) v.get(TransactionSchema.COL_HOST);
        status = (IntVector) v.get(TransactionSchema.COL_STATUS);
        reqBytes = (BigIntVector) v.get(TransactionSchema.COL_REQ_BYTES);
        respBytes = (BigIntVector) v.get(TransactionSchema.COL_RESP_BYTES);
        ttfbNs = (BigIntVector) v.get(TransactionSchema.COL_TTFB_NS);
        latencyNs = (BigIntVector) v.get(TransactionSchema.COL_LATENCY_NS);
        flags = (IntVector) v.get(TransactionSchema.COL_FLAGS);
        boundRoot = root;
        boundSchema = root.getSchema();
    }
}
