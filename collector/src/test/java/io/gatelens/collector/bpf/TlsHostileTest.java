package io.gatelens.collector.bpf;

import static io.gatelens.collector.bpf.KernelTlsTest.T0;
import static io.gatelens.collector.bpf.KernelTlsTest.appData;
import static io.gatelens.collector.bpf.KernelTlsTest.concat;
import static io.gatelens.collector.bpf.KernelTlsTest.fromClient;
import static io.gatelens.collector.bpf.KernelTlsTest.fromServer;
import static io.gatelens.collector.testing.Packets.ACK;
import static io.gatelens.collector.testing.Packets.ascii;
import static io.gatelens.collector.testing.Packets.tcp4;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatelens.collector.handshake.TlsHandshake;
import io.gatelens.collector.handshake.TlsHandshakes;
import io.gatelens.collector.record.TlsChunkLayout;
import io.gatelens.collector.testing.KernelAndCorpus;
import io.gatelens.collector.testing.TlsTestKit;
import io.gatelens.collector.testing.TlsTestKit.Hello;
import io.gatelens.collector.tls.ClientHello;
import io.gatelens.collector.tls.HandshakeReassembler;
import io.gatelens.collector.tls.Ja4;
import io.gatelens.collector.tls.TlsParseException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Crafted TLS segments through the kernel program and the collector's TLS stage: lying length
 * fields, hellos cut short, a 0x16 on a stream that is no TLS, floods and random corruption. A
 * record must never claim what was not sent: its ClientHello fields are those the parsers find in
 * the bytes the client really sent (the oracle), or it is flagged (unparseable, truncated); and
 * nothing fails or grows without bound.
 */
class TlsHostileTest {
    private RootAllocator allocator;
    private final List<TlsHandshake> records = new ArrayList<>();

    @BeforeEach
    void privileges() {
        KernelAndCorpus.requireBpf();
    }

    /** The kernel program with the TLS stage on its drained buffers. */
    final class Pipe implements AutoCloseable {
        final KernelTlsTest.Run run = new KernelTlsTest.Run(CaptureConfig.defaults().withIdleTimeout(Duration.ofSeconds(5)));
        final TlsHandshakes tls;

        Pipe() {
            allocator = new RootAllocator();
            tls = new TlsHandshakes(allocator, Duration.ofSeconds(5).toNanos(), 64, Long.MAX_VALUE, batch -> {
                try (VectorSchemaRoot b = batch) {
                    records.addAll(TlsHandshake.readAll(b));
                }
            });
        }

        Pipe feed(long at, byte[] frame) {
            run.feed(at, frame);
            int n;
            while ((n = run.p.drain(run.buf, -1)) > 0) {
                tls.accept(run.buf, n, 0);
            }
            return this;
        }

        List<TlsHandshake> finish() {
            tls.flush();
            return records;
        }

        @Override
        public void close() {
            tls.close();
            run.close();
            allocator.close();
        }
    }

    /** What the parsers make of the bytes a client sent from its hello on: the truth a record must match. */
    static ClientHello oracle(byte[] stream) {
        HandshakeReassembler r = new HandshakeReassembler();
        r.feed(stream, 0, stream.length);
        if (r.first().isEmpty()) {
            return null;
        }
        try {
            return ClientHello.parse(r.first().get());
        } catch (TlsParseException e) {
            return null;
        }
    }

    static void assertMatchesOracle(TlsHandshake h, byte[] sent, String what) {
        ClientHello expected = oracle(sent);
        if (h.ja4() == null) {
            assertTrue((h.flags() & (TlsHandshake.FLAG_CLIENT_HELLO_UNPARSEABLE | TlsHandshake.FLAG_TRUNCATED
                    | TlsHandshake.FLAG_NO_CLIENT_HELLO)) != 0, what + ": no ClientHello fields, and no flag saying why: " + h);
            return;
        }
        assertTrue(expected != null, what + ": a ClientHello was reported where the bytes sent hold none: " + h);
        assertEquals(TlsHandshake.escape(expected.sni()), h.sni(), what + ": SNI");
        assertEquals(TlsHandshake.alpn(expected.alpn()), h.clientAlpn(), what + ": ALPN");
        assertEquals(TlsHandshake.versions(expected.supportedVersions()), h.clientVersions(), what + ": versions");
        assertEquals(Ja4.fingerprint(expected), h.ja4(), what + ": JA4");
    }

    static byte[] u16At(byte[] b, int at, int v) {
        b[at] = (byte) (v >> 8);
        b[at + 1] = (byte) v;
        return b;
    }

    @Test
    void recordLongerThanItsDataAndLyingHandshakeLengths() {
        byte[] ch = TlsTestKit.clientHello(Hello.of("liar.example", null, "h2"));
        int hs = ((ch[6] & 0xff) << 16) | ((ch[7] & 0xff) << 8) | (ch[8] & 0xff);
        Map<Integer, byte[]> sent = new HashMap<>();
        try (Pipe p = new Pipe()) {
            // 1: the record claims 300 more bytes than the hello; application data follows
            byte[] a = u16At(ch.clone(), 3, ch.length - 5 + 300);
            sent.put(50001, concat(a, appData(400)));
            // 2: the handshake length claims 1,000 more bytes than there are
            byte[] b = ch.clone();
            b[6] = (byte) ((hs + 1000) >> 16);
            b[7] = (byte) ((hs + 1000) >> 8);
            b[8] = (byte) (hs + 1000);
            sent.put(50002, concat(b, appData(1400)));
            // 3: the handshake length claims less than the hello has
            byte[] c = ch.clone();
            c[7] = 0;
            c[8] = 40;
            sent.put(50003, c);
            // 4: record and handshake lengths at their maximum, the segment short
            byte[] d = Arrays.copyOf(ch, 200);
            u16At(d, 3, 0x4000);
            d[6] = (byte) 0xff;
            d[7] = (byte) 0xff;
            d[8] = (byte) 0xff;
            sent.put(50004, concat(d, appData(1300)));
            int i = 0;
            for (var e : sent.entrySet()) {
                byte[] s = e.getValue();
                // in segments of up to 1,000 bytes
                for (int off = 0; off < s.length; off += 1000) {
                    p.feed(T0 + i++, fromClient(e.getKey(), 1 + off, Arrays.copyOfRange(s, off, Math.min(s.length, off + 1000))));
                }
            }
            List<TlsHandshake> rs = p.finish();
            assertEquals(4, rs.size(), rs.toString());
            for (TlsHandshake h : rs) {
                assertMatchesOracle(h, sent.get(h.sport()), "port " + h.sport());
                assertTrue(h.has(TlsHandshake.FLAG_NO_SERVER_HELLO));
            }
            TlsHandshake cut = rs.stream().filter(h -> h.sport() == 50004).findFirst().orElseThrow();
            assertTrue(cut.has(TlsHandshake.FLAG_TRUNCATED), "a 16 MB hello is cut by the kernel: " + cut);
            KernelCounters k = p.run.p.counters();
            assertTrue(k.tlsChunks() <= 4 * TlsChunkLayout.CHUNKS_PER_DIR, k.asMap().toString());
        }
    }

    @Test
    void a0x16StartOnAStreamThatIsNotTlsMakesNoHello() {
        String head = "PUT /blob HTTP/1.1\r\nHost: h\r\nContent-Length: 3000\r\n\r\n";
        byte[] body = new byte[3000];
        new Random(3).nextBytes(body);
        byte[] fake = {0x16, 3, 3, 0x0b, (byte) 0xb3, 1, 0, 0x0b, (byte) 0xaf}; // lengths that fit the body
        System.arraycopy(fake, 0, body, 0, fake.length);
        try (Pipe p = new Pipe()) {
            p.feed(T0, tcp4(KernelTlsTest.CLIENT, 50100, KernelTlsTest.SERVER, 8080, 1, 1, ACK, ascii(head)));
            p.feed(T0 + 1, tcp4(KernelTlsTest.CLIENT, 50100, KernelTlsTest.SERVER, 8080, 1 + head.length(), 1, ACK,
                    Arrays.copyOf(body, 1500)));
            p.feed(T0 + 2, tcp4(KernelTlsTest.CLIENT, 50100, KernelTlsTest.SERVER, 8080, 1 + head.length() + 1500, 1,
                    ACK, Arrays.copyOfRange(body, 1500, 3000)));
            // and a binary protocol on another port whose messages start with 0x16 0x03
            for (int i = 0; i < 50; i++) {
                byte[] m = new byte[100];
                new Random(i).nextBytes(m);
                m[0] = 0x16;
                m[1] = 3;
                m[2] = (byte) (i % 5);
                m[5] = (byte) (1 + i % 2);
                p.feed(T0 + 10 + i, fromClient(50101, 1 + i * 100L, m));
            }
            List<TlsHandshake> rs = p.finish();
            for (TlsHandshake h : rs) {
                assertNull(h.ja4(), "no ClientHello was sent: " + h);
                assertNull(h.serverVersion(), "no ServerHello was sent: " + h);
                assertTrue(h.has(TlsHandshake.FLAG_CLIENT_HELLO_UNPARSEABLE) || h.has(TlsHandshake.FLAG_TRUNCATED)
                        || h.has(TlsHandshake.FLAG_SERVER_HELLO_UNPARSEABLE), h.toString());
            }
            assertTrue(rs.size() <= 2, "at most one record per connection: " + rs);
        }
    }

    @Test
    void tenThousandHelloChunksOnOneConnection() {
        byte[] ch = TlsTestKit.clientHello(Hello.of("flood.example", null));
        try (Pipe p = new Pipe()) {
            long seq = 1;
            for (int i = 0; i < 10_000; i++) {
                byte[] b = ch.clone();
                if (i > 0) { // later ones carry other names: they must not replace the first
                    int at = indexOf(b, "flood.example".getBytes());
                    b[at] = (byte) ('a' + i % 26);
                }
                p.feed(T0 + i, fromClient(50200, seq, b));
                seq += b.length;
            }
            List<TlsHandshake> rs = p.finish();
            assertEquals(1, rs.size(), rs.toString());
            assertEquals("flood.example", rs.get(0).sni(), "the first ClientHello is the connection's");
            KernelCounters k = p.run.p.counters();
            assertEquals(TlsChunkLayout.CHUNKS_PER_DIR, k.tlsChunks(), k.asMap().toString());
            assertEquals(0, k.tlsActive());
            assertEquals(0, p.tls.assembler().pendingConnections());
        }
    }

    @Test
    void retransmittedHellosMakeOneRecord() {
        // hellos whole in their segment leave no kernel state: each retransmission is copied
        // again, with the same flight start, and the assembler keeps the first
        TlsTestKit.Transcript t = TlsTestKit.handshake(Hello.of("retrans.example", "TLSv1.3", "h2"));
        int shLen = 5 + TlsTestKit.recordLength(t.server(), 0);
        try (Pipe p = new Pipe()) {
            p.feed(T0, fromClient(50300, 1, t.clientHello()));
            p.feed(T0 + 1_000_000, fromClient(50300, 1, t.clientHello()));
            p.feed(T0 + 2_000_000, fromServer(50300, 1, t.server()));
            p.feed(T0 + 3_000_000, fromClient(50300, 1, t.clientHello()));
            p.feed(T0 + 4_000_000, fromServer(50300, 1, t.server()));
            p.feed(T0 + 5_000_000, fromServer(50300, 1, Arrays.copyOf(t.server(), shLen)));
            List<TlsHandshake> rs = p.finish();
            assertEquals(1, rs.size(), rs.toString());
            TlsHandshake h = rs.get(0);
            assertEquals("retrans.example", h.sni());
            assertEquals(0, h.flags(), h.toString());
            assertEquals(2_000_000L, h.handshakeNs(), "from the first ClientHello to the first ServerHello");
            assertEquals(6, p.run.p.counters().tlsChunks(), "every copy went out");
            assertEquals(4, p.tls.assembler().chunksIgnored(), "the copies after the first of each were dropped");
        }
    }

    @Test
    void randomlyCorruptedHellosNeverReportWhatWasNotSent() {
        long seed = Long.getLong("gatelens.seed", System.nanoTime()); // -Dgatelens.seed=N replays a failure
        Random rnd = new Random(seed);
        TlsTestKit.Transcript t = TlsTestKit.handshake(Hello.of("fuzz.example", "TLSv1.3", "h2", "http/1.1"));
        byte[] ch = TlsTestKit.clientHello(Hello.of("fuzz.example", null, TlsTestKit.paddingAlpn(1200)));
        Map<Integer, byte[]> sent = new HashMap<>();
        try (Pipe p = new Pipe()) {
            for (int i = 0; i < 400; i++) {
                byte[] b = ch.clone();
                for (int n = 1 + rnd.nextInt(4); n > 0; n--) {
                    int at = rnd.nextInt(b.length);
                    b[at] = rnd.nextInt(3) == 0 ? (byte) rnd.nextInt(256) : (byte) (b[at] ^ (1 << rnd.nextInt(8)));
                }
                int port = 51000 + i;
                sent.put(port, b);
                int cut = 1 + rnd.nextInt(b.length - 1);
                if (rnd.nextBoolean()) { // two segments, sometimes in the wrong order
                    byte[] s1 = fromClient(port, 1, Arrays.copyOf(b, cut));
                    byte[] s2 = fromClient(port, 1 + cut, Arrays.copyOfRange(b, cut, b.length));
                    p.feed(T0 + i * 10L, rnd.nextBoolean() ? s1 : s2).feed(T0 + i * 10L + 1, rnd.nextBoolean() ? s2 : s1);
                } else {
                    p.feed(T0 + i * 10L, fromClient(port, 1, b));
                }
                if (rnd.nextBoolean()) {
                    p.feed(T0 + i * 10L + 5, fromServer(port, 1, t.server()));
                }
            }
            List<TlsHandshake> rs = p.finish();
            assertTrue(rs.size() <= 400, "seed " + seed);
            int parsed = 0;
            for (TlsHandshake h : rs) {
                assertMatchesOracle(h, sent.get(h.sport()), "seed " + seed + " port " + h.sport());
                parsed += h.ja4() != null ? 1 : 0;
            }
            assertTrue(parsed > 0, "seed " + seed + ": some corrupted hellos still parse");
        }
    }

    static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new IllegalArgumentException("not found");
    }
}
