package io.gatelens.collector.record;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * A TLS handshake batch as bytes: one Arrow IPC stream, as {@link TransactionBatchCodec} does for
 * transactions; decode checks the schema's name and version ({@link TlsHandshakeSchema}).
 */
public final class TlsHandshakeBatchCodec {
    private TlsHandshakeBatchCodec() {}

    /** The batch as an Arrow IPC stream. The batch stays the caller's to close. */
    public static byte[] encode(VectorSchemaRoot batch) {
        return TransactionBatchCodec.encode(batch, 256, "TLS handshake");
    }

    /**
     * The batch in bytes, in memory of allocator; the caller closes it.
     *
     * @throws IllegalArgumentException when the bytes are not an Arrow stream of
     *     {@link TlsHandshakeSchema} at this version, or hold no batch
     */
    public static VectorSchemaRoot decode(byte[] bytes, BufferAllocator allocator) {
        return TransactionBatchCodec.decode(bytes, allocator, TlsHandshakeSchema.schema());
    }
}
