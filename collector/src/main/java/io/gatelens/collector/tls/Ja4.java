package io.gatelens.collector.tls;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;

/**
 * The JA4 client fingerprint of a ClientHello over TCP, as FoxIO specifies it
 * (FoxIO-LLC/ja4, technical_details/JA4.md), e.g. {@code t13d1516h2_8daaf6152771_e5627efa2ab1}:
 *
 * <ul>
 *   <li>a: 't'; the highest supported_versions value, else the hello's version ("13" … "10", "s3",
 *       "s2", "d1".."d3", "00" for anything else); 'd' when a server_name extension is present,
 *       else 'i'; two-digit counts of cipher suites and of extensions (capped at 99); the first
 *       and last characters of the first ALPN protocol ("00" without one).
 *   <li>b: the first 12 hex digits of SHA-256 over the cipher suites as 4-digit lower-case hex,
 *       sorted, comma-joined.
 *   <li>c: the same over the extension types, sorted, without server_name (0000) and ALPN (0010),
 *       then '_' and the signature algorithms in wire order; without signature algorithms the
 *       string ends without the underscore.
 * </ul>
 *
 * GREASE values (RFC 8701) are dropped everywhere, signature algorithms included, as the
 * specification says ("ignore GREASE values anywhere it sees them"). An empty list in b, or an
 * empty extension list in c, gives {@code 000000000000} rather than the hash of nothing.
 *
 * <p>One case the specification leaves open: a supported_versions extension that holds only
 * GREASE (or nothing). Then the hello's version is used, as if the extension were absent.
 */
public final class Ja4 {
    private static final String EMPTY_HASH = "000000000000";
    private static final char[] HEX_DIGITS = "0123456789abcdef".toCharArray();

    private Ja4() {}

    /** The JA4 fingerprint (hashed). */
    public static String fingerprint(ClientHello ch) {
        return prefix(ch) + "_" + hash12(sortedCiphers(ch)) + "_" + hash12(extensionsAndSignatures(ch));
    }

    /** ja4_r: the fingerprint with the lists that b and c hash written out instead. */
    public static String raw(ClientHello ch) {
        return prefix(ch) + "_" + sortedCiphers(ch) + "_" + extensionsAndSignatures(ch);
    }

    private static String prefix(ClientHello ch) {
        List<Integer> extensions = withoutGrease(ch.extensionTypes());
        return "t"
                + versionCode(ch)
                + (extensions.contains(ClientHello.EXT_SERVER_NAME) ? 'd' : 'i')
                + twoDigits(withoutGrease(ch.cipherSuites()).size())
                + twoDigits(extensions.size())
                + alpnCode(ch.alpn());
    }

    private static String versionCode(ClientHello ch) {
        int version = ch.legacyVersion();
        List<Integer> offered = withoutGrease(ch.supportedVersions());
        if (!offered.isEmpty()) {
            version = offered.stream().mapToInt(Integer::intValue).max().getAsInt();
        }
        switch (version) {
            case 0x0304: return "13";
            case 0x0303: return "12";
            case 0x0302: return "11";
            case 0x0301: return "10";
            case 0x0300: return "s3";
            case 0x0002: return "s2";
            case 0xfeff: return "d1";
            case 0xfefd: return "d2";
            case 0xfefc: return "d3";
            default: return "00";
        }
    }

    private static String twoDigits(int count) {
        int capped = Math.min(count, 99);
        return capped < 10 ? "0" + capped : Integer.toString(capped);
    }

    /**
     * First and last character of the first ALPN protocol; the only character twice when it has
     * one; when either end byte is not an ASCII letter or digit, the first and last digit of the
     * whole protocol in hex instead (the spec: 0x30 0xAB gives "3b").
     */
    private static String alpnCode(List<String> alpn) {
        if (alpn.isEmpty() || alpn.get(0).isEmpty()) {
            return "00";
        }
        byte[] protocol = alpn.get(0).getBytes(StandardCharsets.ISO_8859_1);
        int first = protocol[0] & 0xff;
        int last = protocol[protocol.length - 1] & 0xff;
        if (isAsciiAlphanumeric(first) && isAsciiAlphanumeric(last)) {
            return "" + (char) first + (char) last;
        }
        return "" + HEX_DIGITS[first >>> 4] + HEX_DIGITS[last & 0xf];
    }

    private static boolean isAsciiAlphanumeric(int b) {
        return (b >= '0' && b <= '9') || (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z');
    }

    private static String sortedCiphers(ClientHello ch) {
        List<Integer> ciphers = withoutGrease(ch.cipherSuites());
        ciphers.sort(null);
        return hexList(ciphers);
    }

    private static String extensionsAndSignatures(ClientHello ch) {
        List<Integer> extensions = withoutGrease(ch.extensionTypes());
        extensions.removeIf(t -> t == ClientHello.EXT_SERVER_NAME || t == ClientHello.EXT_ALPN);
        extensions.sort(null);
        List<Integer> signatures = withoutGrease(ch.signatureAlgorithms());
        if (extensions.isEmpty()) {
            return ""; // hashes to EMPTY_HASH; signature algorithms come with extension 000d, so there are none
        }
        return signatures.isEmpty() ? hexList(extensions) : hexList(extensions) + "_" + hexList(signatures);
    }

    private static List<Integer> withoutGrease(List<Integer> values) {
        List<Integer> kept = new ArrayList<>(values.size());
        for (int value : values) {
            if (!TlsVersions.isGrease(value)) {
                kept.add(value);
            }
        }
        return kept;
    }

    private static String hexList(List<Integer> values) {
        StringBuilder joined = new StringBuilder(values.size() * 5);
        for (int value : values) {
            if (joined.length() > 0) {
                joined.append(',');
            }
            for (int shift = 12; shift >= 0; shift -= 4) {
                joined.append(HEX_DIGITS[value >>> shift & 0xf]);
            }
        }
        return joined.toString();
    }

    private static String hash12(String joined) {
        if (joined.isEmpty()) {
            return EMPTY_HASH;
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(joined.getBytes(StandardCharsets.US_ASCII));
            StringBuilder hex = new StringBuilder(12);
            for (int i = 0; i < 6; i++) {
                hex.append(HEX_DIGITS[digest[i] >>> 4 & 0xf]).append(HEX_DIGITS[digest[i] & 0xf]);
            }
            return hex.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform must provide SHA-256", e);
        }
    }
}
