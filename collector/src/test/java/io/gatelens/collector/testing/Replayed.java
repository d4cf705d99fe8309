package io.gatelens.collector.testing;

import io.gatelens.collector.bpf.CaptureConfig;
import io.gatelens.collector.offline.CaptureReplay;
import io.gatelens.collector.record.TransactionRow;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;

/** A capture replayed through the TC program, as rows. */
public final class Replayed {
    private Replayed() {}

    public static List<TransactionRow> rows(Path capture, CaptureConfig config) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CaptureReplay.replay(capture, config, (buf, n) -> {
            byte[] b = new byte[n];
            buf.get(0, b);
            bytes.write(b, 0, n);
        }, null);
        byte[] all = bytes.toByteArray();
        return TransactionRow.decode(ByteBuffer.wrap(all), all.length, 0);
    }
}
