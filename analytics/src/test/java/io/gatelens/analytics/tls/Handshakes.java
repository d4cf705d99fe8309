package io.gatelens.analytics.tls;

import java.util.List;

/** Test handshakes: a TLS 1.3 h2 handshake by default, each field changeable. */
public final class Handshakes {
    private long tsNs;
    private String serverAddress = "10.0.0.1";
    private int serverPort = 443;
    private String sni = "api.example.com";
    private List<Integer> offeredVersions = List.of(0x2a2a, TlsNames.TLS_1_3, TlsNames.TLS_1_2);
    private int clientVersion = TlsNames.TLS_1_2;
    private List<String> alpnOffered = List.of("h2", "http/1.1");
    private String ja4 = "t13d1516h2_8daaf6152771_e5627efa2ab1";
    private boolean serverHelloSeen = true;
    private int negotiatedVersion = TlsNames.TLS_1_3;
    private int cipherSuite = 0x1301;
    private String alpnSelected;
    private long handshakeNs = 1_000_000;
    private boolean unparseable;

    public static Handshakes at(long tsNs) {
        Handshakes h = new Handshakes();
        h.tsNs = tsNs;
        return h;
    }

    public Handshakes sni(String v) {
        sni = v;
        return this;
    }

    public Handshakes server(String address, int port) {
        serverAddress = address;
        serverPort = port;
        return this;
    }

    public Handshakes offered(Integer... versions) {
        offeredVersions = List.of(versions);
        return this;
    }

    public Handshakes clientVersion(int v) {
        clientVersion = v;
        return this;
    }

    public Handshakes alpn(String... protocols) {
        alpnOffered = List.of(protocols);
        return this;
    }

    public Handshakes ja4(String v) {
        ja4 = v;
        return this;
    }

    public Handshakes noServerHello() {
        serverHelloSeen = false;
        negotiatedVersion = 0;
        cipherSuite = -1;
        handshakeNs = -1;
        return this;
    }

    /** A ServerHello selecting this version and suite; ALPN as alpnSelected (null: none or encrypted). */
    public Handshakes negotiated(int version, int suite, String alpnSelected) {
        negotiatedVersion = version;
        cipherSuite = suite;
        this.alpnSelected = alpnSelected;
        return this;
    }

    public Handshakes handshakeNs(long v) {
        handshakeNs = v;
        return this;
    }

    public Handshakes unparseable() {
        unparseable = true;
        ja4 = null;
        return this;
    }

    public TlsHandshakeFacts build() {
        return new TlsHandshakeFacts(tsNs, serverAddress, serverPort, sni, offeredVersions, clientVersion, alpnOffered, ja4,
            serverHelloSeen, negotiatedVersion, cipherSuite, alpnSelected, handshakeNs, unparseable);
    }
}
