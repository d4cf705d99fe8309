package io.gatelens.collector.tls;

/** Names and classes of the 16-bit protocol version numbers that TLS carries. */
public final class TlsVersions {
    public static final int SSL_3_0 = 0x0300;
    public static final int TLS_1_0 = 0x0301;
    public static final int TLS_1_1 = 0x0302;
    public static final int TLS_1_2 = 0x0303;
    public static final int TLS_1_3 = 0x0304;

    private TlsVersions() {}

    /** "TLS 1.3" … "SSL 3.0"; any other value as "0x%04x" (GREASE and drafts included). */
    public static String name(int version) {
        switch (version) {
            case TLS_1_3: return "TLS 1.3";
            case TLS_1_2: return "TLS 1.2";
            case TLS_1_1: return "TLS 1.1";
            case TLS_1_0: return "TLS 1.0";
            case SSL_3_0: return "SSL 3.0";
            default: return String.format("0x%04x", version);
        }
    }

    /**
     * True for TLS 1.1 and below (TLS 1.0, SSL 3.0, SSL 2.0's 0x0002): versions that RFC 8996
     * deprecates. GREASE, TLS 1.3 drafts (0x7fxx) and DTLS (0xfexx) are not legacy by this test.
     */
    public static boolean isLegacy(int version) {
        return version >= 0 && version <= TLS_1_1;
    }

    /**
     * The sixteen reserved values of RFC 8701 (0x0a0a, 0x1a1a, … 0xfafa) that clients sprinkle
     * into cipher suites, extensions, versions, groups and signature schemes to keep servers
     * tolerant of unknown values. Both bytes are equal and their low nibble is 0xa.
     */
    public static boolean isGrease(int value) {
        return (value & 0xffff0f0f) == 0x0a0a && (value >> 8) == (value & 0xff);
    }
}
