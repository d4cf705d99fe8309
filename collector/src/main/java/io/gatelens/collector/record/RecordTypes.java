package io.gatelens.collector.record;

import java.nio.ByteBuffer;

/**
 * The record types of the ring buffer (GL_RECORD_* in bpf/src/gatelens.h) and their sizes. Every
 * record starts with a {@code __u16 type}; its size follows from the type, and a drained buffer
 * holds records back to back, each at a multiple of {@link HttpRecordLayout#ALIGNMENT}.
 */
public final class RecordTypes {
    private RecordTypes() {}

    /** The largest record: a drain buffer must hold at least one. */
    public static final int MAX_SIZE = Math.max(HttpRecordLayout.SIZE, TlsChunkLayout.SIZE);

    /**
     * Size of a record of this type. A type this build does not know can only come from a
     * corrupted buffer (both halves are built together); it is taken to be an HTTP record's size,
     * so that one bad type word does not hide the records after it.
     */
    public static int sizeOf(int type) {
        return type == TlsChunkLayout.TYPE_TLS ? TlsChunkLayout.SIZE : HttpRecordLayout.SIZE;
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
        while (end - p >= 2) {
            int size = sizeOf(typeAt(buf, p));
            if (end - p < size) {
                break;
            }
            p += size;
        }
        return p - offset;
    }
}
