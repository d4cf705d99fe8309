package io.gatelens.collector.record;

import java.nio.ByteBuffer;

/**
 * The record types of the ring buffer (GL_RECORD_* in bpf/src/gatelens.h) and their sizes. Every
 * record starts with a {@code __u16 type}; an HTTP record's size follows from the type, a TLS
 * chunk's is in the record ({@link TlsChunkLayout#OFF_SIZE}), and a drained buffer holds records
 * back to back, each at a multiple of {@link HttpRecordLayout#ALIGNMENT}.
 */
public final class RecordTypes {
    private RecordTypes() {}

    /** The largest record: a drain buffer must hold at least one. */
    public static final int MAX_SIZE = Math.max(HttpRecordLayout.SIZE, TlsChunkLayout.SIZE);

    /**
     * Size of the record at buf[at], whose type is {@code type} ({@link #typeAt}); the caller
     * checked that at least an HTTP record's or a TLS header's bytes are there. A type this build
     * does not know can only come from a corrupted buffer (both halves are built together); it is
     * taken to be an HTTP record's size, so that one bad type word does not hide the records after
     * it. A TLS size that is no record size (not a multiple of 8, shorter than the header, longer
     * than the largest chunk) is corrupted the same way and taken to be the largest chunk's.
     */
    public static int sizeAt(ByteBuffer buf, int at, int type) {
        if (type != TlsChunkLayout.TYPE_TLS) {
            return HttpRecordLayout.SIZE;
        }
        int size = buf.getInt(at + TlsChunkLayout.OFF_SIZE);
        if (buf.order() != HttpRecordLayout.BYTE_ORDER) {
            size = Integer.reverseBytes(size);
        }
        boolean valid = size >= TlsChunkLayout.OFF_DATA && size <= TlsChunkLayout.SIZE
                && size % HttpRecordLayout.ALIGNMENT == 0;
        return valid ? size : TlsChunkLayout.SIZE;
    }

    /** The type of the record at buf[at] (host byte order, whatever buf's order). */
    public static int typeAt(ByteBuffer buf, int at) {
        short v = buf.getShort(at);
        if (buf.order() != HttpRecordLayout.BYTE_ORDER) {
            v = Short.reverseBytes(v);
        }
        return v & 0xFFFF;
    }

    /**
     * Bytes of buf[offset, offset + length) taken by whole records, from offset: where a
     * trailing partial record (which a drain never produces) would begin.
     */
    public static int wholeRecordBytes(ByteBuffer buf, int offset, int length) {
        int p = offset;
        int end = offset + length;
        while (end - p >= TlsChunkLayout.OFF_DATA) { // the smallest record: a chunk's header
            int size = sizeAt(buf, p, typeAt(buf, p));
            if (end - p < size) {
                break;
            }
            p += size;
        }
        return p - offset;
    }
}
