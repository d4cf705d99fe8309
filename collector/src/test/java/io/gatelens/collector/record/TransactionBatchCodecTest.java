package io.gatelens.collector.record;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TransactionBatchCodecTest {
    private RootAllocator allocator;

    @BeforeEach
    void setUp() {
        allocator = new RootAllocator();
    }

    @AfterEach
    void tearDown() {
        assertEquals(0, allocator.getAllocatedMemory(), "Arrow memory leaked");
        allocator.close();
    }

    @Test
    void aBatchSurvivesTheRoundTripRowForRow() {
        byte[][] recs = new byte[300][];
        for (int i = 0; i < recs.length; i++) {
            recs[i] = RecordBytes.http().clientPort(1000 + i).path("/items/" + i + "?q=\"<x>\"").build();
        }
        ByteBuffer buf = RecordBytes.direct(recs);
        List<VectorSchemaRoot> batches = new ArrayList<>();
        try (TransactionBatcher b = new TransactionBatcher(allocator, 1000, 60_000, batches::add)) {
            b.append(buf, 0, recs.length * HttpRecordLayout.SIZE, 0);
        }
        try (VectorSchemaRoot original = batches.get(0)) {
            byte[] bytes = TransactionBatchCodec.encode(original);
            try (VectorSchemaRoot decoded = TransactionBatchCodec.decode(bytes, allocator)) {
                assertEquals(TransactionSchema.schema(), decoded.getSchema());
                assertEquals(TransactionRow.readAll(original), TransactionRow.readAll(decoded));
            }
        }
    }

    @Test
    void refusesBytesThatAreNotATransactionBatch() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> TransactionBatchCodec.decode("GET / HTTP/1.1\r\n".getBytes(), allocator));
        assertTrue(e.getMessage().contains("Arrow"), e.getMessage());

        Schema other = new Schema(List.of(Field.nullable("x", new ArrowType.Int(32, true))));
        try (VectorSchemaRoot root = VectorSchemaRoot.create(other, allocator)) {
            ((IntVector) root.getVector(0)).setSafe(0, 7);
            root.setRowCount(1);
            byte[] bytes = TransactionBatchCodec.encode(root);
            e = assertThrows(IllegalArgumentException.class, () -> TransactionBatchCodec.decode(bytes, allocator));
            assertTrue(e.getMessage().contains("http_transaction"), e.getMessage());
        }
    }
}
