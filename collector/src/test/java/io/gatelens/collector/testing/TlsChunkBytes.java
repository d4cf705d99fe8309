package io.gatelens.collector.testing;

import java.nio.ByteOrder;

/**
 * Builds one {@code struct gl_tls_chunk} byte by byte from bpf/src/gatelens.h's offsets, written
 * without TlsChunkLayout on purpose (as RecordBytes does for the HTTP record), for decoder and
 * assembler tests that need chunks the kernel would not make (lies, holes, floods). The record is
 * as long as the kernel makes it: the header and data[] cut to the size class of its length
 * (lib/tls.h, gl_tls_put), unless {@link #size} says otherwise.
 */
public final class TlsChunkBytes {
    public static final int SIZE = 2128;
    /** lib/tls.h's size classes of data[]. */
    static final int[] CLASSES = {128, 192, 256, 384, 512, 768, 1024, 1536, 2048};

    private final boolean little = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;
    private int type = 2;
    private int flags;
    private int family = 4;
    private int direction;
    private long ifindex;
    private long seq;
    private long tsNs;
    private long flightSeq;
    private long flightLen = -1;
    private long payloadLen = -1;
    private int hsType = 1;
    private byte[] client = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 10, 0, 0, 1};
    private byte[] server = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 10, 0, 0, 2};
    private int clientPort = 40000;
    private int serverPort = 443;
    private byte[] data = new byte[0];
    private Integer len;
    private Integer size;

    public static TlsChunkBytes chunk() {
        return new TlsChunkBytes();
    }

    public TlsChunkBytes type(int v) { type = v; return this; }
    public TlsChunkBytes flags(int v) { flags = v; return this; }
    public TlsChunkBytes family(int v) { family = v; return this; }
    public TlsChunkBytes direction(int v) { direction = v; return this; }
    public TlsChunkBytes ifindex(long v) { ifindex = v; return this; }
    public TlsChunkBytes seq(long v) { seq = v; return this; }
    public TlsChunkBytes tsNs(long v) { tsNs = v; return this; }
    public TlsChunkBytes flightSeq(long v) { flightSeq = v; return this; }
    public TlsChunkBytes flightLen(long v) { flightLen = v; return this; }
    public TlsChunkBytes payloadLen(long v) { payloadLen = v; return this; }
    public TlsChunkBytes hsType(int v) { hsType = v; return this; }
    public TlsChunkBytes client(byte[] sixteen, int port) { client = sixteen.clone(); clientPort = port; return this; }
    public TlsChunkBytes server(byte[] sixteen, int port) { server = sixteen.clone(); serverPort = port; return this; }
    public TlsChunkBytes clientPort(int v) { clientPort = v; return this; }
    public TlsChunkBytes serverPort(int v) { serverPort = v; return this; }
    public TlsChunkBytes data(byte[] v) { data = v.clone(); return this; }
    /** Overrides the len field (default: data's length). */
    public TlsChunkBytes len(int v) { len = v; return this; }
    /** Overrides the size field and the record's length (default: the kernel's size class). */
    public TlsChunkBytes size(int v) { size = v; return this; }

    /** The record the kernel writes for a chunk of n data bytes. */
    public static int recordSize(int n) {
        for (int c : CLASSES) {
            if (n <= c) {
                return 80 + c;
            }
        }
        return SIZE;
    }

    public byte[] build() {
        int sz = size != null ? size : recordSize(Math.min(data.length, 2048));
        byte[] r = new byte[Math.min(Math.max(sz, 80), SIZE)];
        put(r, 0, type, 2);
        put(r, 2, flags, 2);
        put(r, 4, len != null ? len : data.length, 2);
        r[6] = (byte) family;
        r[7] = (byte) direction;
        put(r, 8, ifindex, 4);
        put(r, 12, seq, 4);
        put(r, 16, tsNs, 8);
        put(r, 24, flightSeq, 4);
        put(r, 28, flightLen >= 0 ? flightLen : data.length, 4);
        put(r, 32, payloadLen >= 0 ? payloadLen : data.length, 4);
        r[36] = (byte) hsType;
        System.arraycopy(client, 0, r, 40, 16);
        System.arraycopy(server, 0, r, 56, 16);
        r[72] = (byte) (clientPort >>> 8);
        r[73] = (byte) clientPort;
        r[74] = (byte) (serverPort >>> 8);
        r[75] = (byte) serverPort;
        put(r, 76, sz, 4);
        System.arraycopy(data, 0, r, 80, Math.min(data.length, r.length - 80));
        return r;
    }

    private void put(byte[] r, int at, long v, int n) {
        for (int i = 0; i < n; i++) {
            int shift = 8 * (little ? i : n - 1 - i);
            r[at + i] = (byte) (v >>> shift);
        }
    }
}
