package io.gatelens.analytics.tls;

import io.gatelens.collector.handshake.TlsHandshake;
import io.gatelens.collector.record.TlsHandshakeBatchCodec;
import io.gatelens.collector.record.TlsHandshakeSchema;
import java.net.InetAddress;
import java.util.List;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;

/** tls_handshake v1 payloads as the collector makes them, from its own row type. */
public final class TlsBatches {
    private TlsBatches() {
    }

    /** A handshake row: TLS 1.3 with h2 to 10.0.0.1:443 unless changed through the arguments. */
    public static TlsHandshake row(long tsNs, String server, int port, String sni, String clientVersions, String clientAlpn,
                                   String ja4, String serverVersion, String serverCipher, String serverAlpn, Long handshakeNs,
                                   int flags) {
        return new TlsHandshake(tsNs, mapped("192.0.2.1"), 50_000, mapped(server), port, server.contains(":") ? 6 : 4, 1, 1,
            sni, clientVersions, clientAlpn, "0x1301,0x1302,0xc02f", "0,16,43", "0x0403", ja4, null, "TLS 1.0", "TLS 1.2",
            serverVersion, serverCipher, serverAlpn, handshakeNs, flags);
    }

    /**
     * The collector's row for a handshake described as facts, in the schema's text conventions (SNI
     * and ALPN escaped as the collector escapes them).
     */
    public static TlsHandshake row(TlsHandshakeFacts f) {
        List<String> offered = new java.util.ArrayList<>();
        f.offeredVersions().forEach(v -> offered.add(io.gatelens.collector.tls.TlsVersions.name(v)));
        int flags = (f.serverHelloSeen() ? 0 : TlsHandshake.FLAG_NO_SERVER_HELLO)
            | (f.unparseable() ? TlsHandshake.FLAG_CLIENT_HELLO_UNPARSEABLE : 0);
        return new TlsHandshake(f.tsNs(), mapped("192.0.2.1"), 50_000, mapped(f.serverAddress()), f.serverPort(),
            f.serverAddress().contains(":") ? 6 : 4, 1, 1, TlsHandshake.escape(f.sni()),
            offered.isEmpty() ? null : String.join(",", offered), TlsHandshake.alpn(f.alpnOffered()), "0x1301", "0,16,43", null,
            f.ja4(), null, "TLS 1.0", f.clientVersion() == 0 ? null : io.gatelens.collector.tls.TlsVersions.name(f.clientVersion()),
            f.negotiatedVersion() == 0 ? null : io.gatelens.collector.tls.TlsVersions.name(f.negotiatedVersion()),
            f.cipherSuite() < 0 ? null : String.format("0x%04x", f.cipherSuite()), TlsHandshake.escape(f.alpnSelected()),
            f.handshakeNs() < 0 ? null : f.handshakeNs(), flags);
    }

    /** The payload of one batch holding rows. */
    public static byte[] payload(List<TlsHandshake> rows) {
        try (RootAllocator allocator = new RootAllocator();
             VectorSchemaRoot root = VectorSchemaRoot.create(TlsHandshakeSchema.schema(), allocator)) {
            root.allocateNew();
            root.setRowCount(0);
            for (TlsHandshake h : rows) {
                h.appendTo(root);
            }
            return TlsHandshakeBatchCodec.encode(root);
        }
    }

    static byte[] mapped(String address) {
        try {
            byte[] raw = InetAddress.getByName(address).getAddress();
            if (raw.length == 16) {
                return raw;
            }
            byte[] a = new byte[16];
            a[10] = (byte) 0xff;
            a[11] = (byte) 0xff;
            System.arraycopy(raw, 0, a, 12, 4);
            return a;
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
