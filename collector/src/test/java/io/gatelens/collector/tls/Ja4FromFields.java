package io.gatelens.collector.tls;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * JA4 computed straight from the text columns of the corpus truth files
 * ({@code truth/NAME.clienthello.tsv}: tshark's fields of each ClientHello), as a second
 * implementation to check {@link Ja4} against. It shares no code with Ja4 and works on the
 * strings tshark wrote rather than on parsed values; it follows FoxIO's JA4.md step by step,
 * including its two corner rules (the hex fallback for a non-alphanumeric ALPN end byte, and no
 * underscore without signature algorithms). Both were written by the same hand, so the FoxIO
 * example in the tests is what anchors them to the specification.
 *
 * <p>Columns: frame, tcp_stream, record_version, handshake_version, supported_versions, sni,
 * alpn, cipher_suites (hex), extension_types (decimal), signature_algorithms (hex); lists
 * comma-joined, GREASE kept as sent. An ALPN protocol name is taken as tshark prints it, so
 * non-printable bytes (none in the corpus) would not come through as sent.
 */
public final class Ja4FromFields {
    private static final List<String> COLUMNS = List.of("frame", "tcp_stream", "record_version",
            "handshake_version", "supported_versions", "sni", "alpn", "cipher_suites", "extension_types",
            "signature_algorithms");
    private static final Map<String, String> VERSION_CODES = Map.of(
            "0304", "13", "0303", "12", "0302", "11", "0301", "10", "0300", "s3", "0002", "s2",
            "feff", "d1", "fefd", "d2", "fefc", "d3");
    private static final Pattern ALPHANUMERIC = Pattern.compile("[0-9A-Za-z]");
    private static final String NO_VALUES = "000000000000";

    private Ja4FromFields() {}

    /** One row of a clienthello.tsv file, each value as tshark wrote it ("" when tshark wrote nothing). */
    public record Row(String frame, String tcpStream, String recordVersion, String handshakeVersion,
                      String supportedVersions, String sni, String alpn, String cipherSuites,
                      String extensionTypes, String signatureAlgorithms) {}

    /** The rows of a clienthello.tsv file, after its "# derived by" line and its header. */
    public static List<Row> read(Path tsv) throws IOException {
        List<String> lines = Files.readAllLines(tsv, StandardCharsets.UTF_8);
        if (lines.size() < 2 || !lines.get(0).startsWith("#")
                || !Arrays.asList(lines.get(1).split("\t", -1)).equals(COLUMNS)) {
            throw new IOException(tsv + " does not start with a '#' line and the header " + String.join("\t", COLUMNS));
        }
        List<Row> rows = new ArrayList<>();
        for (String line : lines.subList(2, lines.size())) {
            if (line.isEmpty()) {
                continue;
            }
            String[] v = line.split("\t", -1);
            if (v.length != COLUMNS.size()) {
                throw new IOException(tsv + ": a row with " + v.length + " columns instead of " + COLUMNS.size() + ": " + line);
            }
            rows.add(new Row(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9]));
        }
        return rows;
    }

    /** The JA4 fingerprint, e.g. t13d1516h2_8daaf6152771_e5627efa2ab1. */
    public static String fingerprint(Row row) {
        Parts parts = parts(row);
        return parts.a + "_" + truncatedSha256(parts.b) + "_" + truncatedSha256(parts.c);
    }

    /** ja4_r: part a, then the strings that parts b and c hash. */
    public static String raw(Row row) {
        Parts parts = parts(row);
        return parts.a + "_" + parts.b + "_" + parts.c;
    }

    private record Parts(String a, String b, String c) {}

    private static Parts parts(Row row) {
        List<String> ciphers = dropGrease(hexValues(row.cipherSuites(), "cipher_suites"));
        List<String> extensions = new ArrayList<>();
        for (String type : split(row.extensionTypes())) {
            extensions.add(fourHex(Integer.parseInt(type), "extension_types"));
        }
        extensions = dropGrease(extensions);
        List<String> signatures = dropGrease(hexValues(row.signatureAlgorithms(), "signature_algorithms"));

        String a = "t" + version(row) + (extensions.contains("0000") ? "d" : "i")
                + count(ciphers) + count(extensions) + alpnFirstAndLast(row.alpn());

        List<String> sortedCiphers = new ArrayList<>(ciphers);
        sortedCiphers.sort(null); // equal-length lower-case hex: text order is numeric order
        List<String> sortedExtensions = new ArrayList<>(extensions);
        sortedExtensions.removeAll(List.of("0000", "0010"));
        sortedExtensions.sort(null);
        String c = String.join(",", sortedExtensions);
        if (!c.isEmpty() && !signatures.isEmpty()) {
            c += "_" + String.join(",", signatures);
        }
        return new Parts(a, String.join(",", sortedCiphers), c);
    }

    private static String version(Row row) {
        List<String> offered = dropGrease(hexValues(row.supportedVersions(), "supported_versions"));
        String version = offered.isEmpty()
                ? hexValues(row.handshakeVersion(), "handshake_version").get(0)
                : offered.stream().max(String::compareTo).get();
        return VERSION_CODES.getOrDefault(version, "00");
    }

    private static String count(List<String> values) {
        int n = Math.min(values.size(), 99);
        return (n < 10 ? "0" : "") + n;
    }

    private static String alpnFirstAndLast(String alpnColumn) {
        List<String> protocols = split(alpnColumn);
        if (protocols.isEmpty() || protocols.get(0).isEmpty()) {
            return "00";
        }
        String first = protocols.get(0);
        String head = first.substring(0, 1);
        String tail = first.substring(first.length() - 1);
        if (ALPHANUMERIC.matcher(head).matches() && ALPHANUMERIC.matcher(tail).matches()) {
            return head + tail;
        }
        String hex = HexFormat.of().formatHex(first.getBytes(StandardCharsets.ISO_8859_1));
        return hex.substring(0, 1) + hex.substring(hex.length() - 1);
    }

    private static String truncatedSha256(String text) {
        if (text.isEmpty()) {
            return NO_VALUES;
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** "0x1301,0xc02b" to ["1301", "c02b"]. */
    private static List<String> hexValues(String column, String name) {
        List<String> values = new ArrayList<>();
        for (String value : split(column)) {
            if (!value.matches("0x[0-9a-fA-F]{4}")) {
                throw new IllegalArgumentException(name + " value '" + value + "' is not 0x and four hex digits");
            }
            values.add(value.substring(2).toLowerCase());
        }
        return values;
    }

    private static String fourHex(int value, String name) {
        if (value < 0 || value > 0xffff) {
            throw new IllegalArgumentException(name + " value " + value + " is not 16 bits");
        }
        String hex = Integer.toHexString(value);
        return "0000".substring(hex.length()) + hex;
    }

    /** RFC 8701 GREASE: 0x?a?a with both bytes equal. */
    private static List<String> dropGrease(List<String> hexValues) {
        List<String> kept = new ArrayList<>();
        for (String v : hexValues) {
            boolean grease = v.charAt(1) == 'a' && v.charAt(3) == 'a' && v.charAt(0) == v.charAt(2);
            if (!grease) {
                kept.add(v);
            }
        }
        return kept;
    }

    private static List<String> split(String column) {
        return column.isEmpty() ? List.of() : Arrays.asList(column.split(",", -1));
    }
}
