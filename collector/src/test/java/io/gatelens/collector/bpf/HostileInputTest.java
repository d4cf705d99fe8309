package io.gatelens.collector.bpf;

import static io.gatelens.collector.testing.Packets.ACK;
import static io.gatelens.collector.testing.Packets.ascii;
import static io.gatelens.collector.testing.Packets.ip4;
import static io.gatelens.collector.testing.Packets.tcp4;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatelens.collector.record.TransactionRow;
import io.gatelens.collector.testing.KernelAndCorpus;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Everything off the wire is attacker-controlled. Random frames, HTTP-shaped fuzz and mutated
 * real exchanges go through the program; it must never report a transaction whose request line
 * and status line were not in the bytes it was given, and the collector must not fail.
 */
class HostileInputTest {
    private static final String[] PIECES = {
        "GET ", "POST ", "X ", "HEAD ", "/", "/a?b=c", " HTTP/1.1\r\n", " HTTP/1.", "\r\n", "\r\n\r\n", "\n",
        "HTTP/1.1 200 OK\r\n", "HTTP/1.0 404 \r\n", "HTTP/1.1 1", "HTTP/", "Host: x\r\n",
        "Content-Length: 5\r\n", "Content-Length: 99999999999999999999999\r\n", "content-length:0\r\n",
        "Transfer-Encoding: chunked\r\n", "5\r\nhello\r\n", "0\r\n\r\n", "ffffffffffffffffff\r\n", ";ext\r\n",
        "\u00ff\u00fe", "\0\0\0\0", " ", "\t", "Connection: close\r\n", "HTTP/1.1 101 Switching\r\n\r\n",
    };

    private final Map<String, ByteArrayOutputStream> sent = new HashMap<>();

    @BeforeEach
    void privileges() {
        KernelAndCorpus.requireBpf();
    }

    @Test
    void randomFramesProduceNothing() {
        long seed = Long.getLong("gatelens.seed", System.nanoTime()); // -Dgatelens.seed=N replays a failure
        Random rnd = new Random(seed);
        int refused = 0;
        try (KernelProgramTest.Run run = new KernelProgramTest.Run(CaptureConfig.defaults())) {
            for (int i = 0; i < 20_000; i++) {
                byte[] f = new byte[24 + rnd.nextInt(1500)];
                rnd.nextBytes(f);
                if (i % 2 == 0) { // make half of them IPv4/IPv6 TCP so parsing goes deeper
                    f[12] = (byte) (i % 4 == 0 ? 0x08 : 0x86);
                    f[13] = (byte) (i % 4 == 0 ? 0x00 : 0xDD);
                    if (i % 4 == 0) {
                        f[14] = 0x45;
                        f[23] = 6;
                    } else {
                        f[14] = 0x60;
                        f[20] = 6;
                    }
                }
                if (!feedOrRefused(run, KernelProgramTest.T0 + i, f)) {
                    refused++;
                }
            }
            assertEquals(List.of(), run.finish(), "seed " + seed + ": random bytes are no transaction");
            assertEquals(20_000 - refused, run.p.counters().packets());
            assertTrue(refused < 2_000, "the kernel builds an skb for almost every frame: refused " + refused);
        }
    }

    @Test
    void httpShapedFuzzOnlyReportsWhatWasSent() {
        long seed = Long.getLong("gatelens.seed", System.nanoTime()); // -Dgatelens.seed=N replays a failure
        Random rnd = new Random(seed);
        byte[] client = ip4(10, 9, 0, 1), server = ip4(10, 9, 0, 2);
        try (KernelProgramTest.Run run = new KernelProgramTest.Run(CaptureConfig.defaults())) {
            long[] seq = new long[2 * 16];
            for (int i = 0; i < 30_000; i++) {
                int conn = rnd.nextInt(16);
                boolean fromClient = rnd.nextBoolean();
                StringBuilder p = new StringBuilder();
                for (int k = 1 + rnd.nextInt(6); k > 0; k--) {
                    p.append(PIECES[rnd.nextInt(PIECES.length)]);
                }
                byte[] payload = ascii(p.toString());
                int slot = conn * 2 + (fromClient ? 0 : 1);
                long s = rnd.nextInt(20) == 0 ? rnd.nextInt() : seq[slot]; // sometimes a gap or a replay
                seq[slot] = s + payload.length;
                int cport = 41000 + conn;
                byte[] frame = fromClient
                        ? tcp4(client, cport, server, 80, s, seq[slot ^ 1], ACK, payload)
                        : tcp4(server, 80, client, cport, s, seq[slot ^ 1], ACK, payload);
                if (rnd.nextInt(50) == 0) { // lying lengths: cut the frame short
                    frame = java.util.Arrays.copyOf(frame, 14 + rnd.nextInt(frame.length - 14));
                }
                if (rnd.nextInt(50) == 0 && frame.length > 46) {
                    frame[14 + 20 + 12] = (byte) 0xF0; // TCP data offset 60 bytes
                }
                record(fromClient ? cport : 80, fromClient ? 80 : cport, frame.length >= 54 ? payload : new byte[0]);
                feedOrRefused(run, KernelProgramTest.T0 + i * 1000L, frame);
            }
            List<TransactionRow> rows = run.finish();
            for (TransactionRow t : rows) {
                assertBacked(t, seed);
            }
            KernelCounters c = run.p.counters();
            assertTrue(c.records() <= c.requests(), "never more records than requests parsed: " + c.asMap());
        }
    }

    @Test
    void mutatedRealExchanges() {
        long seed = Long.getLong("gatelens.seed", System.nanoTime()); // -Dgatelens.seed=N replays a failure
        Random rnd = new Random(seed);
        byte[] client = ip4(10, 8, 0, 1), server = ip4(10, 8, 0, 2);
        String q = "POST /orders/17?debug=1 HTTP/1.1\r\nHost: shop\r\nContent-Length: 4\r\n\r\nabcd";
        String r = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nwxyz\r\n0\r\n\r\n";
        try (KernelProgramTest.Run run = new KernelProgramTest.Run(CaptureConfig.defaults())) {
            for (int i = 0; i < 5_000; i++) {
                int cport = 20000 + i;
                byte[] rq = ascii(q), rs = ascii(r);
                mutate(rnd, rnd.nextBoolean() ? rq : rs);
                record(cport, 80, rq);
                record(80, cport, rs);
                run.feed(KernelProgramTest.T0 + i, tcp4(client, cport, server, 80, 1, 1, ACK, rq));
                run.feed(KernelProgramTest.T0 + i + 1, tcp4(server, 80, client, cport, 1, 1 + rq.length, ACK, rs));
            }
            List<TransactionRow> rows = run.finish();
            for (TransactionRow t : rows) {
                assertBacked(t, seed);
            }
            assertTrue(rows.size() > 1000, "most mutations keep a valid exchange: " + rows.size());
        }
    }

    /**
     * BPF_PROG_TEST_RUN itself refuses some frames (an IP ethertype with less than an IP header):
     * that is the kernel building its test skb, not our program. Returns false for those.
     */
    private static boolean feedOrRefused(KernelProgramTest.Run run, long at, byte[] frame) {
        try {
            run.feed(at, frame);
            return true;
        } catch (CollectorException e) {
            if (e.reason() != CollectorException.Reason.BAD_ARGUMENT || frame.length >= 14 + 40) {
                throw e;
            }
            return false;
        }
    }

    private static void mutate(Random rnd, byte[] b) {
        for (int n = 1 + rnd.nextInt(3); n > 0; n--) {
            int at = rnd.nextInt(b.length);
            switch (rnd.nextInt(4)) {
                case 0 -> b[at] = (byte) rnd.nextInt(256);
                case 1 -> b[at] = (byte) "\r\n :0f".charAt(rnd.nextInt(6));
                case 2 -> b[at] ^= (byte) (1 << rnd.nextInt(8));
                default -> b[at] = '9';
            }
        }
    }

    /** Bytes sent from one port to another (whoever sends a request line first is the client). */
    private void record(int from, int to, byte[] payload) {
        sent.computeIfAbsent(from + ">" + to, k -> new ByteArrayOutputStream()).writeBytes(payload);
    }

    /** The request line (and status line) of a record must appear in what that side sent. */
    private void assertBacked(TransactionRow t, long seed) {
        String c = sent.getOrDefault(t.sport() + ">" + t.dport(), new ByteArrayOutputStream())
                .toString(StandardCharsets.UTF_8);
        String s = sent.getOrDefault(t.dport() + ">" + t.sport(), new ByteArrayOutputStream())
                .toString(StandardCharsets.UTF_8);
        // both sides decoded the same way: rows hold valid UTF-8, invalid bytes become U+FFFD
        String line = t.path().isEmpty() ? t.method() : t.method() + " " + t.path();
        assertTrue(c.contains(line), "seed " + seed + ": reported request '" + line + "' was never sent on port " + t.sport());
        if (t.status() != null) {
            String status = " " + t.status();
            assertTrue(s.matches("(?s).*HTTP/\\d\\.\\d" + status + ".*"),
                    "seed " + seed + ": reported status " + t.status() + " was never sent to port " + t.sport());
        }
    }
}
