package io.gatelens.collector.record;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * A TLS handshake batch as bytes: one Arrow IPC stream, as {@link TransactionBatchCodec} does for
 * transactions; decode checks the schema's name and version ({@link TlsHandshakeSchema}).
 */
public final class TlsHandshakeBatchCodec {
    private TlsHandshakeBatchCodec() {}

    /** The batch as an Arrow IPC stream. The batch stays the caller's to close. */
    public static byte[] encode(VectorSchemaRoot batch) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 + batch.getRowCount() * 256);
        try (ArrowStreamWriter writer = new ArrowStreamWriter(batch, null, Channels.newChannel(out))) {
            writer.start();
            writer.writeBatch();
            writer.end();
        } catch (IOException e) {
            throw new UncheckedIOException("encoding a TLS handshake batch in memory", e);
        }
        return out.toByteArray();
    }

    /**
     * The batch in bytes, in memory of allocator; the caller closes it.
     *
     * @throws IllegalArgumentException when the bytes are not an Arrow stream of
     *     {@link TlsHandshakeSchema} at this version, or hold no batch
     */
    public static VectorSchemaRoot decode(byte[] bytes, BufferAllocator allocator) {
        try (ArrowStreamReader reader = new ArrowStreamReader(new ByteArrayInputStream(bytes), allocator)) {
            Schema schema = reader.getVectorSchemaRoot().getSchema();
            String name = schema.getCustomMetadata().get(TransactionSchema.META_SCHEMA);
            String version = schema.getCustomMetadata().get(TransactionSchema.META_SCHEMA_VERSION);
            if (!TlsHandshakeSchema.SCHEMA_NAME.equals(name)
                    || !Integer.toString(TlsHandshakeSchema.VERSION).equals(version)
                    || !schema.getFields().equals(TlsHandshakeSchema.schema().getFields())) {
                throw new IllegalArgumentException("not a " + TlsHandshakeSchema.SCHEMA_NAME + " v"
                        + TlsHandshakeSchema.VERSION + " batch (schema " + name + " v" + version + ")");
            }
            if (!reader.loadNextBatch()) {
                throw new IllegalArgumentException("the Arrow stream holds a schema but no batch");
            }
            VectorSchemaRoot loaded = reader.getVectorSchemaRoot();
            VectorSchemaRoot owned = VectorSchemaRoot.create(loaded.getSchema(), allocator);
            for (int i = 0; i < loaded.getFieldVectors().size(); i++) {
                loaded.getVector(i).makeTransferPair(owned.getVector(i)).transfer();
            }
            owned.setRowCount(loaded.getRowCount());
            return owned;
        } catch (IOException e) {
            throw new IllegalArgumentException("not an Arrow IPC stream: " + e.getMessage(), e);
        }
    }
}
