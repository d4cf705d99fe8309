package io.gatelens.collector.record;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Byte layout of {@code struct gl_http_record}, the record the kernel writes to the ring buffer.
 * It mirrors bpf/src/gatelens.h, which is the source of truth: update both together.
 * HttpRecordLayoutTest parses the header and checks every size, offset and flag against this class.
 *
 * <p>Integers are in host byte order ({@link #BYTE_ORDER}) except the two ports, which are
 * big-endian ({@code __be16}). Addresses are 16 bytes, IPv4 stored IPv4-mapped (::ffff:a.b.c.d).
 */
public final class HttpRecordLayout {
    private HttpRecordLayout() {}

    /** Byte order of every integer field except the ports: the kernel writes host order. */
    public static final ByteOrder BYTE_ORDER = ByteOrder.nativeOrder();

    /** sizeof(struct gl_http_record). */
    public static final int SIZE = 432;
    /** Records start at multiples of this within a drained buffer. */
    public static final int ALIGNMENT = 8;

    /** GL_RECORD_HTTP: the value of {@code type} for this record. */
    public static final int TYPE_HTTP = 1;

    public static final int METHOD_MAX = 16; // GL_METHOD_MAX
    public static final int HOST_MAX = 64; // GL_HOST_MAX
    public static final int PATH_MAX = 256; // GL_PATH_MAX
    public static final int ADDR_LEN = 16;

    // Field offsets, in declaration order.
    public static final int OFF_TYPE = 0; // u16
    public static final int OFF_FLAGS = 2; // u16
    public static final int OFF_STATUS = 4; // u16
    public static final int OFF_FAMILY = 6; // u8
    public static final int OFF_DIRECTION = 7; // u8
    public static final int OFF_IFINDEX = 8; // u32
    public static final int OFF_PATH_LEN = 12; // u16
    public static final int OFF_METHOD_LEN = 14; // u8
    public static final int OFF_HOST_LEN = 15; // u8
    public static final int OFF_START_NS = 16; // u64
    public static final int OFF_TTFB_NS = 24; // u64
    public static final int OFF_LATENCY_NS = 32; // u64
    public static final int OFF_REQ_BYTES = 40; // u64
    public static final int OFF_RESP_BYTES = 48; // u64
    public static final int OFF_CLIENT_ADDR = 56; // u8[16]
    public static final int OFF_SERVER_ADDR = 72; // u8[16]
    public static final int OFF_CLIENT_PORT = 88; // __be16
    public static final int OFF_SERVER_PORT = 90; // __be16
    public static final int OFF_PAD = 92; // u32
    public static final int OFF_METHOD = 96; // char[METHOD_MAX]
    public static final int OFF_HOST = 112; // char[HOST_MAX]
    public static final int OFF_PATH = 176; // char[PATH_MAX]

    // direction values (GL_DIR_*)
    public static final int DIR_UNKNOWN = 0;
    public static final int DIR_SERVER = 1;
    public static final int DIR_CLIENT = 2;

    // flags (GL_F_*), same bits as gatelens.h
    public static final int FLAG_PATH_TRUNCATED = 1 << 0;
    public static final int FLAG_HOST_TRUNCATED = 1 << 1;
    public static final int FLAG_NO_RESPONSE = 1 << 2;
    public static final int FLAG_TIMEOUT = 1 << 3;
    public static final int FLAG_RESP_TRUNCATED = 1 << 4;
    public static final int FLAG_RESP_EOF = 1 << 5;
    public static final int FLAG_GAP = 1 << 6;
    public static final int FLAG_PIPELINED = 1 << 7;
    public static final int FLAG_RESET = 1 << 8;
    public static final int FLAG_NO_VERSION = 1 << 9;
    public static final int FLAG_UPGRADE = 1 << 10;
    public static final int FLAG_REQ_BODY_OPEN = 1 << 11;

    /** Flag names indexed by bit number (the GL_F_ name without its prefix). */
    private static final String[] FLAG_NAMES = {
        "PATH_TRUNCATED", "HOST_TRUNCATED", "NO_RESPONSE", "TIMEOUT", "RESP_TRUNCATED",
        "RESP_EOF", "GAP", "PIPELINED", "RESET", "NO_VERSION", "UPGRADE", "REQ_BODY_OPEN",
    };

    /**
     * Names of the bits set in flags, lowest bit first. A bit this class does not know (a newer
     * kernel side) is named "BIT_n" rather than dropped.
     */
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
