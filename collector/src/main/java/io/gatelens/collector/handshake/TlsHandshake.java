package io.gatelens.collector.handshake;

import static io.gatelens.collector.record.TlsHandshakeSchema.*;

import io.gatelens.collector.record.TlsHandshakeSchema;
import io.gatelens.collector.tls.TlsVersions;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.function.IntFunction;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FixedSizeBinaryVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * One TLS handshake of one TCP connection, as a {@link TlsHandshakeSchema} row in Java values:
 * what its ClientHello offered and what its ServerHello chose. Text fields follow the schema's
 * conventions; null where the schema allows it.
 */
public record TlsHandshake(long tsNs, byte[] src, int sport, byte[] dst, int dport, int family, int direction,
                           int ifindex, String sni, String clientVersions, String clientAlpn, String cipherSuites,
                           String clientExtensions, String signatureAlgorithms, String ja4, String ja4Raw,
                           String recordVersion, String clientLegacyVersion, String serverVersion,
                           String serverCipher, String serverAlpn, Long handshakeNs, int flags) {

    /** No ServerHello: the connection went idle (the idle timeout), or the capture ended. */
    public static final int FLAG_NO_SERVER_HELLO = 1 << 0;
    /** The ClientHello's bytes are all there but are no valid ClientHello. */
    public static final int FLAG_CLIENT_HELLO_UNPARSEABLE = 1 << 1;
    /** The ServerHello's bytes are all there but are no valid ServerHello. */
    public static final int FLAG_SERVER_HELLO_UNPARSEABLE = 1 << 2;
    /** Bytes of a hello are missing: chunks lost, a hello longer than the kernel copies, a cap. */
    public static final int FLAG_TRUNCATED = 1 << 3;
    /** Only the ServerHello was seen (the capture started after the ClientHello). */
    public static final int FLAG_NO_CLIENT_HELLO = 1 << 4;
    /** The server sent a HelloRetryRequest; the fields are the first ClientHello's and the final ServerHello's. */
    public static final int FLAG_HELLO_RETRY = 1 << 5;
    /** Reported early because the collector's table of pending connections was full. */
    public static final int FLAG_EVICTED = 1 << 6;

    private static final String[] FLAG_NAMES = {
        "NO_SERVER_HELLO", "CLIENT_HELLO_UNPARSEABLE", "SERVER_HELLO_UNPARSEABLE", "TRUNCATED",
        "NO_CLIENT_HELLO", "HELLO_RETRY", "EVICTED",
    };

    public boolean has(int flag) {
        return (flags & flag) == flag;
    }

    public InetAddress client() {
        return address(src);
    }

    public InetAddress server() {
        return address(dst);
    }

    /** Names of the bits set, lowest first; unknown bits as "BIT_n". */
    public static List<String> flagNames(int flags) {
        if (flags == 0) {
            return Collections.emptyList();
        }
        List<String> names = new ArrayList<>();
        for (int bit = 0; bit < 32; bit++) {
            if ((flags & (1 << bit)) != 0) {
                names.add(bit < FLAG_NAMES.length ? FLAG_NAMES[bit] : "BIT_" + bit);
            }
        }
        return names;
    }

    // ------------------------------------------------------------------ text conventions

    /** Versions as names, comma-joined; null for an empty list. */
    public static String versions(List<Integer> values) {
        return join(values, TlsVersions::name);
    }

    /** 16-bit values as 0x%04x, comma-joined; null for an empty list. */
    public static String hex(List<Integer> values) {
        return join(values, v -> String.format("0x%04x", v));
    }

    public static String decimal(List<Integer> values) {
        return join(values, Integer::toString);
    }

    /** Wire text (each char one byte, ISO-8859-1) made safe for a comma-joined list: see the schema. */
    public static String escape(String wire) {
        if (wire == null) {
            return null;
        }
        StringBuilder sb = new StringBuilder(wire.length());
        for (int i = 0; i < wire.length(); i++) {
            char c = wire.charAt(i);
            if (c > 0x20 && c < 0x7f && c != ',' && c != '%') {
                sb.append(c);
            } else {
                sb.append('%').append(String.format("%02X", c & 0xff));
            }
        }
        return sb.toString();
    }

    /** ALPN names escaped and comma-joined; null for an empty list. */
    public static String alpn(List<String> names) {
        if (names.isEmpty()) {
            return null;
        }
        List<String> out = new ArrayList<>(names.size());
        names.forEach(n -> out.add(escape(n)));
        return String.join(",", out);
    }

    private static String join(List<Integer> values, IntFunction<String> f) {
        if (values == null || values.isEmpty()) {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        for (int v : values) {
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(f.apply(v));
        }
        return sb.toString();
    }

    // ------------------------------------------------------------------ Arrow

    /** Every row of a {@link TlsHandshakeSchema} batch. */
    public static List<TlsHandshake> readAll(VectorSchemaRoot root) {
        BigIntVector ts = (BigIntVector) root.getVector(COL_TS_NS);
        FixedSizeBinaryVector src = (FixedSizeBinaryVector) root.getVector(COL_SRC);
        IntVector sport = (IntVector) root.getVector(COL_SPORT);
        FixedSizeBinaryVector dst = (FixedSizeBinaryVector) root.getVector(COL_DST);
        IntVector dport = (IntVector) root.getVector(COL_DPORT);
        TinyIntVector family = (TinyIntVector) root.getVector(COL_FAMILY);
        TinyIntVector direction = (TinyIntVector) root.getVector(COL_DIRECTION);
        IntVector ifindex = (IntVector) root.getVector(COL_IFINDEX);
        BigIntVector hs = (BigIntVector) root.getVector(COL_HANDSHAKE_NS);
        IntVector flags = (IntVector) root.getVector(COL_FLAGS);
        List<TlsHandshake> out = new ArrayList<>(root.getRowCount());
        for (int i = 0; i < root.getRowCount(); i++) {
            out.add(new TlsHandshake(ts.get(i), src.get(i), sport.get(i), dst.get(i), dport.get(i), family.get(i),
                    direction.get(i), ifindex.get(i), text(root, COL_SNI, i), text(root, COL_CLIENT_VERSIONS, i),
                    text(root, COL_CLIENT_ALPN, i), text(root, COL_CIPHER_SUITES, i),
                    text(root, COL_CLIENT_EXTENSIONS, i), text(root, COL_SIGNATURE_ALGORITHMS, i),
                    text(root, COL_JA4, i), text(root, COL_JA4_RAW, i), text(root, COL_RECORD_VERSION, i),
                    text(root, COL_CLIENT_LEGACY_VERSION, i), text(root, COL_SERVER_VERSION, i),
                    text(root, COL_SERVER_CIPHER, i), text(root, COL_SERVER_ALPN, i),
                    hs.isNull(i) ? null : hs.get(i), flags.get(i)));
        }
        return out;
    }

    /** Appends this row to root (allocated with the schema) as row number root.getRowCount(). */
    public void appendTo(VectorSchemaRoot root) {
        int i = root.getRowCount();
        ((BigIntVector) root.getVector(COL_TS_NS)).setSafe(i, tsNs);
        ((FixedSizeBinaryVector) root.getVector(COL_SRC)).setSafe(i, src);
        ((IntVector) root.getVector(COL_SPORT)).setSafe(i, sport);
        ((FixedSizeBinaryVector) root.getVector(COL_DST)).setSafe(i, dst);
        ((IntVector) root.getVector(COL_DPORT)).setSafe(i, dport);
        ((TinyIntVector) root.getVector(COL_FAMILY)).setSafe(i, family);
        ((TinyIntVector) root.getVector(COL_DIRECTION)).setSafe(i, direction);
        ((IntVector) root.getVector(COL_IFINDEX)).setSafe(i, ifindex);
        String[] text = {sni, clientVersions, clientAlpn, cipherSuites, clientExtensions, signatureAlgorithms, ja4,
            ja4Raw, recordVersion, clientLegacyVersion, serverVersion, serverCipher, serverAlpn};
        for (int c = 0; c < text.length; c++) {
            VarCharVector v = (VarCharVector) root.getVector(COL_SNI + c);
            if (text[c] == null) {
                v.setNull(i);
            } else {
                v.setSafe(i, text[c].getBytes(StandardCharsets.UTF_8));
            }
        }
        BigIntVector hs = (BigIntVector) root.getVector(COL_HANDSHAKE_NS);
        if (handshakeNs == null) {
            hs.setNull(i);
        } else {
            hs.setSafe(i, handshakeNs);
        }
        ((IntVector) root.getVector(COL_FLAGS)).setSafe(i, flags);
        root.setRowCount(i + 1);
    }

    private static String text(VectorSchemaRoot root, int col, int row) {
        VarCharVector v = (VarCharVector) root.getVector(col);
        return v.isNull(row) ? null : new String(v.get(row), StandardCharsets.UTF_8);
    }

    private static InetAddress address(byte[] sixteen) {
        try {
            return InetAddress.getByAddress(Arrays.copyOf(sixteen, 16));
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return "TlsHandshake[" + client().getHostAddress() + ":" + sport + " -> " + server().getHostAddress() + ":"
                + dport + " sni=" + sni + " alpn=" + clientAlpn + " versions=" + clientVersions + " server="
                + serverVersion + "/" + serverCipher + "/" + serverAlpn + " ja4=" + ja4 + " hs_ns=" + handshakeNs
                + " flags=" + flagNames(flags) + " dir=" + direction + "]";
    }
}
