package io.gatelens.analytics.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatelens.collector.handshake.TlsHandshake;
import io.gatelens.collector.record.HttpRecordLayout;
import io.gatelens.collector.record.RecordBytes;
import io.gatelens.collector.record.TransactionBatchCodec;
import io.gatelens.collector.record.TransactionBatcher;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;

class TlsBatchReaderTest {
    @Test
    void everyFieldTheStatisticsNeedIsRead() {
        byte[] payload = TlsBatches.payload(List.of(
            TlsBatches.row(1_000L, "10.0.0.1", 443, "API.example.com", "0x7a7a,TLS 1.3,TLS 1.2", "h2,http/1.1",
                "t13d1516h2_8daaf6152771_e5627efa2ab1", "TLS 1.3", "0x1301", null, 2_500_000L, 0),
            TlsBatches.row(2_000L, "2001:db8::1", 8443, null, null, "acme%2Ctls/1,%00x", null, "TLS 1.2", "0xc02f", "acme%2Ctls/1",
                null, TlsHandshake.FLAG_CLIENT_HELLO_UNPARSEABLE),
            TlsBatches.row(3_000L, "::ffff:0:0", 443, "old.example", null, null, "t10d0807h1_aaa_bbb", null, null, null, null,
                TlsHandshake.FLAG_NO_SERVER_HELLO | TlsHandshake.FLAG_TRUNCATED)));
        List<TlsHandshakeFacts> facts;
        try (RootAllocator allocator = new RootAllocator()) {
            facts = TlsBatchReader.read(payload, allocator);
        }
        assertEquals(3, facts.size());
        TlsHandshakeFacts a = facts.get(0);
        assertEquals(1_000L, a.tsNs());
        assertEquals("10.0.0.1", a.serverAddress());
        assertEquals(443, a.serverPort());
        assertEquals("API.example.com", a.sni(), "as sent; the front lower-cases it");
        assertEquals(List.of(0x7a7a, TlsNames.TLS_1_3, TlsNames.TLS_1_2), a.offeredVersions(), "GREASE kept, as sent");
        assertEquals(TlsNames.TLS_1_3, a.highestOffered());
        assertEquals(TlsNames.TLS_1_2, a.clientVersion());
        assertEquals(List.of("h2", "http/1.1"), a.alpnOffered());
        assertEquals("t13d1516h2_8daaf6152771_e5627efa2ab1", a.ja4());
        assertTrue(a.serverHelloSeen());
        assertEquals(TlsNames.TLS_1_3, a.negotiatedVersion());
        assertEquals(0x1301, a.cipherSuite());
        assertNull(a.alpnSelected());
        assertEquals(2_500_000L, a.handshakeNs());
        assertFalse(a.unparseable());

        TlsHandshakeFacts b = facts.get(1);
        assertEquals("2001:db8::1", b.serverAddress());
        assertEquals("[2001:db8::1]:8443", TlsFront.of(b).name());
        assertEquals(List.of(), b.offeredVersions());
        assertEquals(List.of("acme%2Ctls/1", "%00x"), b.alpnOffered(), "escaped names stay escaped; their ',' does not split");
        assertEquals("acme%2Ctls/1", b.alpnSelected());
        assertEquals(0xc02f, b.cipherSuite());
        assertEquals(-1, b.handshakeNs());
        assertTrue(b.unparseable());

        TlsHandshakeFacts c = facts.get(2);
        assertEquals("0.0.0.0", c.serverAddress(), "an IPv4-mapped address reads as IPv4");
        assertFalse(c.serverHelloSeen());
        assertEquals(0, c.negotiatedVersion());
        assertEquals(-1, c.cipherSuite());
        assertTrue(c.unparseable(), "truncated: not parsed");
    }

    @Test
    void versionTextTheCollectorWritesReadsBack() {
        assertEquals(List.of(TlsNames.TLS_1_3, TlsNames.TLS_1_0, TlsNames.SSL_3_0, 0x0002, 0x7f1c, 0xfafa),
            TlsBatchReader.versions("TLS 1.3,TLS 1.0,SSL 3.0,0x0002,0x7f1c,0xfafa"));
        assertEquals(List.of(TlsNames.TLS_1_2), TlsBatchReader.versions("TLS 9.9,TLS 1.2,0x,0x12345,0xzz,"), "unknown text left out");
        assertEquals(List.of(), TlsBatchReader.versions(null));
        assertEquals(-1, TlsNames.parseHex16("1301"));
        assertEquals(0xc02f, TlsNames.parseHex16("0xc02f"));
    }

    @Test
    void addressesInTheirUsualForms() {
        assertEquals("2001:db8::1", TlsBatchReader.address(TlsBatches.mapped("2001:0db8:0:0:0:0:0:1")));
        assertEquals("::1", TlsBatchReader.address(TlsBatches.mapped("::1")));
        assertEquals("::", TlsBatchReader.address(new byte[16]));
        assertEquals("2001:db8:0:1:1:1:1:1", TlsBatchReader.address(TlsBatches.mapped("2001:db8:0:1:1:1:1:1")), "one zero group stays");
        assertEquals("2001:0:0:1::1", TlsBatchReader.address(TlsBatches.mapped("2001:0:0:1:0:0:0:1")), "the longest run");
        assertEquals("fe80::1:0:0:1", TlsBatchReader.address(TlsBatches.mapped("fe80:0:0:0:1:0:0:1")), "the first of equal runs");
        assertEquals("127.0.0.1", TlsBatchReader.address(TlsBatches.mapped("127.0.0.1")));
    }

    @Test
    void aForeignOrCorruptPayloadIsRefusedWhole() {
        byte[][] transactions = new byte[1][];
        try (RootAllocator allocator = new RootAllocator();
             TransactionBatcher batcher = new TransactionBatcher(allocator, 10, 60_000, batch -> {
                 try (batch) {
                     transactions[0] = TransactionBatchCodec.encode(batch);
                 }
             })) {
            byte[] rec = RecordBytes.http().method("GET").path("/").status(200).startNs(1).build();
            batcher.append(RecordBytes.direct(new byte[][] {rec}), 0, HttpRecordLayout.SIZE, 0);
        }
        try (RootAllocator allocator = new RootAllocator()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TlsBatchReader.read(transactions[0], allocator));
            assertTrue(e.getMessage().contains("tls_handshake"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> TlsBatchReader.read(new byte[] {1, 2, 3}, allocator));
            byte[] good = TlsBatches.payload(List.of(TlsBatches.row(1, "10.0.0.1", 443, "a", null, null, null, null, null, null, null, 0)));
            // every prefix of a good payload is refused, never half read
            List<Integer> accepted = new ArrayList<>();
            for (int len = 0; len < good.length; len++) {
                try {
                    TlsBatchReader.read(java.util.Arrays.copyOf(good, len), allocator);
                    accepted.add(len);
                } catch (IllegalArgumentException expected) {
                    // refused
                }
            }
            assertTrue(accepted.stream().allMatch(len -> len >= good.length - 8), "only the end-of-stream marker may be missing: " + accepted);
        }
    }
}
