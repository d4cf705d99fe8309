package io.gatelens.collector.record;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FixedSizeBinaryVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HttpRecordDecoderTest {
    private BufferAllocator allocator;
    private VectorSchemaRoot root;
    private final HttpRecordDecoder decoder = new HttpRecordDecoder();

    @BeforeEach
    void setUp() {
        allocator = new RootAllocator();
        root = VectorSchemaRoot.create(TransactionSchema.schema(), allocator);
        root.allocateNew();
    }

    @AfterEach
    void tearDown() {
        root.close();
        assertEquals(0, allocator.getAllocatedMemory(), "decoder leaked Arrow memory");
        allocator.close();
    }

    @Test
    void decodesEveryFieldOfAnIpv4Record() {
        byte[] rec = RecordBytes.http()
                .flags(HttpRecordLayout.FLAG_PIPELINED | HttpRecordLayout.FLAG_RESP_EOF)
                .status(404).family(4).direction(2).ifindex(7)
                .startNs(123_456_789_000L).ttfbNs(1_111).latencyNs(2_222)
                .reqBytes(345).respBytes(6_789_012_345L)
                .client("10.1.2.3").server("192.168.200.254")
                .clientPort(40_000).serverPort(80)
                .method("POST").host("shop.example").path("/cart/add?id=42")
                .build();

        assertEquals(1, decoder.decode(RecordBytes.direct(rec), 0, rec.length, root, 1_000L));

        assertEquals(1, root.getRowCount());
        assertEquals(123_456_790_000L, big(TransactionSchema.TS_NS).get(0));
        assertArrayEquals(RecordBytes.mapped("10.1.2.3"), bin(TransactionSchema.SRC).get(0));
        assertArrayEquals(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 10, 1, 2, 3},
                bin(TransactionSchema.SRC).get(0));
        assertArrayEquals(RecordBytes.mapped("192.168.200.254"), bin(TransactionSchema.DST).get(0));
        assertEquals(40_000, integer(TransactionSchema.SPORT).get(0));
        assertEquals(80, integer(TransactionSchema.DPORT).get(0));
        assertEquals(4, tiny(TransactionSchema.FAMILY).get(0));
        assertEquals(2, tiny(TransactionSchema.DIRECTION).get(0));
        assertEquals(7, integer(TransactionSchema.IFINDEX).get(0));
        assertEquals("POST", str(TransactionSchema.METHOD, 0));
        assertEquals("/cart/add?id=42", str(TransactionSchema.PATH, 0));
        assertEquals("shop.example", str(TransactionSchema.HOST, 0));
        assertEquals(404, integer(TransactionSchema.STATUS).get(0));
        assertEquals(345, big(TransactionSchema.REQ_BYTES).get(0));
        assertEquals(6_789_012_345L, big(TransactionSchema.RESP_BYTES).get(0));
        assertEquals(1_111, big(TransactionSchema.TTFB_NS).get(0));
        assertEquals(2_222, big(TransactionSchema.LATENCY_NS).get(0));
        assertEquals(HttpRecordLayout.FLAG_PIPELINED | HttpRecordLayout.FLAG_RESP_EOF,
                integer(TransactionSchema.FLAGS).get(0));
        assertEquals(0, decoder.skippedRecords());
    }

    @Test
    void decodesIpv6Addresses() {
        byte[] rec = RecordBytes.http().family(6)
                .client("2001:db8::1").server("fe80::abcd:ef01:2345:6789").build();

        decoder.decode(RecordBytes.direct(rec), 0, rec.length, root, 0);

        assertEquals(6, tiny(TransactionSchema.FAMILY).get(0));
        assertArrayEquals(new byte[] {0x20, 0x01, 0x0d, (byte) 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1},
                bin(TransactionSchema.SRC).get(0));
        assertArrayEquals(RecordBytes.mapped("fe80::abcd:ef01:2345:6789"), bin(TransactionSchema.DST).get(0));
    }

    @Test
    void portsAreBigEndianOnTheWire() {
        byte[] rec = RecordBytes.http().clientPort(0x0102).serverPort(0xfffe).build();
        assertEquals(0x01, rec[88]); // sanity of the test helper: network order
        assertEquals(0x02, rec[89]);

        decoder.decode(RecordBytes.direct(rec), 0, rec.length, root, 0);

        assertEquals(0x0102, integer(TransactionSchema.SPORT).get(0));
        assertEquals(0xfffe, integer(TransactionSchema.DPORT).get(0));
    }

    @Test
    void noResponseMakesStatusTtfbAndLatencyNull() {
        byte[] rec = RecordBytes.http().status(0).ttfbNs(999).latencyNs(888)
                .flags(HttpRecordLayout.FLAG_NO_RESPONSE | HttpRecordLayout.FLAG_TIMEOUT)
                .respBytes(0).build();
        byte[] answered = RecordBytes.http().status(204).ttfbNs(5).latencyNs(6).build();

        assertEquals(2, decoder.decode(RecordBytes.direct(rec, answered), 0, 2 * rec.length, root, 0));

        assertTrue(integer(TransactionSchema.STATUS).isNull(0));
        assertTrue(big(TransactionSchema.TTFB_NS).isNull(0));
        assertTrue(big(TransactionSchema.LATENCY_NS).isNull(0));
        assertEquals(HttpRecordLayout.FLAG_NO_RESPONSE | HttpRecordLayout.FLAG_TIMEOUT,
                integer(TransactionSchema.FLAGS).get(0));
        assertEquals(0, big(TransactionSchema.RESP_BYTES).get(0));
        assertEquals(204, integer(TransactionSchema.STATUS).get(1));
        assertEquals(5, big(TransactionSchema.TTFB_NS).get(1));
        assertEquals(6, big(TransactionSchema.LATENCY_NS).get(1));
    }

    @Test
    void flagsKeepAllSixteenBits() {
        byte[] rec = RecordBytes.http().flags(0xffff).build();
        decoder.decode(RecordBytes.direct(rec), 0, rec.length, root, 0);
        assertEquals(0xffff, integer(TransactionSchema.FLAGS).get(0));
    }

    @Test
    void hostLenZeroIsNullAndEmptyMethodIsEmpty() {
        byte[] rec = RecordBytes.http().host(null).method("").path("").build();
        decoder.decode(RecordBytes.direct(rec), 0, rec.length, root, 0);
        assertTrue(root.getVector(TransactionSchema.HOST).isNull(0));
        assertEquals("", str(TransactionSchema.METHOD, 0));
        assertEquals("", str(TransactionSchema.PATH, 0));
        assertFalse(root.getVector(TransactionSchema.PATH).isNull(0));
    }

    @Test
    void lyingLengthsAreClampedToTheirFields() {
        byte[] path = new byte[256];
        Arrays.fill(path, (byte) 'p');
        byte[] host = new byte[64];
        Arrays.fill(host, (byte) 'h');
        byte[] method = new byte[16];
        Arrays.fill(method, (byte) 'M');
        byte[] liar = RecordBytes.http().pathBytes(path).hostBytes(host).methodBytes(method)
                .pathLen(65_535).hostLen(255).methodLen(255).build();
        byte[] next = RecordBytes.http().path("/next").build();

        assertEquals(2, decoder.decode(RecordBytes.direct(liar, next), 0, 2 * liar.length, root, 0));

        assertEquals("p".repeat(256), str(TransactionSchema.PATH, 0));
        assertEquals("h".repeat(64), str(TransactionSchema.HOST, 0));
        assertEquals("M".repeat(16), str(TransactionSchema.METHOD, 0));
        assertEquals("/next", str(TransactionSchema.PATH, 1));
    }

    @Test
    void bytesBeyondTheLengthAreNotPartOfTheString() {
        // garbage after path_len (not zeroed) must not leak into the value
        byte[] rec = RecordBytes.http().path("/abcdefghi").fill(0xff).build();
        decoder.decode(RecordBytes.direct(rec), 0, rec.length, root, 0);
        assertEquals("/abcdefghi", str(TransactionSchema.PATH, 0));
        assertEquals("GET", str(TransactionSchema.METHOD, 0));
    }

    @Test
    void invalidUtf8BecomesReplacementCharacters() throws CharacterCodingException {
        byte[] path = {'/', 'a', (byte) 0xff, 'b', (byte) 0xc3};
        byte[] host = {'h', (byte) 0xed, (byte) 0xa0, (byte) 0x80, 'x'}; // a UTF-8 encoded surrogate
        byte[] rec = RecordBytes.http().pathBytes(path).hostBytes(host).build();

        decoder.decode(RecordBytes.direct(rec), 0, rec.length, root, 0);

        byte[] out = varchar(TransactionSchema.PATH).get(0);
        strictUtf8(out);
        assertEquals("/a\uFFFDb\uFFFD", new String(out, StandardCharsets.UTF_8));
        byte[] h = varchar(TransactionSchema.HOST).get(0);
        strictUtf8(h);
        assertTrue(new String(h, StandardCharsets.UTF_8).matches("h\uFFFD+x"), new String(h, StandardCharsets.UTF_8));
    }

    @Test
    void validUtf8IsKeptAsIs() {
        byte[] rec = RecordBytes.http().path("/caf\u00e9/\u65e5\u672c/\uD83D\uDE00").build();
        decoder.decode(RecordBytes.direct(rec), 0, rec.length, root, 0);
        assertEquals("/caf\u00e9/\u65e5\u672c/\uD83D\uDE00", str(TransactionSchema.PATH, 0));
    }

    @Test
    void aHighByteAnywhereInTheStringIsFound() throws CharacterCodingException {
        // every length and position, so word-wise ASCII checks must cover the partial last word
        int n = 0;
        for (int len = 1; len <= 20; len++) {
            for (int at = 0; at < len; at++) {
                byte[] p = new byte[len];
                Arrays.fill(p, (byte) 'a');
                p[at] = (byte) 0x80;
                byte[] rec = RecordBytes.http().pathBytes(p).build();
                decoder.decode(RecordBytes.direct(rec), 0, rec.length, root, 0);
                byte[] out = varchar(TransactionSchema.PATH).get(n);
                strictUtf8(out);
                String expect = "a".repeat(at) + "\uFFFD" + "a".repeat(len - at - 1);
                assertEquals(expect, new String(out, StandardCharsets.UTF_8), "len " + len + " at " + at);
                n++;
            }
        }
        assertEquals(n, root.getRowCount());
    }

    @Test
    void unknownTypeIsSkippedAndCounted() {
        byte[] a = RecordBytes.http().path("/a").build();
        byte[] unknown = RecordBytes.http().type(7).path("/unknown").build();
        byte[] zero = RecordBytes.http().type(0).path("/zero").build();
        byte[] b = RecordBytes.http().path("/b").build();

        int n = decoder.decode(RecordBytes.direct(a, unknown, zero, b), 0, 4 * a.length, root, 0);

        assertEquals(2, n);
        assertEquals(2, root.getRowCount());
        assertEquals("/a", str(TransactionSchema.PATH, 0));
        assertEquals("/b", str(TransactionSchema.PATH, 1));
        assertEquals(2, decoder.skippedRecords());
    }

    @Test
    void tlsChunksAreSteppedOverByTheirSize() {
        byte[] a = RecordBytes.http().path("/a").build();
        byte[] chunk = io.gatelens.collector.testing.TlsChunkBytes.chunk().data(new byte[] {0x16, 3, 1}).build();
        byte[] b = RecordBytes.http().path("/b").build();
        ByteBuffer buf = RecordBytes.direct(a, chunk, b, chunk);

        assertEquals(2, decoder.decode(buf, 0, buf.capacity(), root, 0));
        assertEquals("/a", str(TransactionSchema.PATH, 0));
        assertEquals("/b", str(TransactionSchema.PATH, 1));
        assertEquals(0, decoder.skippedRecords());
        assertEquals(2, decoder.otherRecords());
        assertEquals(buf.capacity(), decoder.nextOffset());

        // a chunk cut short by the region's end is not read (nor what follows)
        HttpRecordDecoder fresh = new HttpRecordDecoder();
        assertEquals(1, fresh.decode(buf, 0, a.length + chunk.length - 8, root, 0));
        assertEquals(a.length, fresh.nextOffset());
        assertEquals(0, fresh.otherRecords());
        assertEquals(a.length + chunk.length + b.length,
                RecordTypes.wholeRecordBytes(buf, 0, buf.capacity() - 1), "whole records before a partial one");
    }

    @Test
    void chunksAreOnlyAsLongAsTheirSizeClass() {
        byte[] a = RecordBytes.http().path("/a").build();
        byte[] small = io.gatelens.collector.testing.TlsChunkBytes.chunk().data(new byte[127]).build();
        byte[] mid = io.gatelens.collector.testing.TlsChunkBytes.chunk().data(new byte[482]).build();
        byte[] full = io.gatelens.collector.testing.TlsChunkBytes.chunk().data(new byte[2048]).build();
        byte[] b = RecordBytes.http().path("/b").build();
        assertEquals(80 + 128, small.length);
        assertEquals(80 + 512, mid.length);
        assertEquals(2128, full.length);
        ByteBuffer buf = RecordBytes.direct(small, a, mid, small, full, b, small);

        assertEquals(2, decoder.decode(buf, 0, buf.capacity(), root, 0));
        assertEquals("/a", str(TransactionSchema.PATH, 0));
        assertEquals("/b", str(TransactionSchema.PATH, 1));
        assertEquals(5, decoder.otherRecords());
        assertEquals(0, decoder.skippedRecords());
        assertEquals(buf.capacity(), decoder.nextOffset(), "a trailing chunk shorter than an HTTP record is stepped over too");
        assertEquals(buf.capacity(), RecordTypes.wholeRecordBytes(buf, 0, buf.capacity()));
        assertEquals(buf.capacity() - small.length, RecordTypes.wholeRecordBytes(buf, 0, buf.capacity() - 1));
        List<io.gatelens.collector.handshake.TlsChunk> chunks = io.gatelens.collector.handshake.TlsChunk.all(buf, buf.capacity());
        assertEquals(List.of(127, 482, 127, 2048, 127), chunks.stream().map(c -> c.data().length).toList());
    }

    @Test
    void aChunkWithACorruptedSizeIsTakenToBeTheLargest() {
        byte[] a = RecordBytes.http().path("/a").build();
        for (int size : new int[] {0, 79, 84, 2136, -8, Integer.MAX_VALUE}) {
            byte[] bad = io.gatelens.collector.testing.TlsChunkBytes.chunk().data(new byte[300]).size(size).build();
            byte[] padded = java.util.Arrays.copyOf(bad, 2128); // what a reader steps over
            ByteBuffer buf = RecordBytes.direct(padded, a);
            assertEquals(buf.capacity(), RecordTypes.wholeRecordBytes(buf, 0, buf.capacity()), "size " + size);
            List<io.gatelens.collector.handshake.TlsChunk> chunks = io.gatelens.collector.handshake.TlsChunk.all(buf, buf.capacity());
            assertEquals(1, chunks.size(), "size " + size);
            assertEquals(300, chunks.get(0).data().length, "len is cut to the record only when it passes it");
        }
        // a len longer than the record's data: cut to the record
        byte[] liar = io.gatelens.collector.testing.TlsChunkBytes.chunk().data(new byte[100]).len(2000).build();
        ByteBuffer buf = RecordBytes.direct(liar, a);
        assertEquals(128, io.gatelens.collector.handshake.TlsChunk.all(buf, buf.capacity()).get(0).data().length);
    }

    @Test
    void trailingPartialRecordIsNeverRead() {
        byte[] a = RecordBytes.http().path("/a").build();
        byte[] b = RecordBytes.http().path("/b").build();
        ByteBuffer buf = RecordBytes.direct(a, b);

        // the region ends one byte short of the second record, although the buffer holds it all
        assertEquals(1, decoder.decode(buf, 0, 2 * a.length - 1, root, 0));
        assertEquals(1, root.getRowCount());
        assertEquals(a.length, decoder.nextOffset());
        assertEquals(0, decoder.skippedRecords());

        // fewer bytes than one record: nothing
        assertEquals(0, decoder.decode(buf, a.length, 100, root, 0));
        assertEquals(a.length, decoder.nextOffset());
        assertEquals(1, root.getRowCount());
    }

    @Test
    void partialRecordAfterASkippedOneIsNotRead() {
        byte[] unknown = RecordBytes.http().type(3).build();
        byte[] b = RecordBytes.http().path("/b").build();
        ByteBuffer buf = RecordBytes.direct(unknown, b);

        assertEquals(0, decoder.decode(buf, 0, 2 * b.length - 8, root, 0));
        assertEquals(0, root.getRowCount());
        assertEquals(1, decoder.skippedRecords());
        assertEquals(b.length, decoder.nextOffset());
    }

    @Test
    void decodesAtAnOffsetAndAppendsAfterExistingRows() {
        byte[] a = RecordBytes.http().path("/first").build();
        byte[] b = RecordBytes.http().path("/second").build();
        ByteBuffer buf = RecordBytes.direct(a, b);

        assertEquals(1, decoder.decode(buf, a.length, a.length, root, 0));
        assertEquals(1, decoder.decode(buf, 0, a.length, root, 0));

        assertEquals(2, root.getRowCount());
        assertEquals("/second", str(TransactionSchema.PATH, 0));
        assertEquals("/first", str(TransactionSchema.PATH, 1));
        assertEquals(0, buf.position());
        assertEquals(buf.capacity(), buf.limit());
    }

    @Test
    void maxRecordsStopsEarlyAndNextOffsetResumes() {
        byte[][] recs = new byte[5][];
        for (int i = 0; i < recs.length; i++) {
            recs[i] = RecordBytes.http().clientPort(1000 + i).build();
        }
        ByteBuffer buf = RecordBytes.direct(recs);

        assertEquals(2, decoder.decode(buf, 0, buf.capacity(), root, 0, 2));
        assertEquals(2 * HttpRecordLayout.SIZE, decoder.nextOffset());
        int off = decoder.nextOffset();
        assertEquals(3, decoder.decode(buf, off, buf.capacity() - off, root, 0, 10));
        for (int i = 0; i < 5; i++) {
            assertEquals(1000 + i, integer(TransactionSchema.SPORT).get(i));
        }
    }

    @Test
    void growsVectorsFromEmptyAndAcrossManyCalls() {
        root.close();
        root = VectorSchemaRoot.create(TransactionSchema.schema(), allocator); // not allocated
        int total = 10_000;
        int perCall = 333;
        int done = 0;
        while (done < total) {
            int n = Math.min(perCall, total - done);
            byte[][] recs = new byte[n][];
            for (int i = 0; i < n; i++) {
                int id = done + i;
                RecordBytes r = RecordBytes.http().clientPort(id % 65_536).startNs(id).path("/p/" + "x".repeat(id % 200) + id);
                if (id % 3 == 0) {
                    r.host(null);
                }
                if (id % 5 == 0) {
                    r.status(0);
                }
                recs[i] = r.build();
            }
            assertEquals(n, decoder.decode(RecordBytes.direct(recs), 0, n * HttpRecordLayout.SIZE, root, 10));
            done += n;
        }
        assertEquals(total, root.getRowCount());
        for (int id = 0; id < total; id++) {
            assertEquals(id + 10, big(TransactionSchema.TS_NS).get(id));
            assertEquals(id % 65_536, integer(TransactionSchema.SPORT).get(id));
            assertEquals("/p/" + "x".repeat(id % 200) + id, str(TransactionSchema.PATH, id));
            assertEquals(id % 3 == 0, root.getVector(TransactionSchema.HOST).isNull(id), "host " + id);
            assertEquals(id % 5 == 0, integer(TransactionSchema.STATUS).isNull(id), "status " + id);
        }
    }

    @Test
    void bufferByteOrderAndHeapBuffersDoNotMatter() {
        byte[] rec = RecordBytes.http().startNs(0x0102030405060708L).ifindex(0x01020304).path("/order").build();
        ByteBuffer bigEndian = ByteBuffer.allocateDirect(rec.length).order(ByteOrder.BIG_ENDIAN);
        bigEndian.put(rec).clear();
        ByteBuffer heap = ByteBuffer.wrap(rec);

        decoder.decode(bigEndian, 0, rec.length, root, 0);
        decoder.decode(heap, 0, rec.length, root, 0);

        assertEquals(ByteOrder.BIG_ENDIAN, bigEndian.order());
        for (int i = 0; i < 2; i++) {
            assertEquals(0x0102030405060708L, big(TransactionSchema.TS_NS).get(i));
            assertEquals(0x01020304, integer(TransactionSchema.IFINDEX).get(i));
            assertEquals("/order", str(TransactionSchema.PATH, i));
            assertArrayEquals(RecordBytes.mapped("192.0.2.10"), bin(TransactionSchema.SRC).get(i));
        }
    }

    @Test
    void rejectsARegionOutsideTheBuffer() {
        ByteBuffer buf = RecordBytes.direct(RecordBytes.http().build());
        assertThrows(IndexOutOfBoundsException.class, () -> decoder.decode(buf, 8, HttpRecordLayout.SIZE, root, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> decoder.decode(buf, -8, 16, root, 0));
        buf.limit(100);
        assertThrows(IndexOutOfBoundsException.class, () -> decoder.decode(buf, 0, HttpRecordLayout.SIZE, root, 0));
        assertEquals(0, root.getRowCount());
    }

    @Test
    void rejectsARootOfAnotherSchema() {
        Schema other = new Schema(java.util.List.of(Field.notNullable("x", new ArrowType.Int(64, true))));
        try (VectorSchemaRoot wrong = VectorSchemaRoot.create(other, allocator)) {
            byte[] rec = RecordBytes.http().build();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> decoder.decode(RecordBytes.direct(rec), 0, rec.length, wrong, 0));
            assertTrue(e.getMessage().contains("TransactionSchema"));
        }
    }

    private static void strictUtf8(byte[] b) throws CharacterCodingException {
        StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(b));
    }

    private BigIntVector big(String name) {
        return (BigIntVector) root.getVector(name);
    }

    private IntVector integer(String name) {
        return (IntVector) root.getVector(name);
    }

    private TinyIntVector tiny(String name) {
        return (TinyIntVector) root.getVector(name);
    }

    private FixedSizeBinaryVector bin(String name) {
        return (FixedSizeBinaryVector) root.getVector(name);
    }

    private VarCharVector varchar(String name) {
        return (VarCharVector) root.getVector(name);
    }

    private String str(String name, int row) {
        return new String(varchar(name).get(row), StandardCharsets.UTF_8);
    }
}
