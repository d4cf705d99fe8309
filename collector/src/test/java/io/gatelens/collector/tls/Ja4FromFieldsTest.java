package io.gatelens.collector.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatelens.collector.testing.KernelAndCorpus;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class Ja4FromFieldsTest {
    /** JA4 over TCP as JA4.md defines part a, then two 12-digit hashes. */
    private static final Pattern TCP_JA4 =
            Pattern.compile("t(13|12|11|10|s3|s2|d1|d2|d3|00)[di]\\d{4}[0-9A-Za-z]{2}_[0-9a-f]{12}_[0-9a-f]{12}");
    /** The truth files and their ClientHello counts, as corpus/SOURCES.md gives them. */
    private static final Map<String, Integer> CLIENT_HELLO_FILES = Map.of("no_sni.pcap.clienthello.tsv", 7,
            "teams.pcap.clienthello.tsv", 38, "tls-subjectaltname.pcap.clienthello.tsv", 40,
            "tls2.pcap.clienthello.tsv", 323, "waze.pcap.clienthello.tsv", 13);

    @Test
    void theFoxioExampleAsTsharkColumnsGivesTheSpecsRawAndHashedFingerprint() {
        Ja4FromFields.Row row = new Ja4FromFields.Row("1", "0", "0x0301", "0x0303", "0x0304,0x0303", "example.com",
                "h2,http/1.1", hexColumn(Ja4Test.FOXIO_CIPHERS),
                Arrays.stream(Ja4Test.FOXIO_EXTENSIONS).mapToObj(String::valueOf).collect(Collectors.joining(",")),
                hexColumn(Ja4Test.FOXIO_SIGNATURE_ALGORITHMS));

        assertEquals(Ja4Test.FOXIO_JA4_R, Ja4FromFields.raw(row));
        assertEquals(Ja4Test.FOXIO_JA4, Ja4FromFields.fingerprint(row));
    }

    @Test
    void greaseColumnsAndEmptyColumnsFollowTheSpec() {
        Ja4FromFields.Row greased = new Ja4FromFields.Row("1", "0", "0x0301", "0x0303", "0x2a2a,0x0304", "",
                "h2", "0x0a0a,0x1301", "2570,13", "0xbaba,0x0403");
        assertEquals("t13i0101h2_1301_000d_0403", Ja4FromFields.raw(greased));

        Ja4FromFields.Row bare = new Ja4FromFields.Row("1", "0", "0x0301", "0x0301", "", "", "", "", "", "");
        assertEquals("t10i000000_000000000000_000000000000", Ja4FromFields.fingerprint(bare));
    }

    @Test
    void everyCorpusClientHelloGivesAWellFormedFingerprint() throws Exception {
        Path truth = KernelAndCorpus.corpus().resolve("truth");
        for (String file : CLIENT_HELLO_FILES.keySet()) {
            List<Ja4FromFields.Row> hellos = Ja4FromFields.read(truth.resolve(file));
            assertEquals(CLIENT_HELLO_FILES.get(file), hellos.size(), file);
            for (Ja4FromFields.Row row : hellos) {
                String ja4 = Ja4FromFields.fingerprint(row);
                assertTrue(TCP_JA4.matcher(ja4).matches(), file + " frame " + row.frame() + ": " + ja4);
                assertEquals(row.sni().isEmpty() ? 'i' : 'd', ja4.charAt(3), file + " frame " + row.frame());
            }
        }
    }

    /**
     * The corpus's hellos rebuilt as bytes from tshark's fields, parsed by ClientHello and
     * fingerprinted by Ja4, agree with Ja4FromFields over the same fields: two implementations,
     * real-world lists (GREASE, many ALPN protocols, TLS 1.0 without extensions data).
     */
    @Test
    void ja4OverCorpusHellosRebuiltAsBytesAgreesWithJa4FromFields() throws Exception {
        Path truth = KernelAndCorpus.corpus().resolve("truth");
        for (String file : CLIENT_HELLO_FILES.keySet()) {
            for (Ja4FromFields.Row row : Ja4FromFields.read(truth.resolve(file))) {
                ClientHello hello = ClientHello.parse(rebuild(row).message());
                String where = file + " frame " + row.frame();
                assertEquals(Ja4FromFields.raw(row), Ja4.raw(hello), where);
                assertEquals(Ja4FromFields.fingerprint(row), Ja4.fingerprint(hello), where);
            }
        }
    }

    /** A ClientHello whose fields are a row's; extensions other than the four JA4 reads are empty. */
    private static HelloBytes.ClientHelloBuilder rebuild(Ja4FromFields.Row row) {
        HelloBytes.ClientHelloBuilder builder = HelloBytes.clientHello()
                .legacyVersion(Integer.decode(row.handshakeVersion()))
                .cipherSuites(hexInts(row.cipherSuites()));
        for (String type : list(row.extensionTypes())) {
            switch (Integer.parseInt(type)) {
                case 0x0000 -> builder.extension(0, row.sni().isEmpty() ? new byte[0] : HelloBytes.serverNameData(row.sni()));
                case 0x0010 -> builder.alpn(list(row.alpn()).toArray(String[]::new));
                case 0x002b -> builder.supportedVersions(hexInts(row.supportedVersions()));
                case 0x000d -> builder.signatureAlgorithms(hexInts(row.signatureAlgorithms()));
                default -> builder.emptyExtensions(Integer.parseInt(type));
            }
        }
        return builder;
    }

    private static int[] hexInts(String column) {
        return list(column).stream().mapToInt(Integer::decode).toArray();
    }

    private static List<String> list(String column) {
        return column.isEmpty() ? List.of() : List.of(column.split(","));
    }

    private static String hexColumn(int[] values) {
        return Arrays.stream(values).mapToObj(v -> String.format("0x%04x", v)).collect(Collectors.joining(","));
    }
}
