package io.gatelens.collector.record;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TransactionBatcherTest {
    private RootAllocator allocator;
    private final AtomicLong clock = new AtomicLong(1_000);
    /** Batches received, as the client ports of their rows; the sink closes each batch. */
    private final List<List<Integer>> batches = new ArrayList<>();
    private final ArrowBatchSink sink = batch -> {
        try (batch) {
            assertEquals(TransactionSchema.schema(), batch.getSchema());
            IntVector sport = (IntVector) batch.getVector(TransactionSchema.SPORT);
            List<Integer> ports = new ArrayList<>();
            for (int i = 0; i < batch.getRowCount(); i++) {
                ports.add(sport.get(i));
            }
            batches.add(ports);
        }
    };

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
    void closesABatchAtExactlyMaxRows() {
        try (TransactionBatcher b = new TransactionBatcher(allocator, 5, 60_000, sink, clock::get)) {
            assertEquals(4, b.append(records(0, 4), 0, 4 * HttpRecordLayout.SIZE, 0));
            assertTrue(batches.isEmpty());
            assertEquals(4, b.pendingRows());

            assertEquals(1, b.append(records(4, 1), 0, HttpRecordLayout.SIZE, 0));
            assertEquals(List.of(List.of(0, 1, 2, 3, 4)), batches);
            assertEquals(0, b.pendingRows());
            assertEquals(1, b.batchesEmitted());
            assertEquals(5, b.rowsEmitted());
        }
        assertEquals(1, batches.size(), "close must not emit an empty batch");
    }

    @Test
    void splitsALargeAppendSoNoBatchExceedsMaxRows() {
        try (TransactionBatcher b = new TransactionBatcher(allocator, 4, 60_000, sink, clock::get)) {
            b.append(records(0, 1), 0, HttpRecordLayout.SIZE, 0);
            assertEquals(10, b.append(records(1, 10), 0, 10 * HttpRecordLayout.SIZE, 0));
            assertEquals(List.of(List.of(0, 1, 2, 3), List.of(4, 5, 6, 7)), batches);
            assertEquals(3, b.pendingRows());
        }
        assertEquals(List.of(List.of(0, 1, 2, 3), List.of(4, 5, 6, 7), List.of(8, 9, 10)), batches);
    }

    @Test
    void aFullBatchThenExactlyNothingLeft() {
        try (TransactionBatcher b = new TransactionBatcher(allocator, 3, 60_000, sink, clock::get)) {
            b.append(records(0, 6), 0, 6 * HttpRecordLayout.SIZE, 0);
            assertEquals(List.of(List.of(0, 1, 2), List.of(3, 4, 5)), batches);
            assertEquals(0, b.pendingRows());
            assertFalse(b.flush());
        }
        assertEquals(2, batches.size());
    }

    @Test
    void pollClosesABatchMaxMillisAfterItsFirstRow() {
        try (TransactionBatcher b = new TransactionBatcher(allocator, 1_000, 100, sink, clock::get)) {
            assertFalse(b.poll(5_000), "nothing to emit while empty");
            clock.set(2_000);
            b.append(records(0, 1), 0, HttpRecordLayout.SIZE, 0);
            clock.set(2_050);
            b.append(records(1, 1), 0, HttpRecordLayout.SIZE, 0); // does not restart the age

            assertFalse(b.poll(2_099));
            assertTrue(batches.isEmpty());
            assertTrue(b.poll(2_100));
            assertEquals(List.of(List.of(0, 1)), batches);

            clock.set(3_000);
            b.append(records(2, 1), 0, HttpRecordLayout.SIZE, 0);
            assertFalse(b.poll(3_099), "the age is counted from the new batch's first row");
            clock.set(3_100);
            assertTrue(b.poll());
            assertEquals(List.of(List.of(0, 1), List.of(2)), batches);
        }
    }

    @Test
    void flushAndCloseHandOverPendingRowsAndFreeEverything() {
        TransactionBatcher b = new TransactionBatcher(allocator, 100, 60_000, sink, clock::get);
        b.append(records(0, 2), 0, 2 * HttpRecordLayout.SIZE, 0);
        assertTrue(b.flush());
        assertFalse(b.flush());
        b.append(records(2, 1), 0, HttpRecordLayout.SIZE, 0);
        assertTrue(allocator.getAllocatedMemory() > 0);
        b.close();
        b.close(); // idempotent
        assertEquals(List.of(List.of(0, 1), List.of(2)), batches);
        assertEquals(0, allocator.getAllocatedMemory());
        assertThrows(IllegalStateException.class, () -> b.append(records(0, 1), 0, HttpRecordLayout.SIZE, 0));
        assertThrows(IllegalStateException.class, () -> b.poll(0));
    }

    @Test
    void batchesMayOutliveTheBatcher() {
        List<VectorSchemaRoot> kept = new ArrayList<>();
        try (TransactionBatcher b = new TransactionBatcher(allocator, 2, 60_000, kept::add, clock::get)) {
            b.append(records(0, 5), 0, 5 * HttpRecordLayout.SIZE, 0);
        }
        assertEquals(3, kept.size());
        assertEquals(5, kept.stream().mapToInt(VectorSchemaRoot::getRowCount).sum());
        assertEquals(4, ((IntVector) kept.get(2).getVector(TransactionSchema.SPORT)).get(0));
        assertTrue(allocator.getAllocatedMemory() > 0);
        kept.forEach(VectorSchemaRoot::close);
    }

    @Test
    void largeBatchesGrowWithoutLeaking() {
        int n = 20_000;
        try (TransactionBatcher b = new TransactionBatcher(allocator, 15_000, 60_000, sink, clock::get)) {
            ByteBuffer buf = records(0, n);
            assertEquals(n, b.append(buf, 0, n * HttpRecordLayout.SIZE, 0));
        }
        assertEquals(2, batches.size());
        assertEquals(15_000, batches.get(0).size());
        assertEquals(5_000, batches.get(1).size());
        assertEquals(14_999 % 65_536, batches.get(0).get(14_999));
        assertEquals(19_999 % 65_536, batches.get(1).get(4_999));
    }

    @Test
    void unknownRecordsAreSkippedAndCounted() {
        byte[] unknown = RecordBytes.http().type(99).build();
        byte[] good = RecordBytes.http().clientPort(7).build();
        try (TransactionBatcher b = new TransactionBatcher(allocator, 2, 60_000, sink, clock::get)) {
            ByteBuffer buf = RecordBytes.direct(good, unknown, good, unknown, good);
            assertEquals(3, b.append(buf, 0, buf.capacity(), 0));
            assertEquals(2, b.skippedRecords());
            assertEquals(1, batches.size());
            assertEquals(1, b.pendingRows());
        }
    }

    @Test
    void aFailingSinkDoesNotLeak() {
        ArrowBatchSink failing = batch -> {
            throw new IllegalStateException("disk full");
        };
        TransactionBatcher b = new TransactionBatcher(allocator, 2, 60_000, failing, clock::get);
        assertThrows(IllegalStateException.class, () -> b.append(records(0, 2), 0, 2 * HttpRecordLayout.SIZE, 0));
        b.append(records(0, 1), 0, HttpRecordLayout.SIZE, 0);
        assertThrows(IllegalStateException.class, b::close);
        assertEquals(0, allocator.getAllocatedMemory());
    }

    @Test
    void validatesArguments() {
        IllegalArgumentException e;
        e = assertThrows(IllegalArgumentException.class, () -> new TransactionBatcher(allocator, 0, 1, sink));
        assertTrue(e.getMessage().contains("maxRows"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new TransactionBatcher(allocator, TransactionBatcher.MAX_ROWS_LIMIT + 1, 1, sink));
        assertTrue(e.getMessage().contains("maxRows"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new TransactionBatcher(allocator, 10, 0, sink));
        assertTrue(e.getMessage().contains("maxMillis"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new TransactionBatcher(null, 10, 10, sink));
        assertTrue(e.getMessage().contains("parent"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new TransactionBatcher(allocator, 10, 10, null));
        assertTrue(e.getMessage().contains("sink"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new TransactionBatcher(allocator, 10, 10, sink, null));
        assertTrue(e.getMessage().contains("clock"), e.getMessage());
    }

    /** n records whose client ports are first, first + 1, ... */
    private static ByteBuffer records(int first, int n) {
        byte[][] recs = new byte[n][];
        for (int i = 0; i < n; i++) {
            recs[i] = RecordBytes.http().clientPort((first + i) % 65_536).path("/r/" + (first + i)).build();
        }
        return RecordBytes.direct(recs);
    }
}
