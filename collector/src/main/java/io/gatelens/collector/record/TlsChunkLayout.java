package io.gatelens.collector.record;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Byte layout of {@code struct gl_tls_chunk} (bpf/src/gatelens.h, the source of truth: update
 * both together; TlsChunkLayoutTest parses the header, BpfProgramTest compares with the compiled
 * struct). One chunk holds bytes of a TLS ClientHello or ServerHello flight, as lib/tls.h copies
 * them: integers in host byte order except the two ports ({@code __be16}); addresses 16 bytes,
 * IPv4-mapped; client and server as in the HTTP record. A record is only as long as its
 * {@code size} field says ({@link RecordTypes#sizeAt}).
 */
public final class TlsChunkLayout {
    private TlsChunkLayout() {}

    public static final ByteOrder BYTE_ORDER = HttpRecordLayout.BYTE_ORDER;

    /**
     * sizeof(struct gl_tls_chunk): the largest chunk record. A record in the ring is {@code size}
     * bytes (at {@link #OFF_SIZE}): the header and data[] cut to a size class that holds its len.
     */
    public static final int SIZE = 2128;

    /** GL_RECORD_TLS: the value of {@code type} for this record. */
    public static final int TYPE_TLS = 2;

    /** GL_TLS_CHUNK_MAX: payload bytes per chunk. */
    public static final int CHUNK_MAX = 2048;
    /** GL_TLS_HELLO_MAX: bytes the kernel copies of one hello flight. */
    public static final int HELLO_MAX = 8192;
    /** GL_TLS_CHUNKS_PER_DIR: chunks per direction of a connection. */
    public static final int CHUNKS_PER_DIR = 16;

    // Field offsets, in declaration order.
    public static final int OFF_TYPE = 0; // u16
    public static final int OFF_FLAGS = 2; // u16
    public static final int OFF_LEN = 4; // u16
    public static final int OFF_FAMILY = 6; // u8
    public static final int OFF_DIRECTION = 7; // u8
    public static final int OFF_IFINDEX = 8; // u32
    public static final int OFF_SEQ = 12; // u32
    public static final int OFF_TS_NS = 16; // u64
    public static final int OFF_FLIGHT_SEQ = 24; // u32
    public static final int OFF_FLIGHT_LEN = 28; // u32
    public static final int OFF_PAYLOAD_LEN = 32; // u32
    public static final int OFF_HS_TYPE = 36; // u8
    public static final int OFF_PAD = 37; // u8[3]
    public static final int OFF_CLIENT_ADDR = 40; // u8[16]
    public static final int OFF_SERVER_ADDR = 56; // u8[16]
    public static final int OFF_CLIENT_PORT = 72; // __be16
    public static final int OFF_SERVER_PORT = 74; // __be16
    public static final int OFF_SIZE = 76; // u32: bytes of this record, a multiple of 8
    public static final int OFF_DATA = 80; // u8[CHUNK_MAX]

    // flags (GL_TLS_F_*), same bits as gatelens.h
    public static final int FLAG_FIRST = 1 << 0;
    public static final int FLAG_LAST = 1 << 1;
    public static final int FLAG_CUT = 1 << 2;
    public static final int FLAG_CAPPED = 1 << 3;

    private static final String[] FLAG_NAMES = {"FIRST", "LAST", "CUT", "CAPPED"};

    /** Names of the bits set in flags, lowest first; unknown bits as "BIT_n". */
    public static List<String> flagNames(int flags) {
        if (flags == 0) {
            return Collections.emptyList();
        }
        List<String> names = new ArrayList<>(Integer.bitCount(flags));
        for (int bit = 0; bit < 32; bit++) {
            if ((flags & (1 << bit)) != 0) {
                names.add(bit < FLAG_NAMES.length ? FLAG_NAMES[bit] : "BIT_" + bit);
            }
        }
        return names;
    }
}
