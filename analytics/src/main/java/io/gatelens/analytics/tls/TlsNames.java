package io.gatelens.analytics.tls;

import io.gatelens.collector.tls.TlsVersions;
import java.util.Map;

/**
 * Names of the 16-bit values TLS carries in the clear: protocol versions and cipher suites; which
 * versions are legacy and which values are GREASE. Statistics keep the numbers (so a name added here
 * later does not split a figure in two); the API names them with this class.
 */
public final class TlsNames {
    public static final int SSL_3_0 = 0x0300;
    public static final int TLS_1_0 = 0x0301;
    public static final int TLS_1_1 = 0x0302;
    public static final int TLS_1_2 = 0x0303;
    public static final int TLS_1_3 = 0x0304;

    private TlsNames() {
    }

    /** "TLS 1.3" … "SSL 3.0", "SSL 2.0"; any other value as "0x%04x" (drafts, DTLS, garbage). */
    public static String version(int version) {
        return switch (version) {
            case TLS_1_3 -> "TLS 1.3";
            case TLS_1_2 -> "TLS 1.2";
            case TLS_1_1 -> "TLS 1.1";
            case TLS_1_0 -> "TLS 1.0";
            case SSL_3_0 -> "SSL 3.0";
            case 0x0002 -> "SSL 2.0";
            default -> hex(version);
        };
    }

    /**
     * TLS 1.1 and below (TLS 1.0, SSL 3.0, SSL 2.0): the versions RFC 8996 deprecates. Drafts of
     * TLS 1.3 (0x7fxx), DTLS (0xfexx) and GREASE are not legacy by this test. The collector's
     * definition ({@link TlsVersions#isLegacy}), without its 0 (no version).
     */
    public static boolean isLegacy(int version) {
        return version > 0 && TlsVersions.isLegacy(version);
    }

    /** The sixteen reserved values of RFC 8701 (0x0a0a, 0x1a1a, … 0xfafa), as the collector's {@link TlsVersions#isGrease}. */
    public static boolean isGrease(int value) {
        return TlsVersions.isGrease(value);
    }

    /**
     * The number of a version as the collector writes it ({@link TlsVersions#name}: "TLS 1.3" …
     * "SSL 3.0", anything else "0x%04x"); -1 for text that is neither.
     */
    public static int parseVersion(String name) {
        return switch (name) {
            case "TLS 1.3" -> TLS_1_3;
            case "TLS 1.2" -> TLS_1_2;
            case "TLS 1.1" -> TLS_1_1;
            case "TLS 1.0" -> TLS_1_0;
            case "SSL 3.0" -> SSL_3_0;
            default -> parseHex16(name);
        };
    }

    /** "0x1301" → 0x1301; -1 for anything but 0x and one to four hex digits. */
    public static int parseHex16(String text) {
        if (text.length() < 3 || text.length() > 6 || !text.startsWith("0x")) {
            return -1;
        }
        int v = 0;
        for (int i = 2; i < text.length(); i++) {
            int d = Character.digit(text.charAt(i), 16);
            if (d < 0) {
                return -1;
            }
            v = v << 4 | d;
        }
        return v;
    }

    /** The IANA name of a cipher suite the web commonly negotiates; others as "0x%04x". */
    public static String cipher(int suite) {
        String name = CIPHERS.get(suite);
        return name != null ? name : hex(suite);
    }

    private static String hex(int value) {
        return String.format("0x%04x", value & 0xffff);
    }

    // https://www.iana.org/assignments/tls-parameters/tls-parameters.xhtml#tls-parameters-4 (the suites
    // servers select in practice; the rest are named by number)
    private static final Map<Integer, String> CIPHERS = Map.ofEntries(
        Map.entry(0x1301, "TLS_AES_128_GCM_SHA256"),
        Map.entry(0x1302, "TLS_AES_256_GCM_SHA384"),
        Map.entry(0x1303, "TLS_CHACHA20_POLY1305_SHA256"),
        Map.entry(0x1304, "TLS_AES_128_CCM_SHA256"),
        Map.entry(0x1305, "TLS_AES_128_CCM_8_SHA256"),
        Map.entry(0xc02b, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"),
        Map.entry(0xc02c, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"),
        Map.entry(0xc02f, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"),
        Map.entry(0xc030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"),
        Map.entry(0xcca8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"),
        Map.entry(0xcca9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"),
        Map.entry(0xccaa, "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256"),
        Map.entry(0xc023, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256"),
        Map.entry(0xc024, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384"),
        Map.entry(0xc027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256"),
        Map.entry(0xc028, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384"),
        Map.entry(0xc009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA"),
        Map.entry(0xc00a, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA"),
        Map.entry(0xc013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"),
        Map.entry(0xc014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA"),
        Map.entry(0x009e, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256"),
        Map.entry(0x009f, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384"),
        Map.entry(0x0033, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA"),
        Map.entry(0x0039, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA"),
        Map.entry(0x009c, "TLS_RSA_WITH_AES_128_GCM_SHA256"),
        Map.entry(0x009d, "TLS_RSA_WITH_AES_256_GCM_SHA384"),
        Map.entry(0x003c, "TLS_RSA_WITH_AES_128_CBC_SHA256"),
        Map.entry(0x003d, "TLS_RSA_WITH_AES_256_CBC_SHA256"),
        Map.entry(0x002f, "TLS_RSA_WITH_AES_128_CBC_SHA"),
        Map.entry(0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA"),
        Map.entry(0x000a, "TLS_RSA_WITH_3DES_EDE_CBC_SHA"),
        Map.entry(0x0005, "TLS_RSA_WITH_RC4_128_SHA"),
        Map.entry(0x0004, "TLS_RSA_WITH_RC4_128_MD5"));
}
