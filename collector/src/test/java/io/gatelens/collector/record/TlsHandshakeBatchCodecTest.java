package io.gatelens.collector.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatelens.collector.handshake.TlsHandshake;
import java.util.List;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.Test;

/** tls_handshake v1 batches as Arrow IPC bytes: round trip, metadata, and refusal of other schemas. */
class TlsHandshakeBatchCodecTest {
    static final byte[] C = RecordBytes.mapped("192.0.2.1"), S = RecordBytes.mapped("2001:db8::2");

    @Test
    void roundTripKeepsEveryFieldAndNull() {
        TlsHandshake a = new TlsHandshake(1_700_000_000_000_000_000L, C, 51000, S, 443, 6, 2, 3, "api.example",
                "TLS 1.3,TLS 1.2", "h2,http/1.1", "0x1301", "0,16,43", "0x0403", "t13d0103h2_a_b", "t13d0103h2_x_y",
                "TLS 1.0", "TLS 1.2", "TLS 1.3", "0x1301", null, 1_234_567L, 0);
        TlsHandshake b = new TlsHandshake(5L, C, 1, S, 2, 4, 0, 0, null, null, null, null, null, null, null, null,
                null, null, null, null, null, null, TlsHandshake.FLAG_NO_SERVER_HELLO | TlsHandshake.FLAG_TRUNCATED);
        try (RootAllocator allocator = new RootAllocator();
             VectorSchemaRoot root = VectorSchemaRoot.create(TlsHandshakeSchema.schema(), allocator)) {
            root.allocateNew();
            a.appendTo(root);
            b.appendTo(root);
            byte[] bytes = TlsHandshakeBatchCodec.encode(root);
            try (VectorSchemaRoot back = TlsHandshakeBatchCodec.decode(bytes, allocator)) {
                assertEquals("tls_handshake", back.getSchema().getCustomMetadata().get("gatelens.schema"));
                assertEquals("1", back.getSchema().getCustomMetadata().get("gatelens.schema_version"));
                List<TlsHandshake> rows = TlsHandshake.readAll(back);
                assertEquals(a.toString(), rows.get(0).toString());
                assertEquals(a.cipherSuites(), rows.get(0).cipherSuites());
                assertEquals(a.ja4Raw(), rows.get(0).ja4Raw());
                assertEquals(b.toString(), rows.get(1).toString());
                assertEquals(null, rows.get(1).handshakeNs());
                assertEquals(List.of("NO_SERVER_HELLO", "TRUNCATED"), TlsHandshake.flagNames(rows.get(1).flags()));
            }
            try (VectorSchemaRoot tx = VectorSchemaRoot.create(TransactionSchema.schema(), allocator)) {
                tx.allocateNew();
                byte[] other = TransactionBatchCodec.encode(tx);
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> TlsHandshakeBatchCodec.decode(other, allocator));
                assertTrue(e.getMessage().contains("http_transaction"), e.getMessage());
            }
        }
    }
}
