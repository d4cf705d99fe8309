package io.gatelens.collector.record;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.types.pojo.Schema;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;

/**
 * A transaction batch as bytes: one Arrow IPC stream (schema + one record batch). This is what
 * travels on the message channel between collector and analytics, so the same payload works in one
 * process and through a broker; the schema's name and version travel with it and are checked on
 * decode, so a producer of another schema version is refused with a clear error, not misread.
 */
public final class TransactionBatchCodec {
    private TransactionBatchCodec() {
    }

    /** The batch as an Arrow IPC stream. The batch stays the caller's to close. */
    public static byte[] encode(VectorSchemaRoot batch) {
        return encode(batch, 160, "transaction");
    }

    /**
     * The batch in bytes, in memory of allocator; the caller closes it.
     *
     * @throws IllegalArgumentException when the bytes are not an Arrow stream of {@link TransactionSchema}
     *     at this version, or hold no batch
     */
    public static VectorSchemaRoot decode(byte[] bytes, BufferAllocator allocator) {
        return decode(bytes, allocator, TransactionSchema.schema());
    }

    /** Any gatelens batch as an Arrow IPC stream (also {@link TlsHandshakeBatchCodec}'s). */
    static byte[] encode(VectorSchemaRoot batch, int bytesPerRow, String what) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 + batch.getRowCount() * bytesPerRow);
        try (ArrowStreamWriter writer = new ArrowStreamWriter(batch, null, Channels.newChannel(out))) {
            writer.start();
            writer.writeBatch();
            writer.end();
        } catch (IOException e) {
            throw new UncheckedIOException("encoding a " + what + " batch in memory", e);
        }
        return out.toByteArray();
    }

    /** Decodes a batch of exactly {@code expected}: the same schema name, version (metadata) and fields. */
    static VectorSchemaRoot decode(byte[] bytes, BufferAllocator allocator, Schema expected) {
        String wantName = expected.getCustomMetadata().get(TransactionSchema.META_SCHEMA);
        String wantVersion = expected.getCustomMetadata().get(TransactionSchema.META_SCHEMA_VERSION);
        try (ArrowStreamReader reader = new ArrowStreamReader(new ByteArrayInputStream(bytes), allocator)) {
            Schema schema = reader.getVectorSchemaRoot().getSchema();
            String name = schema.getCustomMetadata().get(TransactionSchema.META_SCHEMA);
            String version = schema.getCustomMetadata().get(TransactionSchema.META_SCHEMA_VERSION);
            if (!wantName.equals(name) || !wantVersion.equals(version) || !schema.getFields().equals(expected.getFields())) {
                throw new IllegalArgumentException("not a " + wantName + " v" + wantVersion + " batch (schema "
                    + name + " v" + version + ")");
            }
            if (!reader.loadNextBatch()) {
                throw new IllegalArgumentException("the Arrow stream holds a schema but no batch");
            }
            VectorSchemaRoot loaded = reader.getVectorSchemaRoot();
            // the reader owns its root: move the buffers to one the caller owns
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
