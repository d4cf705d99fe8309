package io.gatelens.collector.bpf;

import static io.gatelens.collector.record.TlsChunkLayout.FLAG_CAPPED;
import static io.gatelens.collector.record.TlsChunkLayout.FLAG_CUT;
import static io.gatelens.collector.record.TlsChunkLayout.FLAG_FIRST;
import static io.gatelens.collector.record.TlsChunkLayout.FLAG_LAST;
import static io.gatelens.collector.testing.Packets.ACK;
import static io.gatelens.collector.testing.Packets.PSH;
import static io.gatelens.collector.testing.Packets.ascii;
import static io.gatelens.collector.testing.Packets.ip4;
import static io.gatelens.collector.testing.Packets.ip6;
import static io.gatelens.collector.testing.Packets.tcp4;
import static io.gatelens.collector.testing.Packets.tcp6;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatelens.collector.handshake.TlsChunk;
import io.gatelens.collector.record.TlsChunkLayout;
import io.gatelens.collector.record.TransactionRow;
import io.gatelens.collector.testing.KernelAndCorpus;
import io.gatelens.collector.testing.TlsTestKit;
import io.gatelens.collector.testing.TlsTestKit.Hello;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * lib/tls.h as a program: TCP segments carrying real ClientHellos and ServerHellos (from the JDK's
 * TLS stack) and crafted ones, run with BPF_PROG_TEST_RUN; the chunks that come out must hold
 * exactly the hello's bytes, never what follows it, and the kernel's state must stay bounded
 * whatever the segments claim.
 */
class KernelTlsTest {
    static final byte[] CLIENT = ip4(10, 2, 0, 1), SERVER = ip4(10, 2, 0, 2);
    static final long T0 = 1_700_000_000_000_000_000L;

    @BeforeEach
    void privileges() {
        KernelAndCorpus.requireBpf();
    }

    /** One offline program; chunks and transactions drained separately. */
    static final class Run implements AutoCloseable {
        final BpfProgram p;
        final ByteBuffer buf = ByteBuffer.allocateDirect(8 << 20);
        final List<TlsChunk> chunks = new ArrayList<>();
        final List<TransactionRow> rows = new ArrayList<>();

        Run() {
            this(CaptureConfig.defaults());
        }

        Run(CaptureConfig config) {
            p = BpfProgram.load(config.withOffline(true).withRingBytes(64 << 20));
        }

        Run feed(long atNs, byte[] frame) {
            p.setClock(atNs);
            p.testRun(BpfProgram.Program.INGRESS, frame, 1);
            return this;
        }

        List<TlsChunk> drain() {
            int n;
            while ((n = p.drain(buf, -1)) > 0) {
                chunks.addAll(TlsChunk.all(buf, n));
                rows.addAll(TransactionRow.decode(buf, n, 0));
            }
            return chunks;
        }

        void sweepAt(long ns) {
            p.setClock(ns);
            p.sweep();
        }

        @Override
        public void close() {
            p.close();
        }
    }

    static byte[] fromClient(int cport, long seq, byte[] payload) {
        return tcp4(CLIENT, cport, SERVER, 443, seq, 1, ACK | PSH, payload);
    }

    static byte[] fromServer(int cport, long seq, byte[] payload) {
        return tcp4(SERVER, 443, CLIENT, cport, seq, 1, ACK | PSH, payload);
    }

    /** The bytes of chunks laid at their flight offsets (later copies of a byte must agree). */
    static byte[] assemble(List<TlsChunk> chunks) {
        int len = chunks.get(0).flightLen();
        byte[] out = new byte[len];
        boolean[] have = new boolean[len];
        for (TlsChunk c : chunks) {
            int at = (int) c.flightOffset();
            for (int i = 0; i < c.data().length; i++) {
                assertTrue(at + i < len, "chunk " + c + " goes past its flight");
                if (have[at + i]) {
                    assertEquals(out[at + i], c.data()[i], "a byte copied twice differs");
                }
                out[at + i] = c.data()[i];
                have[at + i] = true;
            }
        }
        for (int i = 0; i < len; i++) {
            assertTrue(have[i], "flight byte " + i + " of " + len + " was never copied");
        }
        return out;
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            o.writeBytes(p);
        }
        return o.toByteArray();
    }

    static byte[] appData(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        b[0] = 0x17;
        b[1] = 3;
        b[2] = 3;
        b[3] = (byte) ((n - 5) >> 8);
        b[4] = (byte) (n - 5);
        return b;
    }

    @Test
    void clientHelloInOneSegmentIsOneChunkWithItsFields() {
        byte[] ch = TlsTestKit.clientHello(Hello.of("api.example.com", null, "h2", "http/1.1"));
        try (Run run = new Run()) {
            run.feed(T0, fromClient(40000, 1000, ch));
            List<TlsChunk> chunks = run.drain();
            assertEquals(1, chunks.size(), "one chunk: " + chunks);
            TlsChunk c = chunks.get(0);
            assertArrayEquals(ch, c.data());
            assertEquals(FLAG_FIRST | FLAG_LAST, c.flags(), TlsChunkLayout.flagNames(c.flags()).toString());
            assertEquals(1000, c.seq());
            assertEquals(1000, c.flightSeq());
            assertEquals(ch.length, c.flightLen());
            assertEquals(ch.length, c.payloadLen());
            assertEquals(1, c.hsType());
            assertEquals(4, c.family());
            assertEquals(0, c.direction(), "offline: direction unknown");
            assertEquals(0, c.ifindex());
            assertEquals(T0, c.tsNs());
            assertEquals("10.2.0.1", addr(c.clientAddr()));
            assertEquals(40000, c.clientPort());
            assertEquals("10.2.0.2", addr(c.serverAddr()));
            assertEquals(443, c.serverPort());
            KernelCounters k = run.p.counters();
            assertEquals(1, k.tlsHellos());
            assertEquals(1, k.tlsChunks());
            assertEquals(0, k.records(), "chunks are not HTTP records");
            assertEquals(0, k.tlsActive(), "nothing more expected");
            assertEquals(List.of(), run.rows);
        }
    }

    @Test
    void serverHelloAddressesAreTheConnectionsAndIpv6Works() {
        TlsTestKit.Transcript t = TlsTestKit.handshake(Hello.of("v6.example", "TLSv1.3"));
        byte[] c6 = ip6(1), s6 = ip6(2);
        int shLen = 5 + TlsTestKit.recordLength(t.server(), 0);
        try (Run run = new Run()) {
            run.feed(T0, tcp6(c6, 50000, s6, 8443, 1, 1, ACK, t.clientHello()));
            run.feed(T0 + 5_000, tcp6(s6, 8443, c6, 50000, 7000, 1 + t.clientHello().length, ACK, t.server()));
            List<TlsChunk> chunks = run.drain();
            assertEquals(2, chunks.size(), chunks.toString());
            TlsChunk sh = chunks.get(1);
            assertEquals(2, sh.hsType());
            assertEquals(6, sh.family());
            assertEquals(shLen, sh.flightLen(), "the ServerHello record only, not what TLS 1.3 sends after it");
            assertArrayEquals(Arrays.copyOf(t.server(), shLen), sh.data());
            assertArrayEquals(c6, sh.clientAddr(), "client = receiver of a ServerHello");
            assertEquals(50000, sh.clientPort());
            assertEquals(8443, sh.serverPort());
            assertEquals(T0 + 5_000, sh.tsNs());
        }
    }

    @Test
    void largeClientHelloOverThreeSegmentsIsCopiedWholeAndNothingAfter() {
        byte[] ch = TlsTestKit.clientHello(Hello.of("big.example", null, TlsTestKit.paddingAlpn(2600)));
        assertTrue(ch.length > 2700 && ch.length < 4000, "a ClientHello of " + ch.length + " bytes");
        byte[] after = appData(300);
        int a = 1000, b = 2100;
        try (Run run = new Run()) {
            run.feed(T0, fromClient(40001, 5000, Arrays.copyOfRange(ch, 0, a)));
            assertEquals(1, run.p.counters().tlsActive(), "more of the hello expected");
            run.feed(T0 + 10, fromClient(40001, 5000 + a, Arrays.copyOfRange(ch, a, b)));
            // the last part of the hello and application data in one segment
            run.feed(T0 + 20, fromClient(40001, 5000 + b, concat(Arrays.copyOfRange(ch, b, ch.length), after)));
            assertEquals(0, run.p.counters().tlsActive(), "the hello is complete");
            run.feed(T0 + 30, fromClient(40001, 5000 + ch.length + after.length, appData(500)));
            List<TlsChunk> chunks = run.drain();
            assertEquals(3, chunks.size(), chunks.toString());
            assertArrayEquals(ch, assemble(chunks));
            assertEquals(ch.length, chunks.get(0).flightLen());
            assertTrue(chunks.get(0).has(FLAG_FIRST) && !chunks.get(0).has(FLAG_LAST));
            assertTrue(!chunks.get(1).has(FLAG_FIRST) && !chunks.get(1).has(FLAG_LAST));
            assertTrue(chunks.get(2).has(FLAG_LAST));
            assertEquals(ch.length - b, chunks.get(2).data().length, "application data after the hello is not copied");
            assertEquals(T0 + 20, chunks.get(2).tsNs());
        }
    }

    @Test
    void segmentLongerThanAChunkIsCopiedInSeveral() {
        byte[] ch = TlsTestKit.clientHello(Hello.of("lo.example", null, TlsTestKit.paddingAlpn(2100)));
        assertTrue(ch.length > TlsChunkLayout.CHUNK_MAX && ch.length < 3000, "one test-run frame: " + ch.length);
        try (Run run = new Run()) {
            run.feed(T0, fromClient(40002, 1, ch));
            List<TlsChunk> chunks = run.drain();
            assertEquals(2, chunks.size(), chunks.toString());
            assertEquals(TlsChunkLayout.CHUNK_MAX, chunks.get(0).data().length);
            assertEquals(1 + TlsChunkLayout.CHUNK_MAX, chunks.get(1).seq());
            assertTrue(chunks.get(1).has(FLAG_LAST) && !chunks.get(1).has(FLAG_FIRST));
            assertArrayEquals(ch, assemble(chunks));
            assertEquals(0, run.p.counters().tlsActive());
        }
    }

    @Test
    void outOfOrderAndRetransmittedSegments() {
        byte[] ch = TlsTestKit.clientHello(Hello.of("ooo.example", null, TlsTestKit.paddingAlpn(2600)));
        int a = 900, b = 1800;
        byte[] s1 = fromClient(40003, 100, Arrays.copyOfRange(ch, 0, a));
        byte[] s2 = fromClient(40003, 100 + a, Arrays.copyOfRange(ch, a, b));
        byte[] s3 = fromClient(40003, 100 + b, Arrays.copyOfRange(ch, b, ch.length));
        try (Run run = new Run()) {
            run.feed(T0, s1).feed(T0 + 1, s3);
            assertEquals(1, run.p.counters().tlsActive(), "a hole: still expecting bytes");
            run.feed(T0 + 2, s1); // retransmitted while in progress: copied again, same bytes
            run.feed(T0 + 3, s2);
            assertEquals(0, run.p.counters().tlsActive());
            run.feed(T0 + 4, s1); // retransmitted after completion: not copied
            run.feed(T0 + 5, s3);
            List<TlsChunk> chunks = run.drain();
            assertEquals(4, chunks.size(), chunks.toString());
            assertArrayEquals(ch, assemble(chunks));
        }
    }

    @Test
    void tls12ServerFlightCopiesTheServerHelloOnly() {
        TlsTestKit.Transcript t = TlsTestKit.handshake(Hello.of("tls12.example", "TLSv1.2", "http/1.1"));
        assertEquals("TLSv1.2", t.protocol());
        byte[] flight = t.server();
        int recLen = TlsTestKit.recordLength(flight, 0);
        int shLen = ((flight[6] & 0xFF) << 16) | ((flight[7] & 0xFF) << 8) | (flight[8] & 0xFF);
        try (Run run = new Run()) {
            run.feed(T0, fromClient(40004, 1, t.clientHello()));
            // the server's flight in 3 segments of 700 bytes
            for (int off = 0, i = 0; off < Math.min(flight.length, 2100); off += 700, i++) {
                run.feed(T0 + 100 + i, fromServer(40004, 9000 + off,
                        Arrays.copyOfRange(flight, off, Math.min(flight.length, off + 700))));
            }
            List<TlsChunk> chunks = run.drain();
            List<TlsChunk> server = chunks.stream().filter(c -> c.hsType() == 2).toList();
            assertEquals(1, server.size(), chunks.toString());
            int expected = shLen + 4 <= recLen ? 5 + 4 + shLen : -1;
            assertEquals(expected, server.get(0).flightLen(), "record header + ServerHello, not the certificate");
            assertArrayEquals(Arrays.copyOf(flight, expected), server.get(0).data());
            assertEquals(0, run.p.counters().tlsActive());
        }
    }

    @Test
    void notAHelloIsNotCopied() {
        byte[] ch = TlsTestKit.clientHello(Hello.of("x.example", null));
        try (Run run = new Run()) {
            int port = 41000;
            for (int[] change : new int[][] {{1, 2}, {2, 5}, {5, 11}, {5, 16}, {3, 0x41}, {0, 0x17}}) {
                byte[] b = ch.clone();
                b[change[0]] = (byte) change[1]; // version 2.x, 3.5, types 11/16, record > 2^14, app data
                run.feed(T0 + port, fromClient(port++, 1, b));
            }
            byte[] tiny = {0x16, 3, 1, 0, 4, 1, 0, 0}; // 8 bytes: no handshake length
            run.feed(T0 + port, fromClient(port++, 1, tiny));
            byte[] zero = {0x16, 3, 1, 0, 3, 1, 0, 0, 0}; // record shorter than a handshake header
            run.feed(T0 + port, fromClient(port++, 1, zero));
            assertEquals(List.of(), run.drain());
            assertEquals(0, run.p.counters().tlsChunks());
        }
    }

    @Test
    void lyingLengthsAreBoundedAndNeverCopyPastTheCap() {
        try (Run run = new Run()) {
            // record says 600 bytes, the segment has 100, the rest of the connection is other data
            byte[] shortRec = concat(new byte[] {0x16, 3, 1, 2, 0x58, 1, 0, 2, 0x54}, new byte[91]);
            run.feed(T0, fromClient(42000, 1, shortRec));
            run.feed(T0 + 1, fromClient(42000, 101, appData(1000)));
            List<TlsChunk> a = new ArrayList<>(run.drain());
            assertEquals(2, a.size(), a.toString());
            assertEquals(605, a.get(0).flightLen());
            assertEquals(505, a.get(1).data().length, "up to the claimed end, not further");
            assertTrue(a.get(1).has(FLAG_LAST));

            // handshake length 16 MB in a record of 16 KB: capped at HELLO_MAX, flagged CUT
            byte[] huge = concat(new byte[] {0x16, 3, 3, 0x40, 0, 1, (byte) 0xff, (byte) 0xff, (byte) 0xff},
                    new byte[1400]);
            run.feed(T0 + 2, fromClient(42001, 1, huge));
            long seq = 1 + huge.length;
            for (int i = 0; i < 40; i++) {
                run.feed(T0 + 3 + i, fromClient(42001, seq, new byte[1400]));
                seq += 1400;
            }
            run.chunks.clear();
            List<TlsChunk> b = run.drain();
            int copied = b.stream().mapToInt(c -> c.data().length).sum();
            assertEquals(TlsChunkLayout.HELLO_MAX, copied, "capped: " + b);
            assertTrue(b.stream().allMatch(c -> c.has(FLAG_CUT) && c.flightLen() == TlsChunkLayout.HELLO_MAX));
            assertEquals(1, run.p.counters().tlsCut());
            assertEquals(0, run.p.counters().tlsActive());
        }
    }

    @Test
    void tenThousandHellosOnOneConnectionStopAtTheBudget() {
        byte[] ch = TlsTestKit.clientHello(Hello.of("flood.example", null));
        try (Run run = new Run()) {
            long seq = 1;
            for (int i = 0; i < 10_000; i++) {
                run.feed(T0 + i, fromClient(43000, seq, ch));
                seq += ch.length;
                if (i % 1000 == 0) {
                    run.drain();
                }
            }
            List<TlsChunk> chunks = run.drain();
            assertEquals(TlsChunkLayout.CHUNKS_PER_DIR, chunks.size(), "the direction's budget");
            KernelCounters k = run.p.counters();
            assertEquals(10_000, k.tlsHellos());
            assertEquals(10_000 - TlsChunkLayout.CHUNKS_PER_DIR, k.tlsCapped());
            // the other direction has its own budget
            run.feed(T0 + 20_000, fromServer(43000, 1, TlsTestKit.handshake(Hello.of("f", "TLSv1.3")).server()));
            assertEquals(1, run.drain().stream().filter(c -> c.hsType() == 2).count());
        }
    }

    @Test
    void manyUnfinishedHellosKeepTheKernelStateBounded() {
        byte[] ch = TlsTestKit.clientHello(Hello.of("many.example", null, TlsTestKit.paddingAlpn(2600)));
        byte[] first = Arrays.copyOf(ch, 1000);
        int n = 20_000; // more than the direction table holds (8,192 entries)
        try (Run run = new Run(CaptureConfig.defaults().withIdleTimeout(Duration.ofSeconds(5)))) {
            for (int i = 0; i < n; i++) {
                byte[] src = ip4(10, 3, (i >> 8) & 0xff, i & 0xff);
                run.feed(T0 + i, tcp4(src, 30000 + (i % 20000), SERVER, 443, 1, 1, ACK, first));
                if (i % 2000 == 0) {
                    run.drain();
                }
            }
            run.drain();
            assertEquals(n, run.p.counters().tlsHellos());
            long before = run.p.counters().tlsActive();
            assertTrue(before > 0 && before <= 8192, "a direction that takes a busy way drops its hello: " + before);
            run.sweepAt(T0 + n + 1_000_000_000L);
            long active = run.p.counters().tlsActive();
            assertEquals(before, active, "the sweep's recount agrees with the gate");
            // a continuation segment still finds its direction when it was not evicted
            int last = n - 1;
            byte[] src = ip4(10, 3, (last >> 8) & 0xff, last & 0xff);
            run.chunks.clear();
            run.feed(T0 + n + 2_000_000_000L, tcp4(src, 30000 + (last % 20000), SERVER, 443, 1001, 1, ACK,
                    Arrays.copyOfRange(ch, 1000, ch.length)));
            assertEquals(ch.length - 1000, run.drain().stream().mapToInt(c -> c.data().length).sum(),
                    "the newest direction is still in the table: the rest of its hello is copied");
            run.sweepAt(T0 + n + 60_000_000_000L); // past the idle timeout: everything forgotten
            assertEquals(0, run.p.counters().tlsActive());
        }
    }

    @Test
    void httpBesideTlsIsUnchangedAndABodyStartingWith0x16IsStillCounted() {
        byte[] body = concat(new byte[] {0x16, 3, 1, 0, 50, 1, 0, 0, 46}, new byte[41]);
        String head = "POST /upload HTTP/1.1\r\nHost: h\r\nContent-Length: " + body.length + "\r\n\r\n";
        String resp = "HTTP/1.1 204 No Content\r\n\r\n";
        try (Run run = new Run()) {
            run.feed(T0, tcp4(CLIENT, 44000, SERVER, 80, 1, 1, ACK, ascii(head)));
            run.feed(T0 + 1, tcp4(CLIENT, 44000, SERVER, 80, 1 + head.length(), 1, ACK, body));
            run.feed(T0 + 2, tcp4(SERVER, 80, CLIENT, 44000, 1, 1 + head.length() + body.length, ACK, ascii(resp)));
            run.drain();
            assertEquals(1, run.rows.size(), run.rows.toString());
            TransactionRow r = run.rows.get(0);
            assertEquals(204, r.status());
            assertEquals(head.length() + body.length, r.reqBytes(), "the body segment was HTTP's too");
            assertEquals(0, r.flags());
            // the body looked like a hello, but it was inside an HTTP message: not copied
            assertEquals(0, run.chunks.size(), run.chunks.toString());
        }
    }

    @Test
    void helloThroughAConnectTunnelIsCopied() {
        String connect = "CONNECT api.example:443 HTTP/1.1\r\nHost: api.example:443\r\n\r\n";
        String ok = "HTTP/1.1 200 Connection established\r\n\r\n";
        TlsTestKit.Transcript t = TlsTestKit.handshake(Hello.of("tunnel.example", "TLSv1.3"));
        int shLen = 5 + TlsTestKit.recordLength(t.server(), 0);
        long c = 1, s = 1;
        try (Run run = new Run()) {
            run.feed(T0, tcp4(CLIENT, 44100, SERVER, 3128, c, s, ACK, ascii(connect)));
            c += connect.length();
            run.feed(T0 + 1, tcp4(SERVER, 3128, CLIENT, 44100, s, c, ACK, ascii(ok)));
            s += ok.length();
            run.feed(T0 + 2, tcp4(CLIENT, 44100, SERVER, 3128, c, s, ACK, t.clientHello()));
            run.feed(T0 + 3, tcp4(SERVER, 3128, CLIENT, 44100, s, c + t.clientHello().length, ACK, t.server()));
            run.drain();
            assertEquals(1, run.rows.size(), "the CONNECT transaction: " + run.rows);
            assertEquals(2, run.chunks.size(), run.chunks.toString());
            assertArrayEquals(t.clientHello(), run.chunks.get(0).data());
            assertArrayEquals(Arrays.copyOf(t.server(), shLen), run.chunks.get(1).data());
        }
    }

    @Test
    void helloOnAFlowTrackedFromAMidStreamSegmentIsCopied() {
        // capture started mid-connection: the first segment seen starts with a token character,
        // so the flow is tracked as possible HTTP; its framing is lost, a hello after it is TLS
        byte[] ch = TlsTestKit.clientHello(Hello.of("midstream.example", null));
        try (Run run = new Run()) {
            run.feed(T0, fromClient(44200, 1, ascii("xyz garbage that is not a request\r\n")));
            assertEquals(1, run.p.counters().flowsCreated());
            run.feed(T0 + 1, fromClient(44200, 100, ch));
            assertEquals(1, run.drain().size(), run.chunks.toString());
            assertArrayEquals(ch, run.chunks.get(0).data());
        }
    }

    @Test
    void retransmittedWholeHelloIsCopiedAgainWithItsFlightStart() {
        // a hello whole in its segment leaves no table entry: its retransmission is a second
        // chunk of the same flight (same seq), which user space drops (TlsHostileTest)
        byte[] ch = TlsTestKit.clientHello(Hello.of("again.example", null));
        try (Run run = new Run()) {
            run.feed(T0, fromClient(44300, 700, ch));
            run.feed(T0 + 200_000_000L, fromClient(44300, 700, ch));
            List<TlsChunk> chunks = run.drain();
            assertEquals(2, chunks.size(), chunks.toString());
            for (TlsChunk c : chunks) {
                assertEquals(700, c.flightSeq());
                assertEquals(700, c.seq());
                assertArrayEquals(ch, c.data());
            }
            assertEquals(0, run.p.counters().tlsActive());
        }
    }

    @Test
    void helloFloodStaysWithinTheBudgetOverTime() {
        // one hello a millisecond for 20 s: without an entry while the heat slot is cool, then
        // the table's budget, then a penalty that keeps the slot on the table path
        byte[] ch = TlsTestKit.clientHello(Hello.of("flood.example", null));
        long t0 = T0 >> 24 << 24; // an epoch (2^24 ns) starts here: its 17 hellos pass 8
        try (Run run = new Run()) {
            long seq = 1;
            for (int i = 0; i < 20_000; i++) {
                run.feed(t0 + i * 1_000_000L, fromClient(44400, seq, ch));
                seq += ch.length;
                if (i % 1000 == 0) {
                    run.drain();
                }
            }
            assertEquals(TlsChunkLayout.CHUNKS_PER_DIR, run.drain().size(), run.p.counters().asMap().toString());
            // idle for longer than the idle timeout (30 s): the connection starts over
            run.feed(t0 + 60_000_000_000L, fromClient(44400, seq, ch));
            assertEquals(TlsChunkLayout.CHUNKS_PER_DIR + 1, run.drain().size());
        }
    }

    @Test
    void wholeHellosAfterAnEntryCountAgainstItsBudget() {
        // a hello spanning two segments gives the direction an entry; the whole hellos after it
        // go without the table while the heat slot is cool, and must still count in its budget
        byte[] big = TlsTestKit.clientHello(Hello.of("span.example", null, TlsTestKit.paddingAlpn(1600)));
        byte[] ch = TlsTestKit.clientHello(Hello.of("flood.example", null));
        long t0 = T0 >> 24 << 24; // one epoch (2^24 ns) holds every hello below
        try (Run run = new Run()) {
            run.feed(t0, fromClient(44600, 1, Arrays.copyOfRange(big, 0, 1000)));
            run.feed(t0 + 1, fromClient(44600, 1001, Arrays.copyOfRange(big, 1000, big.length)));
            long seq = 1 + big.length;
            for (int i = 0; i < 100; i++) {
                run.feed(t0 + 10 + i, fromClient(44600, seq, ch));
                seq += ch.length;
            }
            List<TlsChunk> chunks = run.drain();
            assertEquals(TlsChunkLayout.CHUNKS_PER_DIR, chunks.size(), run.p.counters().asMap().toString());
            assertEquals(2, chunks.stream().filter(c -> c.flightLen() == big.length).count(), "the spanning hello");
            assertTrue(chunks.get(chunks.size() - 1).has(FLAG_CAPPED) || run.p.counters().tlsCapped() > 0);
        }
    }

    @Test
    void aSlowFloodMeetsItsBudgetToo() {
        // fewer hellos per epoch than the heat slot lets through without an entry: every 16th
        // of them (per CPU) is counted in the table anyway, so the connection's budget runs out
        byte[] ch = TlsTestKit.clientHello(Hello.of("slow.example", null));
        long t0 = T0 >> 24 << 24;
        int n = 3_000;
        long step = 3_000_000L; // 5.6 an epoch of 2^24 ns
        try (Run run = new Run()) {
            long seq = 1;
            for (int i = 0; i < n; i++) {
                run.feed(t0 + i * step, fromClient(44500, seq, ch));
                seq += ch.length;
                if (i % 1000 == 0) {
                    run.drain();
                }
            }
            int chunks = run.drain().size();
            int bound = (TlsChunkLayout.CHUNKS_PER_DIR + 2) * 16; // 16 per check, a check's worth per CPU
            assertTrue(chunks <= bound, chunks + " chunks, bound " + bound);
            KernelCounters k = run.p.counters();
            assertEquals(n - chunks, k.tlsCapped(), k.asMap().toString());
        }
    }

    @Test
    void manyConnectionsAtOnceEachGetTheirHello() {
        // more hellos in one instant than the heat slots let through without an entry: the
        // rest take the table, every one is copied
        byte[] ch = TlsTestKit.clientHello(Hello.of("burst.example", null));
        int n = 20_000;
        try (Run run = new Run()) {
            for (int i = 0; i < n; i++) {
                byte[] src = ip4(10, 4, (i >> 8) & 0xff, i & 0xff);
                run.feed(T0, tcp4(src, 20000 + (i % 30000), SERVER, 443, 1, 1, ACK | PSH, ch));
                if (i % 1000 == 0) {
                    run.drain();
                }
            }
            List<TlsChunk> chunks = run.drain();
            assertEquals(n, chunks.size());
            assertTrue(chunks.stream().allMatch(c -> c.flags() == (FLAG_FIRST | FLAG_LAST)));
            KernelCounters k = run.p.counters();
            assertEquals(n, k.tlsChunks());
            assertEquals(0, k.tlsCapped());
            assertEquals(0, k.tlsActive());
        }
    }

    @Test
    void tlsOffLeavesNoChunks() {
        byte[] ch = TlsTestKit.clientHello(Hello.of("off.example", null));
        try (Run run = new Run(CaptureConfig.defaults().withTls(false))) {
            run.feed(T0, fromClient(45000, 1, ch));
            assertEquals(List.of(), run.drain());
            assertEquals(0, run.p.counters().tlsHellos());
        }
    }

    @Test
    void randomContinuationsOfActiveDirectionsNeverPassTheirFlight() {
        long seed = Long.getLong("gatelens.seed", System.nanoTime()); // -Dgatelens.seed=N replays a failure
        Random rnd = new Random(seed);
        try (Run run = new Run()) {
            long[] seq = new long[64];
            int[] flight = new int[64];
            long[] start = new long[64];
            for (int i = 0; i < 20_000; i++) {
                int conn = rnd.nextInt(64);
                byte[] payload = new byte[1 + rnd.nextInt(1400)];
                rnd.nextBytes(payload);
                if (rnd.nextInt(20) == 0 && payload.length >= 9) { // a hello start with random lengths
                    payload[0] = 0x16;
                    payload[1] = 3;
                    payload[2] = (byte) rnd.nextInt(5);
                    payload[5] = (byte) (1 + rnd.nextInt(2));
                    start[conn] = seq[conn];
                }
                long s = rnd.nextInt(10) == 0 ? seq[conn] - rnd.nextInt(3000) : seq[conn];
                seq[conn] = Math.max(seq[conn], s + payload.length);
                run.feed(T0 + i, fromClient(46000 + conn, s & 0xFFFFFFFFL, payload));
                if (i % 1000 == 0) {
                    run.drain();
                }
            }
            List<TlsChunk> chunks = run.drain();
            for (TlsChunk c : chunks) {
                assertTrue(c.flightLen() <= TlsChunkLayout.HELLO_MAX, "seed " + seed + ": " + c);
                assertTrue(c.flightOffset() + c.data().length <= c.flightLen(), "seed " + seed + ": past its flight " + c);
            }
            // the sender's port: the client of a ClientHello, the "server" of a ServerHello
            chunks.stream().collect(java.util.stream.Collectors.groupingBy(c -> c.hsType() == 1 ? c.clientPort() : c.serverPort()))
                    .forEach((port, list) -> assertTrue(list.size() <= TlsChunkLayout.CHUNKS_PER_DIR,
                            "seed " + seed + ": port " + port + " has " + list.size() + " chunks"));
            assertTrue(chunks.stream().anyMatch(c -> c.has(FLAG_CAPPED)) || chunks.size() < 64 * 16,
                    "seed " + seed);
        }
    }

    private static String addr(byte[] sixteen) {
        try {
            return java.net.InetAddress.getByAddress(sixteen).getHostAddress();
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
