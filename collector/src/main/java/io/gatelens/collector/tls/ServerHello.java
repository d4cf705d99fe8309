package io.gatelens.collector.tls;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;

/**
 * What a ServerHello (RFC 8446 §4.1.3, RFC 5246 §7.4.1.3) says in the clear.
 *
 * @param recordVersion      version field of the record that carried the hello
 * @param legacyVersion      the hello's own version field (0x0303 when TLS 1.3 was selected)
 * @param cipherSuite        the selected cipher suite
 * @param extensionTypes     extension type of every extension, in wire order
 * @param selectedVersion    the supported_versions extension's value when present (TLS 1.3),
 *                           else {@code legacyVersion}
 * @param alpn               the protocol the server selected; sent in the clear up to TLS 1.2,
 *                           so null for TLS 1.3 (it moved to EncryptedExtensions) and when the
 *                           server selected none. Each byte one char (ISO-8859-1)
 * @param helloRetryRequest  true when the random is the HelloRetryRequest value (RFC 8446 §4.1.3):
 *                           the server asks for another ClientHello and selected nothing yet
 */
public record ServerHello(
        int recordVersion,
        int legacyVersion,
        int cipherSuite,
        List<Integer> extensionTypes,
        int selectedVersion,
        String alpn,
        boolean helloRetryRequest) {

    /** SHA-256("HelloRetryRequest"), the random of a HelloRetryRequest. */
    private static final byte[] HELLO_RETRY_REQUEST_RANDOM = bytes(
            0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
            0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c);
    private static final int MAX_SESSION_ID_BYTES = 32;

    public ServerHello {
        extensionTypes = List.copyOf(extensionTypes);
    }

    /**
     * Parses a ServerHello message (type 2; a HelloRetryRequest is one too). Every length is
     * checked against the field that holds it; the extensions block, when present, must end
     * where the message does. A repeated extension counts in {@code extensionTypes} and the first
     * one's content is used.
     *
     * @throws TlsParseException when {@code m} is not of type 2, a length lies, supported_versions
     *                           is not exactly one version, or ALPN names other than one protocol;
     *                           the message names the field
     */
    public static ServerHello parse(HandshakeMessage m) throws TlsParseException {
        if (m.type() != HandshakeMessage.SERVER_HELLO) {
            throw new TlsParseException("handshake message type " + m.type() + " is not a ServerHello (2)");
        }
        WireReader hello = new WireReader("ServerHello", m.body());
        int legacyVersion = hello.u16("legacy_version");
        byte[] random = hello.bytes(HELLO_RETRY_REQUEST_RANDOM.length, "random");
        WireReader sessionId = hello.vector8("legacy_session_id_echo");
        if (sessionId.remaining() > MAX_SESSION_ID_BYTES) {
            throw hello.error("legacy_session_id_echo length " + sessionId.remaining() + " is over 32");
        }
        int cipherSuite = hello.u16("cipher_suite");
        hello.u8("legacy_compression_method");

        List<Integer> extensionTypes = new ArrayList<>();
        BitSet seen = new BitSet();
        int selectedVersion = legacyVersion;
        String alpn = null;
        if (!hello.atEnd()) {
            WireReader extensions = hello.vector16("extensions");
            hello.expectEnd("extensions");
            while (!extensions.atEnd()) {
                int type = extensions.u16("extension type");
                WireReader data = extensions.vector16(ClientHello.extensionName(type));
                extensionTypes.add(type);
                if (seen.get(type)) {
                    continue;
                }
                seen.set(type);
                if (type == ClientHello.EXT_SUPPORTED_VERSIONS) {
                    selectedVersion = data.u16("supported_versions selected_version");
                    data.expectEnd("supported_versions selected_version");
                } else if (type == ClientHello.EXT_ALPN) {
                    List<String> names = ClientHello.protocolNames(data, "application_layer_protocol_negotiation");
                    if (names.size() != 1) {
                        // RFC 7301 §3.1: the server's list MUST contain exactly one name
                        throw hello.error("application_layer_protocol_negotiation names " + names.size()
                                + " protocols; a server selects exactly one");
                    }
                    alpn = names.get(0);
                }
            }
        }
        boolean helloRetryRequest = Arrays.equals(random, HELLO_RETRY_REQUEST_RANDOM);
        return new ServerHello(m.recordVersion(), legacyVersion, cipherSuite, extensionTypes, selectedVersion,
                alpn, helloRetryRequest);
    }

    private static byte[] bytes(int... values) {
        byte[] bytes = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            bytes[i] = (byte) values[i];
        }
        return bytes;
    }
}
