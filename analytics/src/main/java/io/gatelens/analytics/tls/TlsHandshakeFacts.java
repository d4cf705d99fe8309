package io.gatelens.analytics.tls;

import java.util.List;

/**
 * What the statistics need to know of one TLS handshake (one connection's ClientHello and, when it
 * came, the server's answer). The analytics' own shape, independent of the Arrow schema the collector
 * sends: {@link TlsBatchReader} is the one place that reads the columns and builds these.
 *
 * @param tsNs                when the ClientHello was seen, epoch nanoseconds
 * @param serverAddress       the server's address as text ({@code 10.0.0.1}, {@code 2001:db8::1})
 * @param serverPort          the server's TCP port
 * @param sni                 the server_name host_name as sent; null without one
 * @param offeredVersions     the ClientHello's supported_versions as sent, GREASE included; empty without
 *                            the extension
 * @param clientVersion       the ClientHello's legacy_version: what a client without supported_versions
 *                            offers at most; 0 when unknown (hello not parsed)
 * @param alpnOffered         the ALPN protocol names the client offered, in order; empty without ALPN
 * @param ja4                 the ClientHello's JA4 fingerprint; null when the hello could not be parsed
 * @param serverHelloSeen     whether a ServerHello answered (false: no ServerHello before the connection
 *                            ended or the collector gave up on it)
 * @param negotiatedVersion   the version the server selected; 0 without a (parsed) ServerHello
 * @param cipherSuite         the cipher suite the server selected; -1 without a (parsed) ServerHello
 * @param alpnSelected        the protocol the ServerHello selected; null when it selected none or (TLS 1.3)
 *                            the choice travels encrypted
 * @param handshakeNs         ClientHello to ServerHello, nanoseconds; negative when not measured
 * @param unparseable         the ClientHello or the ServerHello could not be parsed
 */
public record TlsHandshakeFacts(
        long tsNs,
        String serverAddress,
        int serverPort,
        String sni,
        List<Integer> offeredVersions,
        int clientVersion,
        List<String> alpnOffered,
        String ja4,
        boolean serverHelloSeen,
        int negotiatedVersion,
        int cipherSuite,
        String alpnSelected,
        long handshakeNs,
        boolean unparseable) {

    public TlsHandshakeFacts {
        offeredVersions = offeredVersions == null ? List.of() : List.copyOf(offeredVersions);
        alpnOffered = alpnOffered == null ? List.of() : List.copyOf(alpnOffered);
        serverAddress = serverAddress == null ? "" : serverAddress;
    }

    /**
     * The highest version the client offered: the largest of supported_versions without GREASE, or
     * the legacy version when the hello carries no supported_versions; 0 when neither is known. SSL
     * and TLS versions (0x03xx) rank above anything else a list may hold (TLS 1.3 drafts 0x7fxx, DTLS
     * 0xfexx), which are larger numbers but not newer TLS.
     */
    public int highestOffered() {
        int max = 0;
        for (int v : offeredVersions) {
            if (!TlsNames.isGrease(v) && rank(v) > rank(max)) {
                max = v;
            }
        }
        return max != 0 ? max : Math.max(0, clientVersion);
    }

    private static int rank(int version) {
        return (version & 0xff00) == 0x0300 ? 0x10000 + version : version;
    }
}
