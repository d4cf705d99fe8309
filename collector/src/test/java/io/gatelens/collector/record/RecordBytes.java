package io.gatelens.collector.record;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Builds one {@code struct gl_http_record} byte by byte, written from bpf/src/gatelens.h on
 * purpose without using {@link HttpRecordLayout}, so a wrong constant there shows up as a
 * decoding failure in the tests instead of being shared by both sides.
 */
public final class RecordBytes {
    // struct gl_http_record, as laid out by the C compiler (natural alignment)
    private static final int SIZE = 432;

    private final boolean little = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    private int type = 1;
    private int flags;
    private int status = 200;
    private int family = 4;
    private int direction = 1;
    private long ifindex = 2;
    private Integer pathLen;
    private Integer methodLen;
    private Integer hostLen;
    private long startNs = 1_000_000_000L;
    private long ttfbNs = 1_500_000L;
    private long latencyNs = 2_000_000L;
    private long reqBytes = 120;
    private long respBytes = 4_096;
    private byte[] client = mapped("192.0.2.10");
    private byte[] server = mapped("198.51.100.20");
    private int clientPort = 51_234;
    private int serverPort = 8_080;
    private byte[] method = ascii("GET");
    private byte[] host = ascii("api.example.com");
    private byte[] path = ascii("/v1/items");
    private byte fill;

    public static RecordBytes http() {
        return new RecordBytes();
    }

    public RecordBytes type(int v) { type = v; return this; }
    public RecordBytes flags(int v) { flags = v; return this; }
    public RecordBytes status(int v) { status = v; return this; }
    public RecordBytes family(int v) { family = v; return this; }
    public RecordBytes direction(int v) { direction = v; return this; }
    public RecordBytes ifindex(long v) { ifindex = v; return this; }
    public RecordBytes startNs(long v) { startNs = v; return this; }
    public RecordBytes ttfbNs(long v) { ttfbNs = v; return this; }
    public RecordBytes latencyNs(long v) { latencyNs = v; return this; }
    public RecordBytes reqBytes(long v) { reqBytes = v; return this; }
    public RecordBytes respBytes(long v) { respBytes = v; return this; }
    public RecordBytes clientPort(int v) { clientPort = v; return this; }
    public RecordBytes serverPort(int v) { serverPort = v; return this; }
    /** Overrides path_len (default: the length of the path bytes, at most 256). */
    public RecordBytes pathLen(int v) { pathLen = v; return this; }
    public RecordBytes methodLen(int v) { methodLen = v; return this; }
    public RecordBytes hostLen(int v) { hostLen = v; return this; }
    /** Byte written to every unused byte of the char arrays (default 0, as the kernel does). */
    public RecordBytes fill(int v) { fill = (byte) v; return this; }

    public RecordBytes method(String v) { method = ascii(v); return this; }
    public RecordBytes host(String v) { host = v == null ? new byte[0] : v.getBytes(StandardCharsets.UTF_8); return this; }
    public RecordBytes path(String v) { path = v.getBytes(StandardCharsets.UTF_8); return this; }
    public RecordBytes pathBytes(byte[] v) { path = v.clone(); return this; }
    public RecordBytes hostBytes(byte[] v) { host = v.clone(); return this; }
    public RecordBytes methodBytes(byte[] v) { method = v.clone(); return this; }

    /** Client and server addresses as text: IPv4 is stored IPv4-mapped. */
    public RecordBytes client(String ip) { client = mapped(ip); return this; }
    public RecordBytes server(String ip) { server = mapped(ip); return this; }

    public byte[] build() {
        byte[] r = new byte[SIZE];
        u16(r, 0, type);
        u16(r, 2, flags);
        u16(r, 4, status);
        r[6] = (byte) family;
        r[7] = (byte) direction;
        u32(r, 8, ifindex);
        u16(r, 12, pathLen != null ? pathLen : Math.min(path.length, 256));
        r[14] = (byte) (methodLen != null ? methodLen : Math.min(method.length, 16));
        r[15] = (byte) (hostLen != null ? hostLen : Math.min(host.length, 64));
        u64(r, 16, startNs);
        u64(r, 24, ttfbNs);
        u64(r, 32, latencyNs);
        u64(r, 40, reqBytes);
        u64(r, 48, respBytes);
        System.arraycopy(client, 0, r, 56, 16);
        System.arraycopy(server, 0, r, 72, 16);
        r[88] = (byte) (clientPort >>> 8); // __be16
        r[89] = (byte) clientPort;
        r[90] = (byte) (serverPort >>> 8);
        r[91] = (byte) serverPort;
        // 92..95: _pad
        chars(r, 96, 16, method);
        chars(r, 112, 64, host);
        chars(r, 176, 256, path);
        return r;
    }

    /** Records back to back in a fresh direct buffer (native order, position 0). */
    public static ByteBuffer direct(byte[]... records) {
        int n = 0;
        for (byte[] r : records) {
            n += r.length;
        }
        ByteBuffer b = ByteBuffer.allocateDirect(n).order(ByteOrder.nativeOrder());
        for (byte[] r : records) {
            b.put(r);
        }
        b.clear();
        return b;
    }

    /** 16-byte form of an address: IPv4 as ::ffff:a.b.c.d. */
    public static byte[] mapped(String ip) {
        try {
            byte[] a = InetAddress.getByName(ip).getAddress();
            if (a.length == 16) {
                return a;
            }
            byte[] m = new byte[16];
            m[10] = (byte) 0xff;
            m[11] = (byte) 0xff;
            System.arraycopy(a, 0, m, 12, 4);
            return m;
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(ip, e);
        }
    }

    private void chars(byte[] r, int at, int max, byte[] v) {
        for (int i = 0; i < max; i++) {
            r[at + i] = i < v.length ? v[i] : fill;
        }
    }

    private void u16(byte[] r, int at, long v) {
        put(r, at, v, 2);
    }

    private void u32(byte[] r, int at, long v) {
        put(r, at, v, 4);
    }

    private void u64(byte[] r, int at, long v) {
        put(r, at, v, 8);
    }

    private void put(byte[] r, int at, long v, int n) {
        for (int i = 0; i < n; i++) {
            int shift = 8 * (little ? i : n - 1 - i);
            r[at + i] = (byte) (v >>> shift);
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
