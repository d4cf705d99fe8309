package io.gatelens.collector.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class Ja4Test {
    /** The worked example of FoxIO's JA4.md ("Example" and "Raw Output"). */
    static final int[] FOXIO_CIPHERS = {0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013,
            0xc014, 0x009c, 0x009d, 0x002f, 0x0035};
    static final int[] FOXIO_EXTENSIONS = {0x001b, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017, 0x002d, 0x000d, 0x0005,
            0x0023, 0x0012, 0x002b, 0xff01, 0x000b, 0x000a, 0x0015};
    static final int[] FOXIO_SIGNATURE_ALGORITHMS = {0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601};
    static final String FOXIO_JA4 = "t13d1516h2_8daaf6152771_e5627efa2ab1";
    static final String FOXIO_JA4_R = "t13d1516h2_002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,"
            + "cca8,cca9_0005,000a,000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01_0403,0804,0401,0503,"
            + "0805,0501,0806,0601";

    @Test
    void theFoxioExampleBuiltAsBytesGivesTheSpecsRawAndHashedFingerprint() throws Exception {
        ClientHello hello = ClientHello.parse(foxioHello(false, FOXIO_SIGNATURE_ALGORITHMS).message());

        assertEquals(FOXIO_JA4_R, Ja4.raw(hello));
        assertEquals(FOXIO_JA4, Ja4.fingerprint(hello));
    }

    @Test
    void greaseInEveryListChangesNothing() throws Exception {
        ClientHello hello = ClientHello.parse(foxioHello(true, FOXIO_SIGNATURE_ALGORITHMS).message());

        assertEquals(FOXIO_JA4_R, Ja4.raw(hello));
        assertEquals(FOXIO_JA4, Ja4.fingerprint(hello));
    }

    @Test
    void withoutSignatureAlgorithmsPartCEndsWithoutAnUnderscore() throws Exception {
        ClientHello hello = ClientHello.parse(foxioHello(false).message());

        assertEquals("t13d1516h2_002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,cca9_"
                + "0005,000a,000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01", Ja4.raw(hello));
        assertEquals("t13d1516h2_8daaf6152771_6d807ffa2a79", Ja4.fingerprint(hello), "the spec's value for this list");
    }

    @Test
    void theFirstAlpnProtocolGivesItsFirstAndLastCharacterOrHexDigit() {
        // the spec's cases, then the single-character and empty ones
        assertEquals("h2", alpnPart("h2"));
        assertEquals("h1", alpnPart("http/1.1"));
        assertEquals("h2", alpnPart("h2", "http/1.1"));
        assertEquals("ab", alpnPart(bytes(0xab)));
        assertEquals("ad", alpnPart(bytes(0xab, 0xcd)));
        assertEquals("3b", alpnPart(bytes(0x30, 0xab)));
        assertEquals("3d", alpnPart(bytes(0x30, 0x31, 0xab, 0xcd)));
        assertEquals("01", alpnPart(bytes(0x30, 0xab, 0xcd, 0x31)));
        assertEquals("xx", alpnPart("x"));
        assertEquals("2f", alpnPart("/"));
        assertEquals("00", alpnPart("", "h2"));
        assertEquals("00", alpnPart());
    }

    @Test
    void theVersionIsTheHighestOfferedElseTheHellosOwn() {
        assertEquals("13", versionPart(0x0303, 0x0303, 0x0304));
        assertEquals("13", versionPart(0x0303, 0x3a3a, 0x0304, 0x0303));
        assertEquals("12", versionPart(0x0303));
        assertEquals("12", versionPart(0x0303, 0x7a7a));
        assertEquals("11", versionPart(0x0302));
        assertEquals("10", versionPart(0x0301));
        assertEquals("s3", versionPart(0x0300));
        assertEquals("s2", versionPart(0x0002));
        assertEquals("d1", versionPart(0xfeff));
        assertEquals("d2", versionPart(0xfefd));
        assertEquals("d3", versionPart(0xfefc));
        assertEquals("00", versionPart(0x7f1c));
        assertEquals("00", versionPart(0x0303, 0x7f1c), "a draft offered is the highest value: unknown");
    }

    @Test
    void theSniMarkFollowsTheServerNameExtensionNotTheName() {
        assertEquals("t12d010100", prefix(hello(List.of(0x1301), List.of(0x0000), null, List.of(), List.of())));
        assertEquals("t12i010100", prefix(hello(List.of(0x1301), List.of(0x0017), null, List.of(), List.of())));
    }

    @Test
    void countsStopAt99() {
        List<Integer> many = new ArrayList<>();
        for (int i = 1; i <= 120; i++) {
            many.add(i);
        }
        assertEquals("t12i999900", prefix(hello(many, many, null, List.of(), List.of())));
    }

    @Test
    void emptyListsGiveZerosInsteadOfTheHashOfNothing() {
        ClientHello empty = hello(List.of(), List.of(), null, List.of(), List.of());
        assertEquals("t12i000000__", Ja4.raw(empty));
        assertEquals("t12i000000_000000000000_000000000000", Ja4.fingerprint(empty));

        ClientHello onlySniAndAlpn = hello(List.of(0x1301), List.of(0x0000, 0x0010), "a.example", List.of("h2"), List.of());
        assertEquals("t12d0102h2_1301_", Ja4.raw(onlySniAndAlpn));
        assertEquals("000000000000", Ja4.fingerprint(onlySniAndAlpn).split("_")[2]);
    }

    static Stream<JdkTls.ClientConfig> configurations() {
        return JdkTls.configurations().stream();
    }

    /** The JDK's own hellos: both implementations agree, and part a says what the client was set to send. */
    @ParameterizedTest
    @MethodSource("configurations")
    void jdkHellosAgreeWithJa4FromFields(JdkTls.ClientConfig config) throws Exception {
        ClientHello hello = ClientHello.parse(ClientHelloTest.firstMessage(JdkTls.clientHello(config)));

        assertEquals(Ja4FromFields.raw(asTsharkRow(hello)), Ja4.raw(hello));
        assertEquals(Ja4FromFields.fingerprint(asTsharkRow(hello)), Ja4.fingerprint(hello));
        boolean tls13 = config.protocols().contains(JdkTls.TLS_1_3);
        String expectedPrefix = (tls13 ? "t13" : "t12") + (config.sni() != null ? "d" : "i") + (tls13 ? "07" : "04")
                + String.format("%02d", hello.extensionTypes().size()) + (config.alpn().isEmpty() ? "00" : "h2");
        assertEquals(expectedPrefix, prefix(hello));
    }

    /** The FoxIO example hello, with GREASE sprinkled into every list when asked. */
    static HelloBytes.ClientHelloBuilder foxioHello(boolean grease, int... signatureAlgorithms) {
        HelloBytes.ClientHelloBuilder builder = HelloBytes.clientHello();
        if (grease) {
            builder.cipherSuites(0x0a0a).emptyExtensions(0x1a1a);
        }
        builder.cipherSuites(FOXIO_CIPHERS);
        for (int type : FOXIO_EXTENSIONS) {
            switch (type) {
                case 0x0000 -> builder.sni("example.com");
                case 0x0010 -> builder.alpn("h2", "http/1.1");
                case 0x002b -> builder.supportedVersions(grease ? new int[] {0xeaea, 0x0304, 0x0303} : new int[] {0x0304, 0x0303});
                case 0x000d -> builder.signatureAlgorithms(grease ? withGrease(signatureAlgorithms) : signatureAlgorithms);
                default -> builder.emptyExtensions(type);
            }
        }
        if (grease) {
            builder.emptyExtensions(0xfafa);
        }
        return builder;
    }

    private static int[] withGrease(int[] values) {
        int[] withGrease = new int[values.length + 1];
        withGrease[0] = 0x9a9a;
        System.arraycopy(values, 0, withGrease, 1, values.length);
        return withGrease;
    }

    /** A ClientHello's fields written the way tshark writes them into clienthello.tsv. */
    static Ja4FromFields.Row asTsharkRow(ClientHello hello) {
        return new Ja4FromFields.Row("1", "0", String.format("0x%04x", hello.recordVersion()),
                String.format("0x%04x", hello.legacyVersion()), hexColumn(hello.supportedVersions()),
                hello.sni() == null ? "" : hello.sni(), String.join(",", hello.alpn()), hexColumn(hello.cipherSuites()),
                hello.extensionTypes().stream().map(String::valueOf).collect(Collectors.joining(",")),
                hexColumn(hello.signatureAlgorithms()));
    }

    private static String hexColumn(List<Integer> values) {
        return values.stream().map(v -> String.format("0x%04x", v)).collect(Collectors.joining(","));
    }

    private static ClientHello hello(List<Integer> ciphers, List<Integer> extensions, String sni, List<String> alpn,
                                     List<Integer> supportedVersions) {
        return new ClientHello(0x0301, 0x0303, ciphers, extensions, sni, alpn, supportedVersions, List.of());
    }

    private static String alpnPart(String... protocols) {
        ClientHello hello = hello(List.of(0x1301), List.of(0x0010), null, List.of(protocols), List.of());
        return prefix(hello).substring(8, 10);
    }

    private static String versionPart(int legacyVersion, int... supportedVersions) {
        List<Integer> offered = new ArrayList<>();
        for (int version : supportedVersions) {
            offered.add(version);
        }
        ClientHello hello = new ClientHello(0x0301, legacyVersion, List.of(0x1301), List.of(0x002b), null, List.of(),
                offered, List.of());
        return prefix(hello).substring(1, 3);
    }

    private static String prefix(ClientHello hello) {
        return Ja4.fingerprint(hello).split("_")[0];
    }

    private static String bytes(int... values) {
        byte[] bytes = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            bytes[i] = (byte) values[i];
        }
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }
}
