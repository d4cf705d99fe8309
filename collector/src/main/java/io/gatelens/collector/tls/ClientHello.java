package io.gatelens.collector.tls;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * What a ClientHello (RFC 8446 §4.1.2, RFC 5246 §7.4.1.2) says about its client, as sent: lists
 * in wire order with GREASE values kept (JA4 and other consumers drop them themselves).
 *
 * @param recordVersion       version field of the record that carried the hello
 * @param legacyVersion       the hello's own version field (0x0303 for TLS 1.2 and 1.3 clients)
 * @param cipherSuites        cipher suite values, SCSVs included
 * @param extensionTypes      extension type of every extension, repeats included
 * @param sni                 host_name of server_name (RFC 6066 §3), each byte one char
 *                            (ISO-8859-1, so no byte is lost); null without a host_name entry
 * @param alpn                protocol names of application_layer_protocol_negotiation (RFC 7301),
 *                            each byte one char (ISO-8859-1); empty without the extension
 * @param supportedVersions   supported_versions (RFC 8446 §4.2.1); empty without the extension
 * @param signatureAlgorithms signature_algorithms (RFC 8446 §4.2.3); empty without the extension
 */
public record ClientHello(
        int recordVersion,
        int legacyVersion,
        List<Integer> cipherSuites,
        List<Integer> extensionTypes,
        String sni,
        List<String> alpn,
        List<Integer> supportedVersions,
        List<Integer> signatureAlgorithms) {

    public static final int EXT_SERVER_NAME = 0x0000;
    public static final int EXT_SIGNATURE_ALGORITHMS = 0x000d;
    public static final int EXT_ALPN = 0x0010;
    public static final int EXT_SUPPORTED_VERSIONS = 0x002b;

    private static final int RANDOM_BYTES = 32;
    private static final int MAX_SESSION_ID_BYTES = 32;
    private static final int SERVER_NAME_TYPE_HOST_NAME = 0;

    public ClientHello {
        cipherSuites = List.copyOf(cipherSuites);
        extensionTypes = List.copyOf(extensionTypes);
        alpn = List.copyOf(alpn);
        supportedVersions = List.copyOf(supportedVersions);
        signatureAlgorithms = List.copyOf(signatureAlgorithms);
    }

    /**
     * Parses a ClientHello message. Every length is checked against the field that holds it,
     * and the extensions block must end exactly where the message does. A hello without an
     * extensions block (SSL 3.0 and early TLS clients) is valid and has empty lists. Empty lists
     * are accepted where the RFCs demand entries, so that odd clients are still seen. When an
     * extension appears twice (the RFCs forbid it), both count in {@code extensionTypes} and the
     * first one's content is used.
     *
     * @throws TlsParseException when {@code m} is not of type 1 or a length lies; the message
     *                           names the field
     */
    public static ClientHello parse(HandshakeMessage m) throws TlsParseException {
        if (m.type() != HandshakeMessage.CLIENT_HELLO) {
            throw new TlsParseException("handshake message type " + m.type() + " is not a ClientHello (1)");
        }
        WireReader hello = new WireReader("ClientHello", m.body());
        int legacyVersion = hello.u16("legacy_version");
        hello.skip(RANDOM_BYTES, "random");
        WireReader sessionId = hello.vector8("legacy_session_id");
        if (sessionId.remaining() > MAX_SESSION_ID_BYTES) {
            throw hello.error("legacy_session_id length " + sessionId.remaining() + " is over 32");
        }
        List<Integer> cipherSuites = hello.vector16("cipher_suites").u16List("cipher_suites");
        hello.vector8("legacy_compression_methods");

        List<Integer> extensionTypes = new ArrayList<>();
        BitSet seen = new BitSet(); // not extensionTypes.contains: quadratic in a hostile list
        String sni = null;
        List<String> alpn = List.of();
        List<Integer> supportedVersions = List.of();
        List<Integer> signatureAlgorithms = List.of();
        if (!hello.atEnd()) {
            WireReader extensions = hello.vector16("extensions");
            hello.expectEnd("extensions");
            while (!extensions.atEnd()) {
                int type = extensions.u16("extension type");
                String name = extensionName(type);
                WireReader data = extensions.vector16(name);
                extensionTypes.add(type);
                if (seen.get(type)) {
                    continue;
                }
                seen.set(type);
                switch (type) {
                    case EXT_SERVER_NAME -> sni = hostName(data);
                    case EXT_ALPN -> alpn = protocolNames(data, "application_layer_protocol_negotiation");
                    case EXT_SUPPORTED_VERSIONS -> {
                        WireReader versions = data.vector8("supported_versions list");
                        data.expectEnd("supported_versions list");
                        supportedVersions = versions.u16List("supported_versions list");
                    }
                    case EXT_SIGNATURE_ALGORITHMS -> {
                        WireReader schemes = data.vector16("signature_algorithms list");
                        data.expectEnd("signature_algorithms list");
                        signatureAlgorithms = schemes.u16List("signature_algorithms list");
                    }
                    default -> { } // only the type matters to us
                }
            }
        }
        return new ClientHello(m.recordVersion(), legacyVersion, cipherSuites, extensionTypes, sni, alpn,
                supportedVersions, signatureAlgorithms);
    }

    /** The first host_name of a server_name extension; null for an empty extension or no host_name. */
    private static String hostName(WireReader data) throws TlsParseException {
        if (data.atEnd()) {
            return null; // what servers send back; tolerated from clients
        }
        WireReader names = data.vector16("server_name list");
        data.expectEnd("server_name list");
        String hostName = null;
        while (!names.atEnd()) {
            int nameType = names.u8("server_name name_type");
            // RFC 6066 defines only host_name; other types are assumed to share its two-byte length
            WireReader name = names.vector16("server_name host_name");
            byte[] bytes = name.bytes(name.remaining(), "server_name host_name");
            if (nameType == SERVER_NAME_TYPE_HOST_NAME && hostName == null) {
                hostName = new String(bytes, StandardCharsets.ISO_8859_1);
            }
        }
        return hostName;
    }

    /** A ProtocolNameList (RFC 7301 §3.1), used by ClientHello and ServerHello alike. */
    static List<String> protocolNames(WireReader data, String field) throws TlsParseException {
        WireReader list = data.vector16(field + " list");
        data.expectEnd(field + " list");
        List<String> names = new ArrayList<>(Math.min(list.remaining(), 16));
        while (!list.atEnd()) {
            WireReader name = list.vector8(field + " protocol name");
            names.add(new String(name.bytes(name.remaining(), field + " protocol name"), StandardCharsets.ISO_8859_1));
        }
        return names;
    }

    static String extensionName(int type) {
        return switch (type) {
            case EXT_SERVER_NAME -> "server_name extension";
            case EXT_SIGNATURE_ALGORITHMS -> "signature_algorithms extension";
            case EXT_ALPN -> "application_layer_protocol_negotiation extension";
            case EXT_SUPPORTED_VERSIONS -> "supported_versions extension";
            default -> String.format("extension 0x%04x", type);
        };
    }
}
