package io.gatelens.collector.handshake;

import static io.gatelens.collector.handshake.TlsHandshake.FLAG_CLIENT_HELLO_UNPARSEABLE;
import static io.gatelens.collector.handshake.TlsHandshake.FLAG_EVICTED;
import static io.gatelens.collector.handshake.TlsHandshake.FLAG_HELLO_RETRY;
import static io.gatelens.collector.handshake.TlsHandshake.FLAG_NO_CLIENT_HELLO;
import static io.gatelens.collector.handshake.TlsHandshake.FLAG_NO_SERVER_HELLO;
import static io.gatelens.collector.handshake.TlsHandshake.FLAG_SERVER_HELLO_UNPARSEABLE;
import static io.gatelens.collector.handshake.TlsHandshake.FLAG_TRUNCATED;
import static io.gatelens.collector.record.TlsChunkLayout.FLAG_FIRST;
import static io.gatelens.collector.record.TlsChunkLayout.FLAG_LAST;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatelens.collector.testing.TlsTestKit;
import io.gatelens.collector.testing.TlsTestKit.Hello;
import io.gatelens.collector.tls.ClientHello;
import io.gatelens.collector.tls.HandshakeReassembler;
import io.gatelens.collector.tls.Ja4;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The assembler on chunks made here (as the kernel would make them, and as it would not): order,
 * duplicates, holes, idle connections, HelloRetryRequest, its bounds, and lies.
 */
class HandshakeAssemblerTest {
    static final byte[] C = mapped(10, 0, 0, 1), S = mapped(10, 0, 0, 2);
    static final long T0 = 5_000_000_000L;
    static final long IDLE = 30_000_000_000L;

    final List<TlsHandshake> out = new ArrayList<>();
    final HandshakeAssembler a = new HandshakeAssembler(IDLE, out::add);

    static byte[] mapped(int x, int y, int z, int w) {
        return new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, (byte) x, (byte) y, (byte) z, (byte) w};
    }

    /** The chunks the kernel would send for flight bytes cut at the given offsets. */
    static List<TlsChunk> chunks(int hs, int cport, long flightSeq, byte[] flight, long ts, int... cuts) {
        List<TlsChunk> list = new ArrayList<>();
        int from = 0;
        int[] ends = Arrays.copyOf(cuts, cuts.length + 1);
        ends[cuts.length] = flight.length;
        for (int end : ends) {
            int flags = (from == 0 ? FLAG_FIRST : 0) | (end == flight.length ? FLAG_LAST : 0);
            list.add(new TlsChunk(flags, 4, 1, 3, flightSeq + from, ts + from, flightSeq, flight.length,
                    end - from, hs, C, cport, S, 443, Arrays.copyOfRange(flight, from, end)));
            from = end;
        }
        return list;
    }

    static byte[] serverHelloRecord(TlsTestKit.Transcript t) {
        return Arrays.copyOf(t.server(), 5 + TlsTestKit.recordLength(t.server(), 0));
    }

    void feed(List<TlsChunk> cs) {
        cs.forEach(c -> a.accept(c, 1_000L));
    }

    @Test
    void clientAndServerHelloMakeOneRecord() throws Exception {
        TlsTestKit.Transcript t = TlsTestKit.handshake(Hello.of("api.example.com", "TLSv1.3", "h2", "http/1.1"));
        byte[] ch = t.clientHello();
        feed(chunks(1, 40000, 1000, ch, T0));
        assertEquals(List.of(), out, "nothing before the ServerHello");
        feed(chunks(2, 40000, 7000, serverHelloRecord(t), T0 + 2_500_000));
        assertEquals(1, out.size());
        TlsHandshake h = out.get(0);
        ClientHello parsed = ClientHello.parse(reassemble(ch));
        assertEquals("api.example.com", h.sni());
        assertEquals("h2,http/1.1", h.clientAlpn());
        assertEquals(TlsHandshake.versions(parsed.supportedVersions()), h.clientVersions());
        assertTrue(h.clientVersions().startsWith("TLS 1.3"), h.clientVersions());
        assertEquals(Ja4.fingerprint(parsed), h.ja4());
        assertEquals(Ja4.raw(parsed), h.ja4Raw());
        assertEquals("TLS 1.3", h.serverVersion());
        assertEquals("h2", t.alpn(), "the JDK server chose h2");
        assertNull(h.serverAlpn(), "TLS 1.3 sends the server's ALPN encrypted");
        assertEquals(2_500_000L, h.handshakeNs());
        assertEquals(T0 + 1_000L, h.tsNs(), "ClientHello time + clock offset");
        assertEquals(40000, h.sport());
        assertEquals(443, h.dport());
        assertEquals(1, h.direction());
        assertEquals(3, h.ifindex());
        assertEquals(0, h.flags());
        assertEquals(0, a.pendingConnections());
    }

    @Test
    void tls12ServerAlpnIsInTheClear() {
        TlsTestKit.Transcript t = TlsTestKit.handshake(Hello.of("old.example", "TLSv1.2", "http/1.1"));
        feed(chunks(1, 40001, 1, t.clientHello(), T0));
        byte[] sh = t.server();
        int len = 9 + (((sh[6] & 0xff) << 16) | ((sh[7] & 0xff) << 8) | (sh[8] & 0xff)); // what the kernel copies
        feed(chunks(2, 40001, 1, Arrays.copyOf(sh, len), T0 + 10));
        assertEquals("TLS 1.2", out.get(0).serverVersion());
        assertEquals("http/1.1", out.get(0).serverAlpn());
    }

    @Test
    void chunksInAnyOrderAndTwiceGiveTheSameRecord() {
        TlsTestKit.Transcript t = TlsTestKit.handshake(Hello.of("order.example", null, TlsTestKit.paddingAlpn(3000)));
        byte[] ch = t.clientHello();
        List<TlsChunk> cs = chunks(1, 40002, 77, ch, T0, 700, 1400, 2100, 2800);
        List<TlsChunk> shuffled = new ArrayList<>(cs);
        shuffled.addAll(cs.subList(1, 3)); // retransmitted copies
        Collections.shuffle(shuffled, new Random(7));
        feed(shuffled);
        feed(chunks(2, 40002, 9, serverHelloRecord(t), T0 + 100_000));
        assertEquals(1, out.size());
        assertEquals("order.example", out.get(0).sni());
        assertEquals(0, out.get(0).flags());
        assertEquals(TlsHandshake.alpn(List.of(TlsTestKit.paddingAlpn(3000))), out.get(0).clientAlpn());
        assertEquals(100_000L, out.get(0).handshakeNs(), "from the first segment's time");
    }

    @Test
    void noServerHelloIsReportedAtTheIdleTimeoutAndAtFlush() {
        byte[] ch = TlsTestKit.clientHello(Hello.of("idle.example", null));
        feed(chunks(1, 40003, 1, ch, T0));
        a.expire(T0 + IDLE);
        assertEquals(List.of(), out, "not idle yet");
        a.expire(T0 + IDLE + 1);
        assertEquals(1, out.size());
        assertEquals(FLAG_NO_SERVER_HELLO, out.get(0).flags());
        assertEquals("idle.example", out.get(0).sni());
        assertNull(out.get(0).handshakeNs());
        // a late ServerHello of that connection makes no second record
        feed(chunks(2, 40003, 1, serverHelloRecord(TlsTestKit.handshake(Hello.of("x", "TLSv1.3"))), T0 + IDLE + 5));
        assertEquals(1, out.size());
        assertTrue(a.chunksIgnored() > 0);

        // a retransmission of its reported ClientHello long after the idle timeout is still that connection's
        feed(chunks(1, 40003, 1, ch, T0 + 5 * IDLE));
        assertEquals(1, out.size(), "a retransmission of the reported hello: " + out);

        feed(chunks(1, 40004, 1, ch, T0 + IDLE + 10));
        a.flush();
        assertEquals(2, out.size());
        assertEquals(FLAG_NO_SERVER_HELLO, out.get(1).flags());
    }

    @Test
    void serverHelloAloneAndGarbageHellos() {
        TlsTestKit.Transcript t = TlsTestKit.handshake(Hello.of("late.example", "TLSv1.3"));
        feed(chunks(2, 40005, 1, serverHelloRecord(t), T0));
        assertEquals(1, out.size(), "the ServerHello ends the connection's record");
        assertEquals(FLAG_NO_CLIENT_HELLO, out.get(0).flags());
        assertEquals("TLS 1.3", out.get(0).serverVersion());
        assertNull(out.get(0).ja4());

        byte[] junk = new byte[300];
        new Random(1).nextBytes(junk);
        byte[] fake = {0x16, 3, 1, 1, 0x27, 1, 0, 1, 0x23}; // lengths that fit, a body that is not a hello
        System.arraycopy(fake, 0, junk, 0, fake.length);
        feed(chunks(1, 40006, 1, Arrays.copyOf(junk, 5 + 0x127), T0));
        byte[] badSh = Arrays.copyOf(junk, 5 + 0x127);
        badSh[5] = 2;
        feed(chunks(2, 40006, 1, badSh, T0 + 1));
        assertEquals(2, out.size());
        assertEquals(FLAG_CLIENT_HELLO_UNPARSEABLE | FLAG_SERVER_HELLO_UNPARSEABLE, out.get(1).flags());
        assertNull(out.get(1).sni());
        assertNull(out.get(1).serverVersion());
    }

    @Test
    void aMissingChunkIsTruncated() {
        byte[] ch = TlsTestKit.clientHello(Hello.of("hole.example", null, TlsTestKit.paddingAlpn(2000)));
        List<TlsChunk> cs = chunks(1, 40007, 1, ch, T0, 1000, 2000);
        cs.remove(1);
        feed(cs);
        a.flush();
        assertEquals(FLAG_NO_SERVER_HELLO | FLAG_TRUNCATED, out.get(0).flags());
        assertNull(out.get(0).sni());
    }

    @Test
    void helloRetryRequestWaitsForTheRealServerHello() {
        byte[] ch1 = TlsTestKit.clientHello(Hello.of("retry.example", "TLSv1.3", "h2"));
        byte[] ch2 = TlsTestKit.clientHello(Hello.of("retry.example", "TLSv1.3", "h2"));
        feed(chunks(1, 40008, 100, ch1, T0));
        feed(chunks(2, 40008, 500, helloRetryRequest(), T0 + 10));
        assertEquals(List.of(), out, "a HelloRetryRequest is not the answer");
        feed(chunks(1, 40008, 100 + ch1.length + 6, ch2, T0 + 20)); // after the client's compatibility CCS
        TlsTestKit.Transcript t = TlsTestKit.handshake(Hello.of("x", "TLSv1.3"));
        feed(chunks(2, 40008, 500 + helloRetryRequest().length, serverHelloRecord(t), T0 + 30));
        assertEquals(1, out.size());
        TlsHandshake h = out.get(0);
        assertEquals(FLAG_HELLO_RETRY, h.flags());
        assertEquals("TLS 1.3", h.serverVersion());
        assertEquals(30L, h.handshakeNs(), "to the ServerHello that was the answer");
        assertEquals("retry.example", h.sni());
    }

    @Test
    void fullTableEvictsTheLeastRecentlyActive() {
        List<TlsHandshake> o = new ArrayList<>();
        HandshakeAssembler small = new HandshakeAssembler(IDLE, 2, 8192, o::add);
        byte[] ch = TlsTestKit.clientHello(Hello.of("evict.example", null));
        for (int i = 0; i < 5; i++) {
            chunks(1, 41000 + i, 1, ch, T0 + i).forEach(c -> small.accept(c, 0));
        }
        assertEquals(3, small.evictions());
        assertEquals(2, small.pendingConnections());
        assertEquals(List.of(41000, 41001, 41002), o.stream().map(TlsHandshake::sport).toList());
        assertTrue(o.stream().allMatch(h -> h.flags() == (FLAG_EVICTED | FLAG_NO_SERVER_HELLO)));
    }

    @Test
    void flightsDeclaringLargeLengthsStayWithinTheTotalBufferBudget() {
        List<TlsHandshake> o = new ArrayList<>();
        long budget = 64 << 10;
        HandshakeAssembler bounded = new HandshakeAssembler(IDLE, 65_536, 8192, budget, o::add);
        byte[] ch = TlsTestKit.clientHello(Hello.of("budget.example", null));
        // 1,000 connections whose first chunk claims an 8 KiB flight and never sends the rest
        for (int i = 0; i < 1_000; i++) {
            byte[] part = Arrays.copyOf(ch, 100);
            bounded.accept(new TlsChunk(FLAG_FIRST, 4, 1, 3, 1, T0 + i, 1, 8192, part.length, 1, C, 10_000 + i, S, 443, part), 0);
            assertTrue(bounded.bufferedBytes() <= budget, "buffered " + bounded.bufferedBytes());
        }
        assertEquals(8, bounded.pendingConnections(), "64 KiB holds eight 8 KiB flights");
        assertEquals(992, bounded.evictions());
        assertTrue(o.stream().allMatch(h -> (h.flags() & FLAG_EVICTED) != 0));
        assertEquals(10_000, o.get(0).sport(), "the least recently active goes first");
        // a complete handshake still goes through, and its bytes are given back
        chunks(1, 20_000, 1, ch, T0 + 2_000).forEach(c -> bounded.accept(c, 0));
        bounded.flush();
        assertEquals(0, bounded.bufferedBytes());
        assertEquals("budget.example", o.get(o.size() - 1).sni());
    }

    @Test
    void lyingChunksStayInsideTheirFlightAndTheBounds() {
        byte[] ch = TlsTestKit.clientHello(Hello.of("lies.example", null));
        Random rnd = new Random(99);
        // 10,000 chunks on one connection: huge declared flights, offsets past them, new flights
        for (int i = 0; i < 10_000; i++) {
            byte[] data = new byte[1 + rnd.nextInt(2048)];
            rnd.nextBytes(data);
            if (i % 3 == 0) {
                System.arraycopy(ch, 0, data, 0, Math.min(ch.length, data.length));
            }
            long flightSeq = rnd.nextInt(4) == 0 ? rnd.nextInt() & 0xffffffffL : 1;
            a.accept(new TlsChunk(rnd.nextInt(16), 4, 0, 0, rnd.nextInt() & 0xffffffffL, T0 + i, flightSeq,
                    rnd.nextBoolean() ? Integer.MAX_VALUE : rnd.nextInt(100_000) - 50, data.length, 1, C, 42000, S, 443,
                    data), 0);
            assertTrue(a.pendingConnections() <= 1);
        }
        a.flush();
        assertTrue(out.size() <= 1, "one connection, at most one record: " + out.size());
        for (TlsHandshake h : out) {
            assertTrue(h.ja4() == null || "lies.example".equals(h.sni()), "a parsed hello is one that was sent: " + h);
        }
        // hello types the kernel never sends
        a.accept(new TlsChunk(FLAG_FIRST, 4, 0, 0, 1, T0, 1, 10, 10, 7, C, 42001, S, 443, new byte[10]), 0);
        assertEquals(0, a.pendingConnections());
    }

    @Test
    void alpnAndSniTextIsEscaped() {
        assertEquals("a%2Cb,h2", TlsHandshake.alpn(List.of("a,b", "h2")));
        assertEquals("x%00y%25%20%FF", TlsHandshake.escape("x\0y% \u00ff"));
        assertNull(TlsHandshake.alpn(List.of()));
        assertEquals("0x0a0a,TLS 1.3", TlsHandshake.versions(List.of(0x0a0a, 0x0304)));
    }

    /** A HelloRetryRequest record (RFC 8446 §4.1.3: a ServerHello with the special random). */
    static byte[] helloRetryRequest() {
        int[] random = {0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
            0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c};
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(new byte[] {3, 3});
        for (int b : random) {
            body.write(b);
        }
        body.write(0); // empty legacy_session_id_echo
        body.writeBytes(new byte[] {0x13, 0x01, 0}); // TLS_AES_128_GCM_SHA256, no compression
        byte[] ext = {0x00, 0x2b, 0, 2, 3, 4, 0x00, 0x33, 0, 2, 0, 0x17}; // supported_versions 1.3, key_share secp256r1
        body.writeBytes(new byte[] {0, (byte) ext.length});
        body.writeBytes(ext);
        byte[] b = body.toByteArray();
        ByteArrayOutputStream rec = new ByteArrayOutputStream();
        rec.writeBytes(new byte[] {0x16, 3, 3, 0, (byte) (b.length + 4), 2, 0, 0, (byte) b.length});
        rec.writeBytes(b);
        return rec.toByteArray();
    }

    static io.gatelens.collector.tls.HandshakeMessage reassemble(byte[] record) {
        HandshakeReassembler r = new HandshakeReassembler();
        r.feed(record, 0, record.length);
        return r.first().orElseThrow();
    }
}
