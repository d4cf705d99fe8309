package io.gatelens.collector.cli;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.gatelens.collector.record.HttpRecordDecoder;
import io.gatelens.collector.record.HttpRecordLayout;
import io.gatelens.collector.record.RecordBytes;
import io.gatelens.collector.record.TransactionSchema;
import java.io.IOException;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TransactionRowWriterTest {
    private static final String NASTY = "/a\tb\nc\r<script>alert(\"x\")</script>\\d\u0001e\u007f";
    private static final String HEADER = "ts_ns\tsrc\tsport\tdst\tdport\tfamily\tdirection\tifindex\tmethod\t"
            + "path\thost\tstatus\treq_bytes\tresp_bytes\tttfb_ns\tlatency_ns\tflags";

    private RootAllocator allocator;
    private VectorSchemaRoot root;

    @BeforeEach
    void setUp() {
        allocator = new RootAllocator();
        root = VectorSchemaRoot.create(TransactionSchema.schema(), allocator);
        byte[] nasty = RecordBytes.http().startNs(1_700_000_000_000_000_000L).client("10.0.0.1")
                .server("::1").family(6).clientPort(40_000).serverPort(443).direction(1).ifindex(3)
                .method("GET").host("evil\t.example").path(NASTY).status(200).reqBytes(10).respBytes(20)
                .ttfbNs(1_000).latencyNs(2_000)
                .flags(HttpRecordLayout.FLAG_PATH_TRUNCATED | HttpRecordLayout.FLAG_GAP).build();
        byte[] silent = RecordBytes.http().startNs(5).client("2001:db8::7").server("192.0.2.1")
                .clientPort(1).serverPort(80).direction(2).ifindex(0).method("POST").host(null)
                .path("/quiet").status(0).reqBytes(30).respBytes(0)
                .flags(HttpRecordLayout.FLAG_NO_RESPONSE).build();
        new HttpRecordDecoder().decode(RecordBytes.direct(nasty, silent), 0, 2 * nasty.length, root, 0);
        assertEquals(2, root.getRowCount());
    }

    @AfterEach
    void tearDown() {
        root.close();
        assertEquals(0, allocator.getAllocatedMemory());
        allocator.close();
    }

    @Test
    void tsvKeepsEveryRowOnOneLineWithAllColumns() throws IOException {
        StringWriter out = new StringWriter();
        TransactionRowWriter w = new TransactionRowWriter(out, TransactionRowWriter.Format.TSV);
        w.write(root);

        String text = out.toString();
        assertTrue(text.endsWith("\n"));
        String[] lines = text.split("\n", -1);
        assertEquals(4, lines.length, text); // header, 2 rows, "" after the last newline
        assertEquals(HEADER, lines[0]);

        String[] c = lines[1].split("\t", -1);
        assertEquals(17, c.length, lines[1]);
        assertEquals("1700000000000000000", c[0]);
        assertEquals("10.0.0.1", c[1]);
        assertEquals("40000", c[2]);
        assertEquals("::1", c[3]);
        assertEquals("443", c[4]);
        assertEquals("6", c[5]);
        assertEquals("1", c[6]);
        assertEquals("3", c[7]);
        assertEquals("GET", c[8]);
        assertEquals("/a\\tb\\nc\\r<script>alert(\"x\")</script>\\\\d\\x01e\\x7f", c[9]);
        assertEquals("evil\\t.example", c[10]);
        assertEquals("200", c[11]);
        assertEquals("10", c[12]);
        assertEquals("20", c[13]);
        assertEquals("1000", c[14]);
        assertEquals("2000", c[15]);
        assertEquals("65", c[16]);

        String[] s = lines[2].split("\t", -1);
        assertEquals(17, s.length, lines[2]);
        assertEquals("2001:db8::7", s[1]);
        assertEquals("192.0.2.1", s[3]);
        assertEquals("", s[10], "null host");
        assertEquals("", s[11], "null status");
        assertEquals("", s[14], "null ttfb");
        assertEquals("", s[15], "null latency");
        assertEquals("4", s[16]);
        assertEquals(2, w.rowsWritten());
    }

    @Test
    void tsvHeaderIsWrittenOnce() throws IOException {
        StringBuilder out = new StringBuilder();
        TransactionRowWriter w = new TransactionRowWriter(out, TransactionRowWriter.Format.TSV);
        w.write(root, 0, 1);
        w.write(root, 1, 2);
        String[] lines = out.toString().split("\n");
        assertEquals(3, lines.length);
        assertEquals(HEADER, lines[0]);
        assertTrue(lines[2].endsWith("\t4"), lines[2]);
    }

    @Test
    void jsonLinesParseBackToTheSameValues() throws IOException {
        StringBuilder out = new StringBuilder(); // a plain Appendable
        TransactionRowWriter w = new TransactionRowWriter(out, TransactionRowWriter.Format.JSON);
        w.write(root, 0, 1);
        w.write(root, 1, 2);

        String text = out.toString();
        assertTrue(text.endsWith("}\n"), text);
        String[] lines = text.split("\n");
        assertEquals(2, lines.length, text);

        Map<String, Object> a = parse(lines[0]);
        assertEquals(List.of("ts_ns", "src", "sport", "dst", "dport", "family", "direction", "ifindex",
                "method", "path", "host", "status", "req_bytes", "resp_bytes", "ttfb_ns", "latency_ns",
                "flags", "flag_names"), new ArrayList<>(a.keySet()));
        assertEquals(1_700_000_000_000_000_000L, a.get("ts_ns"));
        assertEquals("10.0.0.1", a.get("src"));
        assertEquals(40_000L, a.get("sport"));
        assertEquals("::1", a.get("dst"));
        assertEquals(443L, a.get("dport"));
        assertEquals(6L, a.get("family"));
        assertEquals(1L, a.get("direction"));
        assertEquals(3L, a.get("ifindex"));
        assertEquals("GET", a.get("method"));
        assertEquals(NASTY, a.get("path"));
        assertEquals("evil\t.example", a.get("host"));
        assertEquals(200L, a.get("status"));
        assertEquals(10L, a.get("req_bytes"));
        assertEquals(20L, a.get("resp_bytes"));
        assertEquals(1_000L, a.get("ttfb_ns"));
        assertEquals(2_000L, a.get("latency_ns"));
        assertEquals(65L, a.get("flags"));
        assertEquals(List.of("PATH_TRUNCATED", "GAP"), a.get("flag_names"));

        Map<String, Object> b = parse(lines[1]);
        assertEquals("2001:db8::7", b.get("src"));
        assertEquals("192.0.2.1", b.get("dst"));
        assertEquals("POST", b.get("method"));
        assertEquals("/quiet", b.get("path"));
        assertTrue(b.containsKey("host"));
        assertNull(b.get("host"));
        assertTrue(b.containsKey("status"));
        assertNull(b.get("status"));
        assertNull(b.get("ttfb_ns"));
        assertNull(b.get("latency_ns"));
        assertTrue(b.containsKey("latency_ns"));
        assertEquals(List.of("NO_RESPONSE"), b.get("flag_names"));
    }

    @Test
    void rejectsARangeOutsideTheRows() throws IOException {
        TransactionRowWriter w = new TransactionRowWriter(new StringWriter(), TransactionRowWriter.Format.TSV);
        assertThrows(IndexOutOfBoundsException.class, () -> w.write(root, 0, 3));
    }

    @Test
    void formatsAddressesLikeRfc5952() {
        assertEquals("10.0.0.1", TransactionRowWriter.formatAddress(RecordBytes.mapped("10.0.0.1")));
        assertEquals("255.255.255.255", TransactionRowWriter.formatAddress(RecordBytes.mapped("255.255.255.255")));
        assertEquals("::1", TransactionRowWriter.formatAddress(RecordBytes.mapped("::1")));
        assertEquals("::", TransactionRowWriter.formatAddress(new byte[16]));
        assertEquals("1::", TransactionRowWriter.formatAddress(RecordBytes.mapped("1::")));
        assertEquals("2001:db8::1", TransactionRowWriter.formatAddress(RecordBytes.mapped("2001:0db8:0:0:0:0:0:1")));
        assertEquals("2001:db8:0:1:1:1:1:1",
                TransactionRowWriter.formatAddress(RecordBytes.mapped("2001:db8:0:1:1:1:1:1")));
        assertEquals("2001:0:0:1::1", TransactionRowWriter.formatAddress(RecordBytes.mapped("2001:0:0:1:0:0:0:1")));
        assertEquals("1::1:0:0:1:1", TransactionRowWriter.formatAddress(RecordBytes.mapped("1:0:0:1:0:0:1:1")));
        assertEquals("fe80::abcd:ef01", TransactionRowWriter.formatAddress(RecordBytes.mapped("FE80::ABCD:EF01")));
        // IPv4-compatible (not mapped) stays IPv6
        byte[] compat = new byte[16];
        compat[15] = 1;
        compat[12] = 10;
        assertEquals("::a00:1", TransactionRowWriter.formatAddress(compat));
    }

    private static Map<String, Object> parse(String line) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        try (JsonParser p = new JsonFactory().createParser(line)) {
            assertEquals(JsonToken.START_OBJECT, p.nextToken());
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                switch (t) {
                    case VALUE_NUMBER_INT -> m.put(name, p.getLongValue());
                    case VALUE_STRING -> m.put(name, p.getText());
                    case VALUE_NULL -> m.put(name, null);
                    case START_ARRAY -> {
                        List<String> items = new ArrayList<>();
                        while (p.nextToken() == JsonToken.VALUE_STRING) {
                            items.add(p.getText());
                        }
                        m.put(name, items);
                    }
                    default -> fail("unexpected " + t + " for " + name);
                }
            }
            assertNull(p.nextToken(), "one object per line");
        }
        return m;
    }
}
