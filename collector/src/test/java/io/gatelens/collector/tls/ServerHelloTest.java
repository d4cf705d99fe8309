package io.gatelens.collector.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ServerHelloTest {

    static Stream<JdkTls.ClientConfig> configurations() {
        return JdkTls.configurations().stream();
    }

    @ParameterizedTest
    @MethodSource("configurations")
    void aJdkServerHelloSaysWhatTheSessionNegotiated(JdkTls.ClientConfig config) throws Exception {
        JdkTls.Handshake handshake = JdkTls.handshake(config);
        ServerHello hello = ServerHello.parse(ClientHelloTest.firstMessage(handshake.serverToClient()));

        assertEquals(JdkTls.CIPHER_SUITE_VALUES.get(handshake.cipherSuite()), hello.cipherSuite(), handshake.cipherSuite());
        assertEquals((int) JdkTls.PROTOCOL_VALUES.get(handshake.protocol()), hello.selectedVersion(), handshake.protocol());
        assertEquals(0x0303, hello.legacyVersion());
        assertFalse(hello.helloRetryRequest());
        boolean tls13 = handshake.protocol().equals(JdkTls.TLS_1_3);
        assertEquals(config.protocols().get(0), handshake.protocol(), "the server speaks the client's best version");
        assertEquals(tls13, hello.extensionTypes().contains(ClientHello.EXT_SUPPORTED_VERSIONS));
        assertEquals(tls13, hello.extensionTypes().contains(0x0033), "key_share");
        if (tls13) {
            assertNull(hello.alpn(), "TLS 1.3 sends ALPN encrypted, in EncryptedExtensions");
        } else {
            assertEquals(handshake.clientApplicationProtocol().isEmpty() ? null : handshake.clientApplicationProtocol(),
                    hello.alpn());
        }
        assertEquals(config.alpn().isEmpty() ? "" : "h2", handshake.clientApplicationProtocol(),
                "the session agreed on ALPN whether or not the ServerHello shows it");
    }

    @Test
    void theHelloRetryRequestRandomMarksAHelloRetryRequest() throws Exception {
        byte[] retryRandom = MessageDigest.getInstance("SHA-256")
                .digest("HelloRetryRequest".getBytes(StandardCharsets.US_ASCII)); // RFC 8446 §4.1.3
        byte[] extensions = HelloBytes.concat(
                HelloBytes.extensionBytes(0x002b, HelloBytes.u16s(0x0304)),
                HelloBytes.extensionBytes(0x0033, HelloBytes.u16s(0x0018))); // key_share: retry with secp384r1

        ServerHello retry = ServerHello.parse(new HandshakeMessage(2,
                HelloBytes.serverHelloBody(0x0303, retryRandom, 0x1301, extensions), 0x0303));
        assertTrue(retry.helloRetryRequest());
        assertEquals(0x0304, retry.selectedVersion());
        assertEquals(List.of(0x002b, 0x0033), retry.extensionTypes());

        byte[] almost = retryRandom.clone();
        almost[31] ^= 1;
        assertFalse(ServerHello.parse(new HandshakeMessage(2,
                HelloBytes.serverHelloBody(0x0303, almost, 0x1301, extensions), 0x0303)).helloRetryRequest());
    }

    @Test
    void aServerHelloWithoutExtensionsSelectsItsLegacyVersion() throws Exception {
        ServerHello hello = ServerHello.parse(new HandshakeMessage(2,
                HelloBytes.serverHelloBody(0x0301, new byte[32], 0x002f, null), 0x0301));
        assertEquals(0x0301, hello.selectedVersion());
        assertEquals(0x002f, hello.cipherSuite());
        assertEquals(List.of(), hello.extensionTypes());
        assertNull(hello.alpn());
    }

    @Test
    void aTls12ServerHelloCarriesItsOneAlpnProtocol() throws Exception {
        byte[] extensions = HelloBytes.extensionBytes(0x0010, HelloBytes.protocolNameList("http/1.1"));
        ServerHello hello = ServerHello.parse(new HandshakeMessage(2,
                HelloBytes.serverHelloBody(0x0303, new byte[32], 0xc02f, extensions), 0x0303));
        assertEquals("http/1.1", hello.alpn());
        assertEquals(0x0303, hello.selectedVersion());
    }

    @Test
    void lyingOrMisshapenExtensionsAreRefusedNamingTheField() {
        assertRefused("supported_versions selected_version",
                HelloBytes.extensionBytes(0x002b, HelloBytes.u16s(0x0304, 0x0303)));
        assertRefused("supported_versions selected_version", HelloBytes.extensionBytes(0x002b, new byte[] {3}));
        assertRefused("exactly one", HelloBytes.extensionBytes(0x0010, HelloBytes.protocolNameList("h2", "http/1.1")));
        assertRefused("exactly one", HelloBytes.extensionBytes(0x0010, HelloBytes.protocolNameList()));
        assertRefused("application_layer_protocol_negotiation protocol name",
                HelloBytes.extensionBytes(0x0010, HelloBytes.vector16(new byte[] {9, 'h', '2'})));
        byte[] runsPast = HelloBytes.extensionBytes(0x0010, HelloBytes.protocolNameList("h2"));
        runsPast[3]++; // extension data length one more than there is
        assertRefused("application_layer_protocol_negotiation extension length", runsPast);
    }

    @Test
    void aLyingSessionIdOrExtensionsBlockOrTrailingBytesAreRefused() {
        byte[] body = HelloBytes.serverHelloBody(0x0303, new byte[32], 0x1301,
                HelloBytes.extensionBytes(0x002b, HelloBytes.u16s(0x0304)));
        byte[] longSessionId = body.clone();
        longSessionId[34] = 33;
        assertRefusedBody("legacy_session_id_echo", longSessionId);
        byte[] blockTooLong = body.clone();
        blockTooLong[2 + 32 + 1 + 32 + 2 + 1 + 1]++; // low byte of the extensions block length
        assertRefusedBody("extensions length", blockTooLong);
        assertRefusedBody("left over after extensions", HelloBytes.concat(body, new byte[] {0}));
        assertRefusedBody("cipher_suite", Arrays.copyOf(body, 2 + 32 + 1 + 32 + 1));
        TlsParseException wrongType = assertThrows(TlsParseException.class,
                () -> ServerHello.parse(new HandshakeMessage(1, body, 0x0303)));
        assertTrue(wrongType.getMessage().contains("not a ServerHello"), wrongType.getMessage());
    }

    @Test
    void everySingleByteCorruptionOfRealServerFlightsGivesAHelloOrTlsParseExceptionOnly() throws Exception {
        for (JdkTls.ClientConfig config : List.of(JdkTls.configurations().get(0), JdkTls.configurations().get(4))) {
            byte[] flight = JdkTls.handshake(config).serverToClient();
            int helloEnd = 5 + ((flight[3] & 0xff) << 8 | (flight[4] & 0xff));
            int parsed = 0;
            int refused = 0;
            for (int position = 0; position < helloEnd; position++) {
                byte original = flight[position];
                for (int value = 0; value < 256; value++) {
                    flight[position] = (byte) value;
                    HandshakeReassembler reassembler = new HandshakeReassembler();
                    reassembler.feed(flight, 0, flight.length);
                    if (reassembler.first().isEmpty()) {
                        continue;
                    }
                    try {
                        ServerHello.parse(reassembler.first().get());
                        parsed++;
                    } catch (TlsParseException expected) {
                        refused++;
                    } catch (RuntimeException bug) {
                        fail(config + ": byte " + position + " = " + value + " threw " + bug, bug);
                    }
                }
                flight[position] = original;
            }
            assertTrue(parsed > 0 && refused > 0, config + ": " + parsed + " parsed, " + refused + " refused");
        }
    }

    private static void assertRefused(String field, byte[] extensions) {
        assertRefusedBody(field, HelloBytes.serverHelloBody(0x0303, new byte[32], 0x1301, extensions));
    }

    private static void assertRefusedBody(String field, byte[] body) {
        TlsParseException refusal = assertThrows(TlsParseException.class,
                () -> ServerHello.parse(new HandshakeMessage(2, body, 0x0303)));
        assertTrue(refusal.getMessage().contains(field), refusal.getMessage());
    }
}
