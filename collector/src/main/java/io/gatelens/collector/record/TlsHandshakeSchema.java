package io.gatelens.collector.record;

import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The Arrow schema of TLS handshakes: one row per TCP connection whose ClientHello or
 * ServerHello the kernel copied (collector/.../handshake/ reassembles and parses them). Versioned
 * in the schema metadata like {@link TransactionSchema}: bump {@link #VERSION} on any
 * incompatible change; fields are only added at the end.
 *
 * <p>Text conventions (docs/architecture.md): versions are names ("TLS 1.3"; other values, GREASE
 * included, as "0x7a7a"); lists are comma-joined in wire order with GREASE kept; cipher suites and
 * signature algorithms are "0x1301"-style hex, extension types decimal; SNI and ALPN names are
 * the bytes as sent with every byte outside printable ASCII, and ',' and '%', written as %XX.
 */
public final class TlsHandshakeSchema {
    private TlsHandshakeSchema() {}

    public static final int VERSION = 1;
    public static final String SCHEMA_NAME = "tls_handshake";

    /** ClientHello's first segment, epoch ns (the ServerHello's when no ClientHello was seen). */
    public static final String TS_NS = "ts_ns";
    /** Client address, 16 bytes, IPv4 mapped. */
    public static final String SRC = "src";
    public static final String SPORT = "sport";
    /** Server address, 16 bytes, IPv4 mapped. */
    public static final String DST = "dst";
    public static final String DPORT = "dport";
    public static final String FAMILY = "family";
    /** 0 unknown (offline), 1 this host served the connection, 2 this host opened it. */
    public static final String DIRECTION = "direction";
    public static final String IFINDEX = "ifindex";
    /** server_name host_name; null without one (or without a parsed ClientHello). */
    public static final String SNI = "sni";
    /** supported_versions of the ClientHello; null without the extension. */
    public static final String CLIENT_VERSIONS = "client_versions";
    /** ALPN protocols offered; null without the extension. */
    public static final String CLIENT_ALPN = "client_alpn";
    public static final String CIPHER_SUITES = "cipher_suites";
    public static final String CLIENT_EXTENSIONS = "client_extensions";
    /** signature_algorithms; null without the extension. */
    public static final String SIGNATURE_ALGORITHMS = "signature_algorithms";
    public static final String JA4 = "ja4";
    public static final String JA4_RAW = "ja4_raw";
    /** Version field of the record that carried the ClientHello. */
    public static final String RECORD_VERSION = "record_version";
    /** legacy_version of the ClientHello. */
    public static final String CLIENT_LEGACY_VERSION = "client_legacy_version";
    /** Negotiated: supported_versions of the ServerHello (TLS 1.3), else its legacy_version. */
    public static final String SERVER_VERSION = "server_version";
    public static final String SERVER_CIPHER = "server_cipher";
    /** The protocol the server selected, when sent in the clear (TLS 1.2 and below). */
    public static final String SERVER_ALPN = "server_alpn";
    /** ClientHello's first segment to the ServerHello's first segment; null without both. */
    public static final String HANDSHAKE_NS = "handshake_ns";
    /** {@link io.gatelens.collector.handshake.TlsHandshake}.FLAG_* bits. */
    public static final String FLAGS = "flags";

    public static final int COL_TS_NS = 0;
    public static final int COL_SRC = 1;
    public static final int COL_SPORT = 2;
    public static final int COL_DST = 3;
    public static final int COL_DPORT = 4;
    public static final int COL_FAMILY = 5;
    public static final int COL_DIRECTION = 6;
    public static final int COL_IFINDEX = 7;
    public static final int COL_SNI = 8;
    public static final int COL_CLIENT_VERSIONS = 9;
    public static final int COL_CLIENT_ALPN = 10;
    public static final int COL_CIPHER_SUITES = 11;
    public static final int COL_CLIENT_EXTENSIONS = 12;
    public static final int COL_SIGNATURE_ALGORITHMS = 13;
    public static final int COL_JA4 = 14;
    public static final int COL_JA4_RAW = 15;
    public static final int COL_RECORD_VERSION = 16;
    public static final int COL_CLIENT_LEGACY_VERSION = 17;
    public static final int COL_SERVER_VERSION = 18;
    public static final int COL_SERVER_CIPHER = 19;
    public static final int COL_SERVER_ALPN = 20;
    public static final int COL_HANDSHAKE_NS = 21;
    public static final int COL_FLAGS = 22;

    private static final ArrowType INT8 = new ArrowType.Int(8, true);
    private static final ArrowType INT32 = new ArrowType.Int(32, true);
    private static final ArrowType INT64 = new ArrowType.Int(64, true);
    private static final ArrowType ADDR = new ArrowType.FixedSizeBinary(HttpRecordLayout.ADDR_LEN);
    private static final ArrowType UTF8 = ArrowType.Utf8.INSTANCE;

    private static final Schema SCHEMA = new Schema(
            List.of(
                    field(TS_NS, INT64, false),
                    field(SRC, ADDR, false),
                    field(SPORT, INT32, false),
                    field(DST, ADDR, false),
                    field(DPORT, INT32, false),
                    field(FAMILY, INT8, false),
                    field(DIRECTION, INT8, false),
                    field(IFINDEX, INT32, false),
                    field(SNI, UTF8, true),
                    field(CLIENT_VERSIONS, UTF8, true),
                    field(CLIENT_ALPN, UTF8, true),
                    field(CIPHER_SUITES, UTF8, true),
                    field(CLIENT_EXTENSIONS, UTF8, true),
                    field(SIGNATURE_ALGORITHMS, UTF8, true),
                    field(JA4, UTF8, true),
                    field(JA4_RAW, UTF8, true),
                    field(RECORD_VERSION, UTF8, true),
                    field(CLIENT_LEGACY_VERSION, UTF8, true),
                    field(SERVER_VERSION, UTF8, true),
                    field(SERVER_CIPHER, UTF8, true),
                    field(SERVER_ALPN, UTF8, true),
                    field(HANDSHAKE_NS, INT64, true),
                    field(FLAGS, INT32, false)),
            Map.of(TransactionSchema.META_SCHEMA, SCHEMA_NAME,
                    TransactionSchema.META_SCHEMA_VERSION, Integer.toString(VERSION)));

    /** The schema (immutable, shared). */
    public static Schema schema() {
        return SCHEMA;
    }

    private static Field field(String name, ArrowType type, boolean nullable) {
        return new Field(name, new FieldType(nullable, type, null), null);
    }
}
