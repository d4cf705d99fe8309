package io.gatelens.collector.record;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;

class TransactionSchemaTest {
    @Test
    void fieldsInOrderWithTypesAndNullability() {
        Schema s = TransactionSchema.schema();
        assertEquals(List.of("ts_ns", "src", "sport", "dst", "dport", "family", "direction", "ifindex",
                        "method", "path", "host", "status", "req_bytes", "resp_bytes", "ttfb_ns",
                        "latency_ns", "flags"),
                s.getFields().stream().map(Field::getName).collect(Collectors.toList()));
        String nullable = s.getFields().stream().filter(Field::isNullable).map(Field::getName)
                .collect(Collectors.joining(","));
        assertEquals("host,status,ttfb_ns,latency_ns", nullable);

        assertEquals(new ArrowType.Int(64, true), type(s, "ts_ns"));
        assertEquals(new ArrowType.FixedSizeBinary(16), type(s, "src"));
        assertEquals(new ArrowType.FixedSizeBinary(16), type(s, "dst"));
        assertEquals(new ArrowType.Int(32, true), type(s, "sport"));
        assertEquals(new ArrowType.Int(32, true), type(s, "dport"));
        assertEquals(new ArrowType.Int(8, true), type(s, "family"));
        assertEquals(new ArrowType.Int(8, true), type(s, "direction"));
        assertEquals(new ArrowType.Int(32, true), type(s, "ifindex"));
        assertEquals(ArrowType.Utf8.INSTANCE, type(s, "method"));
        assertEquals(ArrowType.Utf8.INSTANCE, type(s, "path"));
        assertEquals(ArrowType.Utf8.INSTANCE, type(s, "host"));
        assertEquals(new ArrowType.Int(32, true), type(s, "status"));
        assertEquals(new ArrowType.Int(64, true), type(s, "req_bytes"));
        assertEquals(new ArrowType.Int(64, true), type(s, "resp_bytes"));
        assertEquals(new ArrowType.Int(64, true), type(s, "ttfb_ns"));
        assertEquals(new ArrowType.Int(64, true), type(s, "latency_ns"));
        assertEquals(new ArrowType.Int(32, true), type(s, "flags"));
    }

    @Test
    void columnConstantsMatchPositions() {
        List<Field> f = TransactionSchema.schema().getFields();
        assertEquals(TransactionSchema.TS_NS, f.get(TransactionSchema.COL_TS_NS).getName());
        assertEquals(TransactionSchema.SRC, f.get(TransactionSchema.COL_SRC).getName());
        assertEquals(TransactionSchema.SPORT, f.get(TransactionSchema.COL_SPORT).getName());
        assertEquals(TransactionSchema.DST, f.get(TransactionSchema.COL_DST).getName());
        assertEquals(TransactionSchema.DPORT, f.get(TransactionSchema.COL_DPORT).getName());
        assertEquals(TransactionSchema.FAMILY, f.get(TransactionSchema.COL_FAMILY).getName());
        assertEquals(TransactionSchema.DIRECTION, f.get(TransactionSchema.COL_DIRECTION).getName());
        assertEquals(TransactionSchema.IFINDEX, f.get(TransactionSchema.COL_IFINDEX).getName());
        assertEquals(TransactionSchema.METHOD, f.get(TransactionSchema.COL_METHOD).getName());
        assertEquals(TransactionSchema.PATH, f.get(TransactionSchema.COL_PATH).getName());
        assertEquals(TransactionSchema.HOST, f.get(TransactionSchema.COL_HOST).getName());
        assertEquals(TransactionSchema.STATUS, f.get(TransactionSchema.COL_STATUS).getName());
        assertEquals(TransactionSchema.REQ_BYTES, f.get(TransactionSchema.COL_REQ_BYTES).getName());
        assertEquals(TransactionSchema.RESP_BYTES, f.get(TransactionSchema.COL_RESP_BYTES).getName());
        assertEquals(TransactionSchema.TTFB_NS, f.get(TransactionSchema.COL_TTFB_NS).getName());
        assertEquals(TransactionSchema.LATENCY_NS, f.get(TransactionSchema.COL_LATENCY_NS).getName());
        assertEquals(TransactionSchema.FLAGS, f.get(TransactionSchema.COL_FLAGS).getName());
    }

    @Test
    void versionedInSchemaMetadata() {
        assertEquals(1, TransactionSchema.VERSION);
        assertEquals(Map.of("gatelens.schema", "http_transaction", "gatelens.schema_version", "1"),
                TransactionSchema.schema().getCustomMetadata());
    }

    private static ArrowType type(Schema s, String name) {
        return s.findField(name).getType();
    }
}
