package io.gatelens.analytics.tls;

import static io.gatelens.analytics.tls.TlsNames.TLS_1_0;
import static io.gatelens.analytics.tls.TlsNames.TLS_1_1;
import static io.gatelens.analytics.tls.TlsNames.TLS_1_2;
import static io.gatelens.analytics.tls.TlsNames.TLS_1_3;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TlsCountsTest {
    @Test
    void eachHandshakeCountsInItsMixes() {
        TlsCounts c = TlsCounts.counting();
        // a TLS 1.3 client with GREASE in its versions, answered with TLS 1.3 (ALPN encrypted)
        c.record(Handshakes.at(0).build());
        // a TLS 1.2-only client without supported_versions: legacy_version is its highest
        c.record(Handshakes.at(0).offered().clientVersion(TLS_1_2).alpn("http/1.1")
            .negotiated(TLS_1_2, 0xc02f, "http/1.1").handshakeNs(3_000_000).build());
        // an old client offering TLS 1.0 and 1.1 explicitly, answered with TLS 1.0 and no ALPN
        c.record(Handshakes.at(0).offered(TLS_1_1, TLS_1_0, TLS_1_1).alpn().negotiated(TLS_1_0, 0x002f, null)
            .handshakeNs(2_000_000).build());
        // no answer
        c.record(Handshakes.at(0).noServerHello().build());
        // a hello that did not parse
        c.record(Handshakes.at(0).unparseable().offered().clientVersion(0).alpn().noServerHello().build());

        assertEquals(5, c.handshakes());
        assertEquals(Map.of(TLS_1_3, 2L, TLS_1_2, 1L, TLS_1_1, 1L), c.offeredMax().asMap());
        assertEquals(Map.of(TLS_1_3, 2L, TLS_1_2, 3L, TLS_1_1, 1L, TLS_1_0, 1L), c.offered().asMap(),
            "GREASE excluded, a version offered twice counts once");
        assertEquals(Map.of(TLS_1_3, 1L, TLS_1_2, 1L, TLS_1_0, 1L), c.negotiated().asMap());
        assertEquals(Map.of(0x1301, 1L, 0xc02f, 1L, 0x002f, 1L), c.ciphers().asMap());
        assertEquals(Map.of("h2", 2L, "http/1.1", 3L), c.alpnOffered().asMap());
        assertEquals(Map.of("http/1.1", 1L), c.alpnSelected().asMap());
        assertEquals(1, c.alpnEncrypted());
        assertEquals(1, c.alpnNotSelected());
        assertEquals(2, c.noServerHello());
        assertEquals(1, c.unparseable());
        assertEquals(Map.of("t13d1516h2_8daaf6152771_e5627efa2ab1", 4L), c.ja4().asMap());
        assertEquals(1, c.legacyNegotiated());
        assertEquals(3, c.handshakeTime().count());
        assertEquals(3_000_000, c.maxHandshakeNs());
        assertEquals(2_000_000, c.handshakeQuantileNs(0.5), 2_000_000 * 0.01);
    }

    @Test
    void theHighestOfferedRanksTlsAboveDraftsAndDtls() {
        assertEquals(TLS_1_3, Handshakes.at(0).offered(0x7f1c, TLS_1_3, 0xfafa).build().highestOffered());
        assertEquals(TLS_1_2, Handshakes.at(0).offered(0xfefd, TLS_1_2).build().highestOffered());
        assertEquals(0x7f17, Handshakes.at(0).offered(0x7f17, 0x1a1a).build().highestOffered(), "only a draft");
        assertEquals(TLS_1_0, Handshakes.at(0).offered(0x0a0a).clientVersion(TLS_1_0).build().highestOffered(),
            "only GREASE: the legacy version");
    }

    @Test
    void namesAndClasses() {
        assertEquals("TLS 1.3", TlsNames.version(TLS_1_3));
        assertEquals("SSL 3.0", TlsNames.version(0x0300));
        assertEquals("0x7f1c", TlsNames.version(0x7f1c));
        assertTrue(TlsNames.isLegacy(TLS_1_1));
        assertTrue(TlsNames.isLegacy(0x0300));
        assertFalse(TlsNames.isLegacy(TLS_1_2));
        assertFalse(TlsNames.isLegacy(0x0a0a));
        for (int i = 0; i < 16; i++) {
            assertTrue(TlsNames.isGrease(i << 12 | 0x0a00 | i << 4 | 0x0a), "GREASE " + i);
        }
        assertFalse(TlsNames.isGrease(0x0a1a));
        assertFalse(TlsNames.isGrease(TLS_1_3));
        assertEquals("TLS_AES_128_GCM_SHA256", TlsNames.cipher(0x1301));
        assertEquals("0xbeef", TlsNames.cipher(0xbeef));
    }

    @Test
    void ja4KeepsTheTopThirtyTwoPerRowAndFoldsTheRestIntoOther() {
        TlsCounts c = TlsCounts.counting();
        Map<String, Long> expectedTop = new LinkedHashMap<>();
        // 40 fingerprints, the i-th seen 100 - i times: the 32 most frequent are 0..31
        long total = 0;
        for (int i = 0; i < 40; i++) {
            for (int k = 0; k < 100 - i; k++) {
                c.record(Handshakes.at(0).ja4(String.format("t13d%02d", i)).build());
            }
            total += 100 - i;
            if (i < TlsCounts.KEEP_JA4) {
                expectedTop.put(String.format("t13d%02d", i), 100L - i);
            }
        }
        assertEquals(40, c.ja4().size(), "counted exactly while under the counting cap");
        c.trim();
        assertEquals(expectedTop, c.ja4().asMap());
        assertEquals(total - expectedTop.values().stream().mapToLong(Long::longValue).sum(), c.ja4().other());
        assertEquals(total, c.ja4().total(), "kept plus other is every fingerprinted handshake");
    }

    @Test
    void aFloodOfDistinctValuesStaysBounded() {
        TlsCounts c = TlsCounts.counting();
        for (int i = 0; i < 10_000; i++) {
            c.record(Handshakes.at(0).ja4("ja4-" + i).alpn("p" + i, "q" + i).negotiated(TLS_1_2, i, "p" + i)
                .offered(i & 0xffff).build());
        }
        assertEquals(TlsCounts.KEEP_JA4 * TlsCounts.COUNTING_FACTOR, c.ja4().size());
        assertEquals(TlsCounts.KEEP_ALPN * TlsCounts.COUNTING_FACTOR, c.alpnOffered().size());
        assertEquals(TlsCounts.KEEP_CIPHERS * TlsCounts.COUNTING_FACTOR, c.ciphers().size());
        assertEquals(10_000, c.ja4().total());
        assertEquals(20_000, c.alpnOffered().total());
        c.trim();
        assertEquals(TlsCounts.KEEP_JA4, c.ja4().size());
        assertEquals(TlsCounts.KEEP_ALPN, c.alpnOffered().size());
        assertEquals(TlsCounts.KEEP_ALPN, c.alpnSelected().size());
        assertEquals(TlsCounts.KEEP_CIPHERS, c.ciphers().size());
        assertEquals(TlsCounts.KEEP_VERSIONS, c.offered().size());
        assertEquals(10_000, c.ja4().total());
        assertEquals(10_000, c.ciphers().total());
    }

    @Test
    void longWireValuesAreCut() {
        TlsCounts c = TlsCounts.counting();
        c.record(Handshakes.at(0).alpn("x".repeat(1000)).ja4("j".repeat(1000)).build());
        assertEquals(List.of("x".repeat(TlsCounts.MAX_VALUE_CHARS)), List.copyOf(c.alpnOffered().asMap().keySet()));
        assertEquals(List.of("j".repeat(TlsCounts.MAX_VALUE_CHARS)), List.copyOf(c.ja4().asMap().keySet()));
    }

    @Test
    void mergeAddsEverythingAndCopyIsExact() {
        TlsCounts a = TlsCounts.counting();
        TlsCounts b = TlsCounts.counting();
        for (int i = 0; i < 10; i++) {
            a.record(Handshakes.at(0).handshakeNs((i + 1) * 1_000_000L).build());
            b.record(Handshakes.at(0).negotiated(TLS_1_2, 0xc030, "h2").handshakeNs((i + 11) * 1_000_000L).build());
        }
        TlsCounts m = TlsCounts.merging();
        m.merge(a);
        m.merge(b.copy());
        assertEquals(20, m.handshakes());
        assertEquals(Map.of(TLS_1_3, 10L, TLS_1_2, 10L), m.negotiated().asMap());
        assertEquals(20, m.handshakeTime().count());
        assertEquals(20_000_000, m.maxHandshakeNs());
        // DDSketch rank 0.95 * 19 = 18.05: the 19th smallest, 19 ms
        assertEquals(19_000_000, m.handshakeQuantileNs(0.95), 19_000_000 * 0.01);
    }
}
