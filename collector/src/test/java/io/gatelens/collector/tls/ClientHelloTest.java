package io.gatelens.collector.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ClientHelloTest {

    static Stream<JdkTls.ClientConfig> configurations() {
        return JdkTls.configurations().stream();
    }

    @ParameterizedTest
    @MethodSource("configurations")
    void everyFieldOfAJdkClientHelloIsWhatTheClientWasConfiguredToSend(JdkTls.ClientConfig config) throws Exception {
        byte[] records = JdkTls.clientHello(config);
        ClientHello hello = ClientHello.parse(firstMessage(records));

        assertEquals((records[1] & 0xff) << 8 | (records[2] & 0xff), hello.recordVersion());
        assertEquals(0x0303, hello.legacyVersion(), "TLS 1.2 and 1.3 clients both say 1.2 here");
        boolean offersTls13 = config.protocols().contains(JdkTls.TLS_1_3);
        List<Integer> expectedSuites = JdkTls.CIPHER_SUITES.stream()
                .filter(suite -> offersTls13 || suite.contains("_WITH_") || suite.contains("SCSV"))
                .map(JdkTls.CIPHER_SUITE_VALUES::get)
                .toList();
        assertEquals(expectedSuites, hello.cipherSuites(), "the enabled suites, in order");
        assertEquals(config.sni(), hello.sni());
        assertEquals(config.alpn(), hello.alpn());
        assertEquals(config.protocols().stream().map(JdkTls.PROTOCOL_VALUES::get).toList(), hello.supportedVersions());
        assertEquals(config.sni() != null, hello.extensionTypes().contains(ClientHello.EXT_SERVER_NAME));
        assertEquals(!config.alpn().isEmpty(), hello.extensionTypes().contains(ClientHello.EXT_ALPN));
        assertEquals(offersTls13, hello.extensionTypes().contains(0x0033), "key_share only with TLS 1.3");
        assertEquals(new HashSet<>(hello.extensionTypes()).size(), hello.extensionTypes().size(), "no repeats");
        // Java 17 offers no API to set the signature schemes per engine: check the ones it always sends
        assertTrue(hello.signatureAlgorithms().containsAll(List.of(0x0403, 0x0804)), hello.signatureAlgorithms().toString());
    }

    @Test
    void aHelloWithoutAnExtensionsBlockHasEmptyLists() throws Exception {
        ClientHello hello = ClientHello.parse(HelloBytes.clientHello().legacyVersion(0x0300)
                .cipherSuites(0x000a, 0x002f).withoutExtensionsBlock().message());

        assertEquals(0x0300, hello.legacyVersion());
        assertEquals(List.of(0x000a, 0x002f), hello.cipherSuites());
        assertEquals(List.of(), hello.extensionTypes());
        assertNull(hello.sni());
        assertEquals(List.of(), hello.alpn());
        assertEquals(List.of(), hello.supportedVersions());
        assertEquals(List.of(), hello.signatureAlgorithms());
    }

    @Test
    void emptyListsEverywhereAreAcceptedAsEmpty() throws Exception {
        ClientHello hello = ClientHello.parse(HelloBytes.clientHello()
                .sessionId(new byte[0])
                .compressionMethods()
                .extension(0x0000, new byte[0])
                .extension(0x0010, HelloBytes.vector16(new byte[0]))
                .extension(0x002b, HelloBytes.vector8(new byte[0]))
                .extension(0x000d, HelloBytes.vector16(new byte[0]))
                .message());

        assertEquals(List.of(), hello.cipherSuites());
        assertEquals(List.of(0x0000, 0x0010, 0x002b, 0x000d), hello.extensionTypes());
        assertNull(hello.sni(), "an empty server_name has no host_name");
        assertEquals(List.of(), hello.alpn());
        assertEquals(List.of(), hello.supportedVersions());
        assertEquals(List.of(), hello.signatureAlgorithms());

        ClientHello emptyBlock = ClientHello.parse(HelloBytes.clientHello().cipherSuites(0x1301).message());
        assertEquals(List.of(), emptyBlock.extensionTypes());
    }

    @Test
    void greaseIsKeptAsSentAndARepeatedExtensionCountsTwiceWithTheFirstOnesContent() throws Exception {
        ClientHello hello = ClientHello.parse(HelloBytes.clientHello()
                .cipherSuites(0x2a2a, 0x1301)
                .emptyExtensions(0x0a0a)
                .sni("first.example")
                .supportedVersions(0x5a5a, 0x0304)
                .sni("second.example")
                .emptyExtensions(0xfafa)
                .message());

        assertEquals(List.of(0x2a2a, 0x1301), hello.cipherSuites());
        assertEquals(List.of(0x0a0a, 0x0000, 0x002b, 0x0000, 0xfafa), hello.extensionTypes());
        assertEquals(List.of(0x5a5a, 0x0304), hello.supportedVersions());
        assertEquals("first.example", hello.sni());
    }

    @Test
    void everyByteOfAHostNameSurvivesAsOneChar() throws Exception {
        byte[] name = {'a', (byte) 0xe9, (byte) 0xff, 0};
        byte[] entry = HelloBytes.concat(new byte[] {0, 0, (byte) name.length}, name);
        ClientHello hello = ClientHello.parse(HelloBytes.clientHello().extension(0, HelloBytes.vector16(entry)).message());
        assertEquals("a\u00e9\u00ff\u0000", hello.sni());
    }

    static Stream<Arguments> lyingLengths() {
        byte[] sniEntry = HelloBytes.concat(new byte[] {0, 0, 3}, "a.b".getBytes());
        byte[] alpnNames = HelloBytes.concat(new byte[] {2}, "h2".getBytes());
        return Stream.of(
                lie("cipher_suites", () -> HelloBytes.clientHello().cipherSuites(0x1301).cipherSuitesLengthDelta(200)),
                lie("cipher_suites", () -> HelloBytes.clientHello().cipherSuites(0x1301).cipherSuitesLengthDelta(1)),
                lie("cipher_suites", () -> HelloBytes.clientHello().cipherSuites(0x1301).cipherSuitesLengthDelta(-1)),
                lie("legacy_session_id", () -> HelloBytes.clientHello().sessionId(new byte[33])),
                lie("extensions", () -> HelloBytes.clientHello().sni("a.b").extensionsLengthDelta(1)),
                lie("extensions", () -> HelloBytes.clientHello().sni("a.b").extensionsLengthDelta(-1)),
                lie("server_name extension", () -> HelloBytes.clientHello().extension(0, HelloBytes.serverNameData("a.b"), 1)),
                lie("server_name list", () -> HelloBytes.clientHello().extension(0, HelloBytes.serverNameData("a.b"), -1)),
                lie("server_name list", () -> HelloBytes.clientHello().extension(0,
                        HelloBytes.concat(new byte[] {0, (byte) (sniEntry.length + 1)}, sniEntry))),
                lie("server_name list", () -> HelloBytes.clientHello().extension(0,
                        HelloBytes.concat(new byte[] {0, (byte) (sniEntry.length - 1)}, sniEntry))),
                lie("server_name host_name", () -> HelloBytes.clientHello().extension(0,
                        HelloBytes.vector16(new byte[] {0, 0, 4, 'a', '.', 'b'}))),
                lie("application_layer_protocol_negotiation list", () -> HelloBytes.clientHello().extension(16,
                        HelloBytes.concat(new byte[] {0, (byte) (alpnNames.length + 1)}, alpnNames))),
                lie("application_layer_protocol_negotiation list", () -> HelloBytes.clientHello().extension(16,
                        HelloBytes.concat(new byte[] {0, (byte) (alpnNames.length - 1)}, alpnNames))),
                lie("application_layer_protocol_negotiation protocol name", () -> HelloBytes.clientHello()
                        .extension(16, HelloBytes.vector16(new byte[] {3, 'h', '2'}))),
                lie("application_layer_protocol_negotiation extension", () -> HelloBytes.clientHello()
                        .extension(16, HelloBytes.protocolNameList("h2"), 1)),
                lie("supported_versions list", () -> HelloBytes.clientHello().extension(0x2b, new byte[] {4, 3, 4})),
                lie("supported_versions list", () -> HelloBytes.clientHello().extension(0x2b, new byte[] {3, 3, 4, 3})),
                lie("supported_versions list", () -> HelloBytes.clientHello().extension(0x2b, new byte[] {1, 3, 4})),
                lie("signature_algorithms list", () -> HelloBytes.clientHello().extension(13, new byte[] {0, 4, 4, 3})),
                lie("signature_algorithms list", () -> HelloBytes.clientHello().extension(13, new byte[] {0, 3, 4, 3, 8})),
                lie("signature_algorithms list", () -> HelloBytes.clientHello().extension(13, new byte[] {0, 2, 4, 3, 8, 4})));
    }

    private static Arguments lie(String field, Supplier<HelloBytes.ClientHelloBuilder> hello) {
        return Arguments.of(field, hello);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("lyingLengths")
    void aLyingLengthIsRefusedNamingItsField(String field, Supplier<HelloBytes.ClientHelloBuilder> hello) {
        TlsParseException refusal = assertThrows(TlsParseException.class, () -> ClientHello.parse(hello.get().message()));
        assertTrue(refusal.getMessage().contains(field), refusal.getMessage());
    }

    @Test
    void trailingBytesAfterTheExtensionsAreRefused() {
        byte[] body = HelloBytes.concat(HelloBytes.clientHello().sni("a.b").body(), new byte[] {0});
        TlsParseException refusal = assertThrows(TlsParseException.class,
                () -> ClientHello.parse(new HandshakeMessage(1, body, 0x0301)));
        assertTrue(refusal.getMessage().contains("left over after extensions"), refusal.getMessage());
    }

    @Test
    void aMessageOfAnotherTypeIsRefused() {
        byte[] body = HelloBytes.clientHello().cipherSuites(0x1301).body();
        TlsParseException refusal = assertThrows(TlsParseException.class,
                () -> ClientHello.parse(new HandshakeMessage(2, body, 0x0303)));
        assertTrue(refusal.getMessage().contains("not a ClientHello"), refusal.getMessage());
    }

    /** Only the prefix that ends where the extensions block would start is a (shorter) valid hello. */
    @ParameterizedTest
    @MethodSource("configurations")
    void everyPrefixOfARealHelloIsRefusedExceptTheOneWithoutExtensions(JdkTls.ClientConfig config) throws Exception {
        HandshakeMessage whole = firstMessage(JdkTls.clientHello(config));
        ClientHello full = ClientHello.parse(whole);
        int accepted = 0;
        for (int length = 0; length < whole.body().length; length++) {
            HandshakeMessage prefix = new HandshakeMessage(1, Arrays.copyOf(whole.body(), length), whole.recordVersion());
            try {
                ClientHello hello = ClientHello.parse(prefix);
                accepted++;
                assertEquals(List.of(), hello.extensionTypes(), "prefix of " + length);
                assertEquals(full.cipherSuites(), hello.cipherSuites(), "prefix of " + length);
            } catch (TlsParseException expected) {
                // refused: the point of the test
            }
        }
        assertEquals(1, accepted);
    }

    /**
     * Every byte of real ClientHello records replaced by every other value, through the
     * reassembler, the parser and JA4: a record or TlsParseException, nothing else.
     */
    @ParameterizedTest
    @MethodSource("configurations")
    void everySingleByteCorruptionGivesAHelloOrTlsParseExceptionOnly(JdkTls.ClientConfig config) throws Exception {
        byte[] records = JdkTls.clientHello(config);
        int parsed = 0;
        int refused = 0;
        for (int position = 0; position < records.length; position++) {
            byte original = records[position];
            for (int value = 0; value < 256; value++) {
                if (value == (original & 0xff)) {
                    continue;
                }
                records[position] = (byte) value;
                HandshakeReassembler reassembler = new HandshakeReassembler();
                reassembler.feed(records, 0, records.length);
                if (reassembler.first().isPresent()) {
                    try {
                        ClientHello hello = ClientHello.parse(reassembler.first().get());
                        Ja4.fingerprint(hello);
                        Ja4.raw(hello);
                        parsed++;
                    } catch (TlsParseException expected) {
                        refused++;
                    } catch (RuntimeException bug) {
                        fail("byte " + position + " = " + value + " threw " + bug, bug);
                    }
                }
            }
            records[position] = original;
        }
        assertTrue(parsed > 0 && refused > 0, parsed + " parsed, " + refused + " refused");
    }

    static HandshakeMessage firstMessage(byte[] records) {
        HandshakeReassembler reassembler = new HandshakeReassembler();
        assertEquals(HandshakeReassembler.State.COMPLETE, reassembler.feed(records, 0, records.length));
        return reassembler.first().orElseThrow();
    }
}
