package io.gatelens.collector.record;

import static io.gatelens.collector.record.HttpRecordLayout.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.BaseFixedWidthVector;
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
 * {@link TransactionSchema} root. It sits on the capture hot path (target: well over 5 M
 * records/s on one core, see bench/DecodeBenchmark), so the common case allocates nothing per
 * record: fields are read with absolute ByteBuffer gets and written straight into the vectors'
 * memory, whose room is reserved before any write.
 *
 * <p>Record bytes are untrusted (paths and hosts come off the wire, a bug could corrupt a
 * length): lengths are clamped to their field, so no read leaves the record; Utf8 columns
 * always receive valid UTF-8 (ASCII is copied as is, anything else is decoded with U+FFFD
 * replacement and re-encoded); a trailing partial record is never read. Records of the other
 * types the kernel writes (TLS chunks, {@link RecordTypes}) are stepped over by their size and
 * counted in {@link #otherRecords()}; a record of unknown type is skipped and counted in
 * {@link #skippedRecords()}, assumed to occupy {@link HttpRecordLayout#SIZE} bytes.
 * Not thread-safe: use one decoder per thread.
 */
public final class HttpRecordDecoder {
    private static final boolean LITTLE = BYTE_ORDER == ByteOrder.LITTLE_ENDIAN;
    private static final long HIGH_BITS = 0x8080808080808080L;

    private long skipped;
    private long other;
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
    private Utf8Column method;
    private Utf8Column path;
    private Utf8Column host;
    private IntVector status;
    private BigIntVector reqBytes;
    private BigIntVector respBytes;
    private BigIntVector ttfbNs;
    private BigIntVector latencyNs;
    private IntVector flags;

    private BaseFixedWidthVector[] fixed;
    private BaseFixedWidthVector[] notNullFixed;

    // Buffer addresses, valid from prepare() to the end of the decode call.
    private long tsNsAddr, srcAddr, sportAddr, dstAddr, dportAddr, familyAddr, directionAddr,
            ifindexAddr, statusAddr, reqBytesAddr, respBytesAddr, ttfbNsAddr, latencyNsAddr, flagsAddr;
    private long statusValidity, ttfbNsValidity, latencyNsValidity;

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
        final int bound = (int) Math.min(maxRecords, (long) length / SIZE);
        if ((long) start + bound > Integer.MAX_VALUE / 16) {
            throw new IllegalArgumentException("too many rows for one root: " + start + " + " + bound);
        }
        prepare(start, start + bound);

        final int end = offset + length;
        final int lastRow = start + bound;
        int row = start;
        int p = offset;
        while (end - p >= TlsChunkLayout.OFF_DATA) { // the smallest record: a chunk's header
            int type = b.getShort(p + OFF_TYPE) & 0xFFFF;
            if (type == TYPE_HTTP) {
                if (row == lastRow || end - p < SIZE) {
                    break; // the rows asked for are decoded, or a partial record
                }
                decodeHttp(b, p, row, clockOffsetNs);
                row++;
                p += SIZE;
                continue;
            }
            int size = RecordTypes.sizeAt(b, p, type);
            if (end - p < size) {
                break; // a partial record is never read
            }
            if (type == TlsChunkLayout.TYPE_TLS) {
                other++;
            } else {
                skipped++;
            }
            p += size;
        }
        nextOffset = p;
        finish(root, start, row);
        return row - start;
    }

    /** Records skipped since this decoder was created because their type is unknown. */
    public long skippedRecords() {
        return skipped;
    }

    /** Records of the other known types (TLS chunks) stepped over since this decoder was created. */
    public long otherRecords() {
        return other;
    }

    /**
     * Offset in the buffer just after the last record the latest decode call consumed
     * (appended or skipped): where the next call should start.
     */
    public int nextOffset() {
        return nextOffset;
    }

    /*
     * Hot path. Vectors are written through raw addresses: prepare() has made room for every
     * row this call can append, and the Utf8 data buffers are checked before each string, so
     * no write leaves its buffer. Reads go through the ByteBuffer, bounds-checked.
     */
    private void decodeHttp(ByteBuffer b, int p, int row, long clockOffsetNs) {
        final long r8 = (long) row << 3;
        final long r4 = (long) row << 2;
        final long r16 = (long) row << 4;
        MemoryUtil.putLong(tsNsAddr + r8, b.getLong(p + OFF_START_NS) + clockOffsetNs);
        MemoryUtil.putLong(srcAddr + r16, b.getLong(p + OFF_CLIENT_ADDR));
        MemoryUtil.putLong(srcAddr + r16 + 8, b.getLong(p + OFF_CLIENT_ADDR + 8));
        MemoryUtil.putLong(dstAddr + r16, b.getLong(p + OFF_SERVER_ADDR));
        MemoryUtil.putLong(dstAddr + r16 + 8, b.getLong(p + OFF_SERVER_ADDR + 8));
        MemoryUtil.putInt(sportAddr + r4, ((b.get(p + OFF_CLIENT_PORT) & 0xFF) << 8) | (b.get(p + OFF_CLIENT_PORT + 1) & 0xFF));
        MemoryUtil.putInt(dportAddr + r4, ((b.get(p + OFF_SERVER_PORT) & 0xFF) << 8) | (b.get(p + OFF_SERVER_PORT + 1) & 0xFF));
        MemoryUtil.putByte(familyAddr + row, b.get(p + OFF_FAMILY));
        MemoryUtil.putByte(directionAddr + row, b.get(p + OFF_DIRECTION));
        MemoryUtil.putInt(ifindexAddr + r4, b.getInt(p + OFF_IFINDEX));
        MemoryUtil.putLong(reqBytesAddr + r8, b.getLong(p + OFF_REQ_BYTES));
        MemoryUtil.putLong(respBytesAddr + r8, b.getLong(p + OFF_RESP_BYTES));
        MemoryUtil.putInt(flagsAddr + r4, b.getShort(p + OFF_FLAGS) & 0xFFFF);

        final int st = b.getShort(p + OFF_STATUS) & 0xFFFF;
        final boolean answered = st != 0;
        // a null slot is written too (0), so a reused buffer never shows stale values
        MemoryUtil.putInt(statusAddr + r4, st);
        MemoryUtil.putLong(ttfbNsAddr + r8, answered ? b.getLong(p + OFF_TTFB_NS) : 0L);
        MemoryUtil.putLong(latencyNsAddr + r8, answered ? b.getLong(p + OFF_LATENCY_NS) : 0L);
        setValid(statusValidity, row, answered);
        setValid(ttfbNsValidity, row, answered);
        setValid(latencyNsValidity, row, answered);

        method.put(b, p + OFF_METHOD, Math.min(b.get(p + OFF_METHOD_LEN) & 0xFF, METHOD_MAX), row, scratch);
        path.put(b, p + OFF_PATH, Math.min(b.getShort(p + OFF_PATH_LEN) & 0xFFFF, PATH_MAX), row, scratch);
        final int hostLen = Math.min(b.get(p + OFF_HOST_LEN) & 0xFF, HOST_MAX);
        if (hostLen != 0) {
            host.put(b, p + OFF_HOST, hostLen, row, scratch);
            setValid(host.validity, row, true);
        } else {
            host.putNull(row);
            setValid(host.validity, row, false);
        }
    }

    private static void setValid(long validity, int row, boolean valid) {
        long a = validity + (row >>> 3);
        int bit = 1 << (row & 7);
        byte cur = MemoryUtil.getByte(a);
        MemoryUtil.putByte(a, (byte) (valid ? cur | bit : cur & ~bit));
    }

    /** Makes room for rows [start, limit) and caches the buffer addresses. */
    private void prepare(int start, int limit) {
        for (BaseFixedWidthVector v : fixed) {
            while (v.getValueCapacity() < limit) {
                v.reAlloc();
            }
        }
        tsNsAddr = tsNs.getDataBufferAddress();
        srcAddr = src.getDataBufferAddress();
        sportAddr = sport.getDataBufferAddress();
        dstAddr = dst.getDataBufferAddress();
        dportAddr = dport.getDataBufferAddress();
        familyAddr = family.getDataBufferAddress();
        directionAddr = direction.getDataBufferAddress();
        ifindexAddr = ifindex.getDataBufferAddress();
        statusAddr = status.getDataBufferAddress();
        reqBytesAddr = reqBytes.getDataBufferAddress();
        respBytesAddr = respBytes.getDataBufferAddress();
        ttfbNsAddr = ttfbNs.getDataBufferAddress();
        latencyNsAddr = latencyNs.getDataBufferAddress();
        flagsAddr = flags.getDataBufferAddress();
        statusValidity = status.getValidityBufferAddress();
        ttfbNsValidity = ttfbNs.getValidityBufferAddress();
        latencyNsValidity = latencyNs.getValidityBufferAddress();
        method.prepare(start, limit);
        path.prepare(start, limit);
        host.prepare(start, limit);
    }

    /** Marks rows [start, end) valid in the non-null columns and publishes the row count. */
    private void finish(VectorSchemaRoot root, int start, int end) {
        if (end == start) {
            return;
        }
        for (BaseFixedWidthVector v : notNullFixed) {
            setValidRange(v.getValidityBufferAddress(), start, end);
        }
        setValidRange(method.validity, start, end);
        setValidRange(path.validity, start, end);
        method.finish(end);
        path.finish(end);
        host.finish(end);
        root.setRowCount(end);
    }

    private static void setValidRange(long validity, int from, int to) {
        int i = from;
        for (; i < to && (i & 7) != 0; i++) {
            setValid(validity, i, true);
        }
        int bytes = (to - i) >>> 3;
        if (bytes > 0) {
            MemoryUtil.setMemory(validity + (i >>> 3), bytes, (byte) 0xFF);
            i += bytes << 3;
        }
        for (; i < to; i++) {
            setValid(validity, i, true);
        }
    }

    /** Write state of one Utf8 column between prepare() and finish(). */
    private static final class Utf8Column {
        final VarCharVector vector;
        long validity;
        long offsets;
        long data;
        long capacity;
        int end; // bytes used in the data buffer

        Utf8Column(VarCharVector vector) {
            this.vector = vector;
        }

        void prepare(int start, int limit) {
            while (vector.getValueCapacity() < limit) {
                vector.reallocValidityAndOffsetBuffers();
            }
            vector.fillEmpties(start); // offsets of rows before start (no-op when counts agree)
            end = vector.getStartOffset(start);
            validity = vector.getValidityBufferAddress();
            offsets = vector.getOffsetBufferAddress();
            MemoryUtil.putInt(offsets + ((long) start << 2), end);
            refreshData();
        }

        void refreshData() {
            data = vector.getDataBufferAddress();
            capacity = vector.getDataBuffer().capacity();
        }

        void reserve(int bytes) {
            if ((long) end + bytes > Integer.MAX_VALUE) {
                throw new IllegalStateException("column " + vector.getName()
                        + " would exceed 2 GiB: use fewer rows per root");
            }
            while (capacity < (long) end + bytes) {
                vector.reallocDataBuffer();
                refreshData();
            }
        }

        /**
         * Appends len bytes at b[at] as row's value: as is when ASCII, else decoded with
         * replacement and re-encoded. Copies whole words (fields are multiples of 8 bytes and
         * len is clamped, so reads stay in the field), checking for high bits on the way; the
         * bytes written past len are overwritten by the next value or lie past the last offset.
         */
        void put(ByteBuffer b, int at, int len, int row, byte[] scratch) {
            reserve(len + 8);
            final long dst = data + end;
            long acc = 0;
            int i = 0;
            for (; i + 8 <= len; i += 8) {
                long w = b.getLong(at + i);
                acc |= w;
                MemoryUtil.putLong(dst + i, w);
            }
            if (i < len) {
                long w = b.getLong(at + i);
                int tail = (len - i) << 3; // 8..56 bits
                acc |= LITTLE ? w & ((1L << tail) - 1) : w & (-1L << (64 - tail));
                MemoryUtil.putLong(dst + i, w);
            }
            if ((acc & HIGH_BITS) != 0) {
                b.get(at, scratch, 0, len);
                byte[] valid = new String(scratch, 0, len, StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8);
                reserve(valid.length);
                MemoryUtil.copyToMemory(valid, 0, data + end, valid.length);
                len = valid.length;
            }
            end += len;
            MemoryUtil.putInt(offsets + ((long) (row + 1) << 2), end);
        }

        void putNull(int row) {
            MemoryUtil.putInt(offsets + ((long) (row + 1) << 2), end);
        }

        void finish(int rows) {
            vector.setLastSet(rows - 1);
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
        method = new Utf8Column((VarCharVector) v.get(TransactionSchema.COL_METHOD));
        path = new Utf8Column((VarCharVector) v.get(TransactionSchema.COL_PATH));
        host = new Utf8Column((VarCharVector) v.get(TransactionSchema.COL_HOST));
        status = (IntVector) v.get(TransactionSchema.COL_STATUS);
        reqBytes = (BigIntVector) v.get(TransactionSchema.COL_REQ_BYTES);
        respBytes = (BigIntVector) v.get(TransactionSchema.COL_RESP_BYTES);
        ttfbNs = (BigIntVector) v.get(TransactionSchema.COL_TTFB_NS);
        latencyNs = (BigIntVector) v.get(TransactionSchema.COL_LATENCY_NS);
        flags = (IntVector) v.get(TransactionSchema.COL_FLAGS);
        notNullFixed = new BaseFixedWidthVector[] {tsNs, src, sport, dst, dport, family, direction, ifindex,
            reqBytes, respBytes, flags};
        fixed = new BaseFixedWidthVector[] {tsNs, src, sport, dst, dport, family, direction, ifindex,
            reqBytes, respBytes, flags, status, ttfbNs, latencyNs};
        boundRoot = root;
        boundSchema = root.getSchema();
    }
}
