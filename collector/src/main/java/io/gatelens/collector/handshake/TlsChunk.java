package io.gatelens.collector.handshake;

import static io.gatelens.collector.record.TlsChunkLayout.*;

import io.gatelens.collector.record.RecordTypes;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * One {@code struct gl_tls_chunk} (see {@link io.gatelens.collector.record.TlsChunkLayout}) as
 * Java values: bytes of a ClientHello (hsType 1) or ServerHello (2) flight. Sequence numbers are
 * unsigned 32-bit values held in longs. Every field comes off the wire or out of kernel memory
 * user space does not control: lengths are clamped to the record, nothing else is trusted.
 */
public record TlsChunk(int flags, int family, int direction, int ifindex, long seq, long tsNs,
                       long flightSeq, int flightLen, int payloadLen, int hsType,
                       byte[] clientAddr, int clientPort, byte[] serverAddr, int serverPort, byte[] data) {

    public boolean has(int flag) {
        return (flags & flag) != 0;
    }

    /** Offset of data[0] in its flight (seq - flightSeq, modulo 2^32). */
    public long flightOffset() {
        return (seq - flightSeq) & 0xFFFF_FFFFL;
    }

    /** The chunk at buf[at] (a record of type TLS, whole: the caller checked the size). */
    public static TlsChunk read(ByteBuffer buf, int at) {
        ByteBuffer b = buf.order() == BYTE_ORDER ? buf : buf.duplicate().order(BYTE_ORDER);
        int size = RecordTypes.sizeAt(b, at, TYPE_TLS);
        int len = Math.min(b.getShort(at + OFF_LEN) & 0xFFFF, size - OFF_DATA);
        byte[] data = new byte[len];
        b.get(at + OFF_DATA, data, 0, len);
        byte[] client = new byte[16];
        byte[] server = new byte[16];
        b.get(at + OFF_CLIENT_ADDR, client, 0, 16);
        b.get(at + OFF_SERVER_ADDR, server, 0, 16);
        return new TlsChunk(b.getShort(at + OFF_FLAGS) & 0xFFFF, b.get(at + OFF_FAMILY) & 0xFF,
                b.get(at + OFF_DIRECTION) & 0xFF, b.getInt(at + OFF_IFINDEX),
                b.getInt(at + OFF_SEQ) & 0xFFFF_FFFFL, b.getLong(at + OFF_TS_NS),
                b.getInt(at + OFF_FLIGHT_SEQ) & 0xFFFF_FFFFL, b.getInt(at + OFF_FLIGHT_LEN),
                b.getInt(at + OFF_PAYLOAD_LEN), b.get(at + OFF_HS_TYPE) & 0xFF,
                client, port(b, at + OFF_CLIENT_PORT), server, port(b, at + OFF_SERVER_PORT), data);
    }

    /**
     * Calls action with every TLS chunk among the whole records of buf[offset, offset + length)
     * (records of other types are stepped over). buf's position and limit are untouched.
     */
    public static void forEach(ByteBuffer buf, int offset, int length, Consumer<TlsChunk> action) {
        Objects.checkFromIndexSize(offset, length, buf.limit());
        int p = offset;
        int end = offset + length;
        while (end - p >= OFF_DATA) { // the smallest record: a chunk's header
            int type = RecordTypes.typeAt(buf, p);
            int size = RecordTypes.sizeAt(buf, p, type);
            if (end - p < size) {
                break;
            }
            if (type == TYPE_TLS) {
                action.accept(read(buf, p));
            }
            p += size;
        }
    }

    /** Every TLS chunk of buf[0, length). */
    public static List<TlsChunk> all(ByteBuffer buf, int length) {
        List<TlsChunk> out = new ArrayList<>();
        forEach(buf, 0, length, out::add);
        return out;
    }

    private static int port(ByteBuffer b, int at) {
        return ((b.get(at) & 0xFF) << 8) | (b.get(at + 1) & 0xFF);
    }

    @Override
    public String toString() {
        return "TlsChunk[hs=" + hsType + " seq=" + seq + " flight=" + flightSeq + "+" + flightLen + " len="
                + data.length + " flags=" + flagNames(flags) + " port " + clientPort + "->" + serverPort + "]";
    }
}
