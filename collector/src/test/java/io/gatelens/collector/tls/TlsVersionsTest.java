package io.gatelens.collector.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TlsVersionsTest {

    @Test
    void namesTheFiveVersionsAndPrintsAnythingElseInHex() {
        assertEquals("TLS 1.3", TlsVersions.name(0x0304));
        assertEquals("TLS 1.2", TlsVersions.name(0x0303));
        assertEquals("TLS 1.1", TlsVersions.name(0x0302));
        assertEquals("TLS 1.0", TlsVersions.name(0x0301));
        assertEquals("SSL 3.0", TlsVersions.name(0x0300));
        assertEquals("0x7f1c", TlsVersions.name(0x7f1c)); // TLS 1.3 draft 28
        assertEquals("0x0a0a", TlsVersions.name(0x0a0a));
        assertEquals("0xfefd", TlsVersions.name(0xfefd));
    }

    @Test
    void legacyIsTls11AndBelow() {
        for (int version : new int[] {0x0302, 0x0301, 0x0300, 0x0002}) {
            assertTrue(TlsVersions.isLegacy(version), TlsVersions.name(version));
        }
        for (int version : new int[] {0x0303, 0x0304, 0x7f1c, 0x0a0a, 0xfefd, -1}) {
            assertFalse(TlsVersions.isLegacy(version), TlsVersions.name(version));
        }
    }

    @Test
    void greaseIsExactlyTheSixteenValuesOfRfc8701() {
        List<Integer> grease = new ArrayList<>();
        for (int value = 0; value <= 0xffff; value++) {
            if (TlsVersions.isGrease(value)) {
                grease.add(value);
            }
        }
        assertEquals(List.of(0x0a0a, 0x1a1a, 0x2a2a, 0x3a3a, 0x4a4a, 0x5a5a, 0x6a6a, 0x7a7a, 0x8a8a, 0x9a9a, 0xaaaa,
                0xbaba, 0xcaca, 0xdada, 0xeaea, 0xfafa), grease);
        assertFalse(TlsVersions.isGrease(0x10a0a), "three bytes");
        assertFalse(TlsVersions.isGrease(-0xf5f6), "negative");
    }
}
