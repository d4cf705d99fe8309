package io.gatelens.collector.testing;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Builds Ethernet frames (IPv4 or IPv6, TCP) for BPF_PROG_TEST_RUN, the way Cilium's BPF tests
 * build their packets: in the test, byte by byte. Checksums are left zero (TC does not check).
 */
public final class Packets {
    public static final int FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10;

    private Packets() {}

    /** One TCP segment between a.b.c.d:sport and w.x.y.z:dport. */
    public static byte[] tcp4(byte[] src, int sport, byte[] dst, int dport, long seq, long ack, int flags,
                              byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(14 + 20 + 20 + payload.length);
        ethernet(b, 0x0800);
        b.put((byte) 0x45).put((byte) 0).putShort((short) (40 + payload.length)).putShort((short) 1)
                .putShort((short) 0x4000).put((byte) 64).put((byte) 6).putShort((short) 0).put(src).put(dst);
        tcpHeader(b, sport, dport, seq, ack, flags);
        b.put(payload);
        return b.array();
    }

    /** One TCP segment over IPv6 (addresses are 16 bytes). */
    public static byte[] tcp6(byte[] src, int sport, byte[] dst, int dport, long seq, long ack, int flags,
                              byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(14 + 40 + 20 + payload.length);
        ethernet(b, 0x86DD);
        b.putInt(0x60000000).putShort((short) (20 + payload.length)).put((byte) 6).put((byte) 64).put(src).put(dst);
        tcpHeader(b, sport, dport, seq, ack, flags);
        b.put(payload);
        return b.array();
    }

    /** A UDP datagram (DNS-sized): traffic the programs must pass over quickly. */
    public static byte[] udp4(byte[] src, int sport, byte[] dst, int dport, int payloadBytes) {
        ByteBuffer b = ByteBuffer.allocate(14 + 20 + 8 + payloadBytes);
        ethernet(b, 0x0800);
        b.put((byte) 0x45).put((byte) 0).putShort((short) (28 + payloadBytes)).putShort((short) 1)
                .putShort((short) 0).put((byte) 64).put((byte) 17).putShort((short) 0).put(src).put(dst);
        b.putShort((short) sport).putShort((short) dport).putShort((short) (8 + payloadBytes)).putShort((short) 0);
        return b.array();
    }

    public static byte[] ip4(int a, int b, int c, int d) {
        return new byte[] {(byte) a, (byte) b, (byte) c, (byte) d};
    }

    public static byte[] ip6(int last) {
        byte[] a = new byte[16];
        a[0] = (byte) 0xfd;
        a[15] = (byte) last;
        return a;
    }

    public static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static void ethernet(ByteBuffer b, int type) {
        b.put(new byte[] {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1}).putShort((short) type);
    }

    private static void tcpHeader(ByteBuffer b, int sport, int dport, long seq, long ack, int flags) {
        b.putShort((short) sport).putShort((short) dport).putInt((int) seq).putInt((int) ack)
                .put((byte) 0x50).put((byte) flags).putShort((short) 65535).putShort((short) 0).putShort((short) 0);
    }
}
