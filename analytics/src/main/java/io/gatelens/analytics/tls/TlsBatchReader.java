package io.gatelens.analytics.tls;

import io.gatelens.collector.handshake.TlsHandshake;
import io.gatelens.collector.record.TlsHandshakeBatchCodec;
import io.gatelens.collector.record.TlsHandshakeSchema;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FixedSizeBinaryVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.util.ValueVectorUtility;

/**
 * The one place that reads the collector's {@code tls_handshake} v1 Arrow batches
 * ({@link TlsHandshakeSchema}): each row becomes the {@link TlsHandshakeFacts} the statistics need.
 * The schema's text conventions are undone here: versions are names ("TLS 1.3", else "0x%04x"),
 * cipher suites "0x%04x", lists comma-joined; SNI and ALPN names are kept as the collector wrote them
 * (every byte outside printable ASCII, ',' and '%' as %XX: a valid host name reads as itself).
 *
 * <p>Flags: {@code NO_SERVER_HELLO} → no ServerHello; {@code CLIENT_HELLO_UNPARSEABLE},
 * {@code SERVER_HELLO_UNPARSEABLE} and {@code TRUNCATED} (bytes missing, so not parsed) →
 * unparseable. A connection of which only the ServerHello was seen ({@code NO_CLIENT_HELLO}) is a
 * handshake without SNI, offered versions or JA4.
 */
public final class TlsBatchReader {
    /** Flags that mean a hello could not be read. */
    static final int UNPARSEABLE = TlsHandshake.FLAG_CLIENT_HELLO_UNPARSEABLE | TlsHandshake.FLAG_SERVER_HELLO_UNPARSEABLE
        | TlsHandshake.FLAG_TRUNCATED;

    private TlsBatchReader() {
    }

    /**
     * The handshakes of one channel payload.
     *
     * @throws IllegalArgumentException when the bytes are not a {@code tls_handshake} v1 Arrow stream, or
     *     its buffers do not hold what the schema says (refused whole, before any row is used)
     */
    public static List<TlsHandshakeFacts> read(byte[] payload, BufferAllocator allocator) {
        try (VectorSchemaRoot root = TlsHandshakeBatchCodec.decode(payload, allocator)) {
            return read(root);
        }
    }

    /** The handshakes of a batch of the schema; the batch stays the caller's. */
    public static List<TlsHandshakeFacts> read(VectorSchemaRoot root) {
        try {
            ValueVectorUtility.validateFull(root);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("a tls_handshake batch whose buffers do not match its schema: " + e.getMessage(), e);
        }
        BigIntVector ts = (BigIntVector) root.getVector(TlsHandshakeSchema.COL_TS_NS);
        FixedSizeBinaryVector dst = (FixedSizeBinaryVector) root.getVector(TlsHandshakeSchema.COL_DST);
        IntVector dport = (IntVector) root.getVector(TlsHandshakeSchema.COL_DPORT);
        VarCharVector sni = text(root, TlsHandshakeSchema.COL_SNI);
        VarCharVector clientVersions = text(root, TlsHandshakeSchema.COL_CLIENT_VERSIONS);
        VarCharVector clientAlpn = text(root, TlsHandshakeSchema.COL_CLIENT_ALPN);
        VarCharVector ja4 = text(root, TlsHandshakeSchema.COL_JA4);
        VarCharVector clientLegacy = text(root, TlsHandshakeSchema.COL_CLIENT_LEGACY_VERSION);
        VarCharVector serverVersion = text(root, TlsHandshakeSchema.COL_SERVER_VERSION);
        VarCharVector serverCipher = text(root, TlsHandshakeSchema.COL_SERVER_CIPHER);
        VarCharVector serverAlpn = text(root, TlsHandshakeSchema.COL_SERVER_ALPN);
        BigIntVector handshakeNs = (BigIntVector) root.getVector(TlsHandshakeSchema.COL_HANDSHAKE_NS);
        IntVector flags = (IntVector) root.getVector(TlsHandshakeSchema.COL_FLAGS);

        int n = root.getRowCount();
        List<TlsHandshakeFacts> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int f = flags.get(i);
            String negotiated = string(serverVersion, i);
            String cipher = string(serverCipher, i);
            String legacy = string(clientLegacy, i);
            out.add(new TlsHandshakeFacts(
                ts.get(i),
                address(dst.get(i)),
                dport.get(i),
                string(sni, i),
                versions(string(clientVersions, i)),
                legacy == null ? 0 : Math.max(0, TlsNames.parseVersion(legacy)),
                list(string(clientAlpn, i)),
                string(ja4, i),
                (f & TlsHandshake.FLAG_NO_SERVER_HELLO) == 0,
                negotiated == null ? 0 : Math.max(0, TlsNames.parseVersion(negotiated)),
                cipher == null ? -1 : TlsNames.parseHex16(cipher),
                string(serverAlpn, i),
                handshakeNs.isNull(i) ? -1 : handshakeNs.get(i),
                (f & UNPARSEABLE) != 0));
        }
        return out;
    }

    private static VarCharVector text(VectorSchemaRoot root, int column) {
        return (VarCharVector) root.getVector(column);
    }

    private static String string(VarCharVector v, int row) {
        return v.isNull(row) ? null : new String(v.get(row), StandardCharsets.UTF_8);
    }

    /** "TLS 1.3,0x7a7a,TLS 1.2" → their numbers; text that names no version is left out. */
    static List<Integer> versions(String joined) {
        List<Integer> out = new ArrayList<>();
        for (String name : list(joined)) {
            int v = TlsNames.parseVersion(name);
            if (v >= 0) {
                out.add(v);
            }
        }
        return out;
    }

    private static List<String> list(String joined) {
        if (joined == null || joined.isEmpty()) {
            return List.of();
        }
        return List.of(joined.split(",", -1));
    }

    /**
     * 16 bytes (IPv4 mapped as ::ffff:a.b.c.d) as text: {@code 10.0.0.1}, or IPv6 in RFC 5952 form
     * ({@code 2001:db8::1}: lower case, no leading zeros, the longest run of two or more zero groups
     * as ::), as URLs and spec servers write it.
     */
    static String address(byte[] a) {
        return io.gatelens.collector.cli.TransactionRowWriter.formatAddress(a);
    }
}
