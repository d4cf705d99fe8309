package io.gatelens.collector.record;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
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

/**
 * One transaction as plain Java values: for code that handles few rows at a time (tests, the
 * CLI's summaries) rather than columns. status, ttfbNs and latencyNs are null without response.
 */
public record TransactionRow(long tsNs, InetAddress src, int sport, InetAddress dst, int dport,
                             int family, int direction, int ifindex, String method, String path,
                             String host, Integer status, long reqBytes, long respBytes,
                             Long ttfbNs, Long latencyNs, int flags) {

    public boolean hasFlag(int flag) {
        return (flags & flag) != 0;
    }

    /** Every row of a {@link TransactionSchema} batch. */
    public static List<TransactionRow> readAll(VectorSchemaRoot root) {
        BigIntVector ts = (BigIntVector) root.getVector(TransactionSchema.COL_TS_NS);
        FixedSizeBinaryVector src = (FixedSizeBinaryVector) root.getVector(TransactionSchema.COL_SRC);
        IntVector sport = (IntVector) root.getVector(TransactionSchema.COL_SPORT);
        FixedSizeBinaryVector dst = (FixedSizeBinaryVector) root.getVector(TransactionSchema.COL_DST);
        IntVector dport = (IntVector) root.getVector(TransactionSchema.COL_DPORT);
        TinyIntVector family = (TinyIntVector) root.getVector(TransactionSchema.COL_FAMILY);
        TinyIntVector direction = (TinyIntVector) root.getVector(TransactionSchema.COL_DIRECTION);
        IntVector ifindex = (IntVector) root.getVector(TransactionSchema.COL_IFINDEX);
        VarCharVector method = (VarCharVector) root.getVector(TransactionSchema.COL_METHOD);
        VarCharVector path = (VarCharVector) root.getVector(TransactionSchema.COL_PATH);
        VarCharVector host = (VarCharVector) root.getVector(TransactionSchema.COL_HOST);
        IntVector status = (IntVector) root.getVector(TransactionSchema.COL_STATUS);
        BigIntVector req = (BigIntVector) root.getVector(TransactionSchema.COL_REQ_BYTES);
        BigIntVector resp = (BigIntVector) root.getVector(TransactionSchema.COL_RESP_BYTES);
        BigIntVector ttfb = (BigIntVector) root.getVector(TransactionSchema.COL_TTFB_NS);
        BigIntVector latency = (BigIntVector) root.getVector(TransactionSchema.COL_LATENCY_NS);
        IntVector flags = (IntVector) root.getVector(TransactionSchema.COL_FLAGS);
        List<TransactionRow> out = new ArrayList<>(root.getRowCount());
        for (int i = 0; i < root.getRowCount(); i++) {
            out.add(new TransactionRow(ts.get(i), address(src.get(i)), sport.get(i), address(dst.get(i)),
                    dport.get(i), family.get(i), direction.get(i), ifindex.get(i),
                    method.getObject(i).toString(), path.getObject(i).toString(),
                    host.isNull(i) ? null : host.getObject(i).toString(),
                    status.isNull(i) ? null : status.get(i), req.get(i), resp.get(i),
                    ttfb.isNull(i) ? null : ttfb.get(i), latency.isNull(i) ? null : latency.get(i),
                    flags.get(i)));
        }
        return out;
    }

    /** Decodes raw ring-buffer records (as drained) into rows. */
    public static List<TransactionRow> decode(ByteBuffer records, int length, long clockOffsetNs) {
        try (BufferAllocator allocator = new RootAllocator();
             VectorSchemaRoot root = VectorSchemaRoot.create(TransactionSchema.schema(), allocator)) {
            root.allocateNew();
            new HttpRecordDecoder().decode(records, 0, length, root, clockOffsetNs);
            return readAll(root);
        }
    }

    private static InetAddress address(byte[] sixteen) {
        try {
            // InetAddress turns IPv4-mapped addresses into Inet4Address itself
            return InetAddress.getByAddress(Arrays.copyOf(sixteen, 16));
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
