package io.gatelens.collector.record;

import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The Arrow schema of decoded HTTP transactions: one row per {@code struct gl_http_record}.
 * It is versioned in the schema metadata so files written today stay readable after the
 * schema changes: bump {@link #VERSION} on any incompatible change (rename, retype, reorder).
 */
public final class TransactionSchema {
    private TransactionSchema() {}

    public static final int VERSION = 1;
    public static final String META_SCHEMA = "gatelens.schema";
    public static final String META_SCHEMA_VERSION = "gatelens.schema_version";
    public static final String SCHEMA_NAME = "http_transaction";

    /** Request start, epoch ns. */
    public static final String TS_NS = "ts_ns";
    /** Client address, 16 bytes, IPv4 mapped. */
    public static final String SRC = "src";
    public static final String SPORT = "sport";
    /** Server address, 16 bytes, IPv4 mapped. */
    public static final String DST = "dst";
    public static final String DPORT = "dport";
    /** 4 or 6. */
    public static final String FAMILY = "family";
    /** 0 unknown, 1 this host served it, 2 this host called it. */
    public static final String DIRECTION = "direction";
    public static final String IFINDEX = "ifindex";
    public static final String METHOD = "method";
    public static final String PATH = "path";
    /** Null when the request had no Host header in its first segment. */
    public static final String HOST = "host";
    /** Null when there was no response. */
    public static final String STATUS = "status";
    public static final String REQ_BYTES = "req_bytes";
    public static final String RESP_BYTES = "resp_bytes";
    /** Null when there was no response. */
    public static final String TTFB_NS = "ttfb_ns";
    /** Null when there was no response. */
    public static final String LATENCY_NS = "latency_ns";
    /** GL_F_* bits, see {@link HttpRecordLayout#flagNames(int)}. */
    public static final String FLAGS = "flags";

    // Column indexes, in schema order.
    public static final int COL_TS_NS = 0;
    public static final int COL_SRC = 1;
    public static final int COL_SPORT = 2;
    public static final int COL_DST = 3;
    public static final int COL_DPORT = 4;
    public static final int COL_FAMILY = 5;
    public static final int COL_DIRECTION = 6;
    public static final int COL_IFINDEX = 7;
    public static final int COL_METHOD = 8;
    public static final int COL_PATH = 9;
    public static final int COL_HOST = 10;
    public static final int COL_STATUS = 11;
    public static final int COL_REQ_BYTES = 12;
    public static final int COL_RESP_BYTES = 13;
    public static final int COL_TTFB_NS = 14;
    public static final int COL_LATENCY_NS = 15;
    public static final int COL_FLAGS = 16;

    private static final ArrowType INT8 = new ArrowType.Int(8, true);
    private static final ArrowType INT32 = new ArrowType.Int(32, true);
    private static final ArrowType INT64 = new ArrowType.Int(64, true);
    private static final ArrowType ADDR = new ArrowType.FixedSizeBinary(HttpRecordLayout.ADDR_LEN);

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
                    field(METHOD, ArrowType.Utf8.INSTANCE, false),
                    field(PATH, ArrowType.Utf8.INSTANCE, false),
                    field(HOST, ArrowType.Utf8.INSTANCE, true),
                    field(STATUS, INT32, true),
                    field(REQ_BYTES, INT64, false),
                    field(RESP_BYTES, INT64, false),
                    field(TTFB_NS, INT64, true),
                    field(LATENCY_NS, INT64, true),
                    field(FLAGS, INT32, false)),
            Map.of(META_SCHEMA, SCHEMA_NAME, META_SCHEMA_VERSION, Integer.toString(VERSION)));

    /** The schema (immutable, shared). */
    public static Schema schema() {
        return SCHEMA;
    }

    private static Field field(String name, ArrowType type, boolean nullable) {
        return new Field(name, new FieldType(nullable, type, null), null);
    }
}
