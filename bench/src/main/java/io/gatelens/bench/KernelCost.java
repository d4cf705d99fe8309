package io.gatelens.bench;

import io.gatelens.collector.bpf.BpfProgram;
import io.gatelens.collector.bpf.BpfProgram.Program;
import io.gatelens.collector.bpf.CaptureConfig;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Kernel cost per packet of the TC program, measured by the kernel itself (BPF_PROG_TEST_RUN's
 * duration), next to a no-op TC program. Stateless packets run with repeat=1,000,000. A request
 * or response segment cannot be repeated identically (the repeat would be a retransmission,
 * which the program skips), so those run as 100,000 distinct segments of one keep-alive
 * connection, repeat=1 each; the no-op is measured the same way for the per-run overhead.
 * TLS hello segments cannot be repeated either (a repeat is a retransmission of a flight already
 * copied, skipped): they run as 100,000 distinct connections (client addresses), repeat=1 each,
 * which is what a busy host sees — every hello on a new connection, none of its state in a cache.
 *
 * <p>Run: java --add-opens=java.base/java.nio=ALL-UNNAMED -cp bench/target/benchmarks.jar
 * io.gatelens.bench.KernelCost (as root). Prints a Markdown table.
 */
public final class KernelCost {
    private static final int REPEAT = 1_000_000;
    private static final int DISTINCT = 100_000;
    private static final byte[] C = {10, 0, 0, 1}, S = {10, 0, 0, 2};
    private static final int ACK = 0x10, PSH = 0x08;

    public static void main(String[] args) {
        // a live (not offline) program: the clock is bpf_ktime_get_ns as in production
        CaptureConfig config = CaptureConfig.defaults().withRingBytes(64 << 20);
        ByteBuffer drain = ByteBuffer.allocateDirect(64 << 20);
        try (BpfProgram p = BpfProgram.load(config)) {
            byte[] udp = udp(64);
            byte[] ack = tcp(C, 40000, S, 443, 1, 1, ACK, new byte[0]);
            byte[] tls = tcp(C, 40001, S, 443, 1, 1, ACK | PSH, tlsAppData(200));
            System.out.println("| packet | runs | no-op TC program ns | gatelens ns | ratio |");
            System.out.println("|---|---|---|---|---|");
            boolean statefulOnly = args.length > 0 && args[0].equals("--segments-only"); // for profiling
            if (args.length > 0 && args[0].equals("--tls-only")) {
                tlsRows(p, drain);
                return;
            }
            if (!statefulOnly) {
                row(p, "UDP datagram (not TCP)", udp);
                row(p, "TCP pure ACK", ack);
                row(p, "TCP payload of a non-HTTP flow (TLS record)", tls);
            }

            String request = "GET /api/v1/pets/1234?verbose=true HTTP/1.1\r\nHost: api.example.com\r\n"
                    + "User-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n";
            String head = "HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Sun, 22 Nov 2026 07:00:00 GMT\r\n"
                    + "Content-Type: application/json\r\nContent-Length: 612\r\nConnection: keep-alive\r\n\r\n";
            byte[] body = new byte[612];
            Arrays.fill(body, (byte) 'x');
            byte[] resp = concat(head.getBytes(StandardCharsets.ISO_8859_1), body);
            byte[] req = request.getBytes(StandardCharsets.ISO_8859_1);

            long[] reqNs = new long[DISTINCT], respNs = new long[DISTINCT], noopNs = new long[DISTINCT];
            long cseq = 1, sseq = 1;
            for (int i = 0; i < DISTINCT; i++) {
                byte[] q = tcp(C, 41000, S, 80, cseq, sseq, ACK | PSH, req);
                byte[] r = tcp(S, 80, C, 41000, sseq, cseq + req.length, ACK | PSH, resp);
                reqNs[i] = p.testRun(Program.INGRESS, q, 1);
                respNs[i] = p.testRun(Program.INGRESS, r, 1);
                noopNs[i] = p.testRun(Program.NOOP, q, 1);
                cseq += req.length;
                sseq += resp.length;
                if ((i & 4095) == 0) {
                    while (p.drain(drain, -1) > 0) { } // keep the ring from filling
                }
            }
            while (p.drain(drain, -1) > 0) { }
            System.out.printf("| request segment (%d B, keep-alive) | %d distinct | %.1f | %.1f (p50 %d) | %.2f |%n",
                    req.length, DISTINCT, mean(noopNs), mean(reqNs), p50(reqNs), mean(reqNs) / mean(noopNs));
            System.out.printf("| response segment (%d B head + 612 B body) | %d distinct | %.1f | %.1f (p50 %d) | %.2f |%n",
                    head.length(), DISTINCT, mean(noopNs), mean(respNs), p50(respNs), mean(respNs) / mean(noopNs));
            tlsRows(p, drain);
            System.out.println();
            System.out.println("kernel counters: " + p.counters().asMap());
        }
    }

    /** ClientHello and ServerHello segments: each on a connection of its own. */
    private static void tlsRows(BpfProgram p, ByteBuffer drain) {
        byte[] small = clientHello(new String[] {"h2", "http/1.1"});
        byte[] large = clientHello(largeAlpn(2200)); // the size of a post-quantum ClientHello and more
        byte[] first = Arrays.copyOf(large, 1448);
        byte[] second = Arrays.copyOfRange(large, 1448, large.length);
        byte[] serverFlight = serverFlight13(1400);
        long[][] ns = new long[4][DISTINCT];
        long[][] noop = new long[4][DISTINCT];
        for (int i = 0; i < DISTINCT; i++) {
            // a connection of its own each time: the same 4-tuple and sequence number again would
            // be a retransmitted hello, which the program skips
            byte[] c = {10, (byte) (i >> 16), (byte) (i >> 8), (byte) i};
            int port = 1024 + (i & 0x3fff);
            byte[][] pkts = {
                tcp(c, port, S, 443, 1, 1, ACK | PSH, small),
                tcp(S, 443, c, port, 1, 1 + small.length, ACK | PSH, serverFlight),
                tcp(c, port + 1, S, 443, 1, 1, ACK, first),
                tcp(c, port + 1, S, 443, 1 + first.length, 1, ACK | PSH, second),
            };
            for (int k = 0; k < pkts.length; k++) {
                ns[k][i] = p.testRun(Program.INGRESS, pkts[k], 1);
                noop[k][i] = p.testRun(Program.NOOP, pkts[k], 1); // same packet: same harness cost
            }
            if ((i & 1023) == 0) {
                while (p.drain(drain, -1) > 0) { } // keep the ring from filling
            }
        }
        while (p.drain(drain, -1) > 0) { }
        tlsRow("ClientHello segment (%d B, JDK client, SNI + ALPN)".formatted(small.length), noop[0], ns[0]);
        tlsRow("ServerHello segment (TLS 1.3: 127 B ServerHello of a %d B flight)".formatted(serverFlight.length),
                noop[1], ns[1]);
        tlsRow("first segment of a %d B ClientHello (1448 B)".formatted(large.length), noop[2], ns[2]);
        tlsRow("its second segment (%d B: gate, lookup, copy)".formatted(second.length), noop[3], ns[3]);
    }

    private static void tlsRow(String name, long[] noop, long[] ours) {
        System.out.printf("| %s | %d distinct | %.1f | %.1f (p50 %d) | %.2f |%n", name, DISTINCT, mean(noop), mean(ours),
                p50(ours), mean(ours) / mean(noop));
    }

    /** The ClientHello record the JDK's default client sends to www.example.com with these ALPN names. */
    static byte[] clientHello(String[] alpn) {
        try {
            javax.net.ssl.SSLEngine e = javax.net.ssl.SSLContext.getDefault().createSSLEngine("www.example.com", 443);
            e.setUseClientMode(true);
            javax.net.ssl.SSLParameters params = e.getSSLParameters();
            params.setApplicationProtocols(alpn);
            e.setSSLParameters(params);
            e.beginHandshake();
            ByteBuffer out = ByteBuffer.allocate(1 << 16);
            e.wrap(ByteBuffer.allocate(0), out);
            out.flip();
            byte[] b = new byte[out.remaining()];
            out.get(b);
            return b;
        } catch (Exception ex) {
            throw new IllegalStateException("cannot make a ClientHello with the JDK", ex);
        }
    }

    private static String[] largeAlpn(int bytes) {
        java.util.List<String> names = new java.util.ArrayList<>();
        for (int n = 0; n < bytes; n += 201) {
            names.add("x-" + names.size() + "-" + "p".repeat(196));
        }
        return names.toArray(String[]::new);
    }

    /**
     * A TLS 1.3 server flight in one segment: a ServerHello record (x25519 key share,
     * supported_versions 1.3) of 127 bytes, the compatibility ChangeCipherSpec, then encrypted
     * records up to n bytes (their contents do not matter to the kernel).
     */
    static byte[] serverFlight13(int n) {
        ByteBuffer b = ByteBuffer.allocate(n);
        b.put(new byte[] {0x16, 3, 3, 0, 122, 2, 0, 0, 118, 3, 3});
        b.put(new byte[32]); // random
        b.put((byte) 32).put(new byte[32]); // legacy_session_id_echo
        b.putShort((short) 0x1301).put((byte) 0); // cipher, compression
        b.putShort((short) 46); // extensions
        b.putShort((short) 0x002b).putShort((short) 2).putShort((short) 0x0304);
        b.putShort((short) 0x0033).putShort((short) 36).putShort((short) 0x001d).putShort((short) 32).put(new byte[32]);
        b.put(new byte[] {0x14, 3, 3, 0, 1, 1});
        int rest = n - b.position() - 5;
        b.put(new byte[] {0x17, 3, 3, (byte) (rest >> 8), (byte) rest});
        return b.array();
    }

    private static void row(BpfProgram p, String name, byte[] pkt) {
        p.testRun(Program.NOOP, pkt, 10_000); // warm
        p.testRun(Program.INGRESS, pkt, 10_000);
        long noop = p.testRun(Program.NOOP, pkt, REPEAT);
        long ours = p.testRun(Program.INGRESS, pkt, REPEAT);
        System.out.printf("| %s | %d (repeat) | %d | %d | %.2f |%n", name, REPEAT, noop, ours, (double) ours / Math.max(1, noop));
    }

    private static double mean(long[] v) {
        return Arrays.stream(v).average().orElse(0);
    }

    private static long p50(long[] v) {
        long[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static byte[] tlsAppData(int n) {
        byte[] b = new byte[n];
        b[0] = 0x17;
        b[1] = 3;
        b[2] = 3;
        return b;
    }

    static byte[] udp(int payload) {
        ByteBuffer b = ByteBuffer.allocate(14 + 20 + 8 + payload);
        b.put(new byte[12]).putShort((short) 0x0800);
        b.put((byte) 0x45).put((byte) 0).putShort((short) (28 + payload)).putInt(0).put((byte) 64).put((byte) 17)
                .putShort((short) 0).put(C).put(S);
        b.putShort((short) 5353).putShort((short) 53).putShort((short) (8 + payload)).putShort((short) 0);
        return b.array();
    }

    static byte[] tcp(byte[] src, int sport, byte[] dst, int dport, long seq, long ack, int flags, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(14 + 20 + 20 + payload.length);
        b.put(new byte[12]).putShort((short) 0x0800);
        b.put((byte) 0x45).put((byte) 0).putShort((short) (40 + payload.length)).putInt(0x4000).put((byte) 64)
                .put((byte) 6).putShort((short) 0).put(src).put(dst);
        b.putShort((short) sport).putShort((short) dport).putInt((int) seq).putInt((int) ack).put((byte) 0x50)
                .put((byte) flags).putShort((short) 65535).putInt(0);
        b.put(payload);
        return b.array();
    }
}
