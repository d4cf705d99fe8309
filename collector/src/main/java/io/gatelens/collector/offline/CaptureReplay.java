package io.gatelens.collector.offline;

import io.gatelens.collector.bpf.BpfProgram;
import io.gatelens.collector.bpf.CaptureConfig;
import io.gatelens.collector.bpf.CaptureFile;
import io.gatelens.collector.bpf.KernelCounters;
import io.gatelens.collector.handshake.TlsHandshakes;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * Replays a capture through the same TC program that runs live (BPF_PROG_TEST_RUN), hands the
 * raw records to a sink, and at the end closes every connection still open as the idle sweep
 * would (records flagged TIMEOUT). Used by `gatelens analyze` and by the corpus tests.
 *
 * <p>With a {@link TlsHandshakes} stage, the TLS chunks of the same buffers go there too; its idle
 * handling follows the capture's clock, and every connection still pending at the end is
 * reported. Without one, the program is loaded with TLS capture off (nothing would read it).
 */
public final class CaptureReplay {
    /** Receives record bytes: buf[0, length) holds whole records. */
    @FunctionalInterface
    public interface RecordSink {
        void accept(ByteBuffer buf, int length);
    }

    /** Progress callback: bytes of the file read, file size. */
    @FunctionalInterface
    public interface Progress {
        void update(long bytesRead, long fileSize);
    }

    /** What a replay saw. */
    public record Summary(long packets, long packetsSkipped, int linkType, KernelCounters counters) {}

    private static final int BATCH_PACKETS = 4096;
    private static final int BUFFER_BYTES = 4 << 20;
    /** A clock past every connection's last packet: the final sweep closes them all. */
    private static final long END_OF_TIME_NS = Long.MAX_VALUE / 2;

    private CaptureReplay() {}

    public static Summary replay(Path capture, CaptureConfig config, RecordSink sink, Progress progress) {
        return replay(capture, config.withTls(false), sink, progress, null);
    }

    /** As {@link #replay(Path, CaptureConfig, RecordSink, Progress)}, with TLS handshakes to tls (when not null). */
    public static Summary replay(Path capture, CaptureConfig config, RecordSink sink, Progress progress,
                                 TlsHandshakes tls) {
        ByteBuffer buf = ByteBuffer.allocateDirect(BUFFER_BYTES);
        try (BpfProgram program = BpfProgram.load(config.withOffline(true).withTls(tls != null && config.tls()));
             CaptureFile file = CaptureFile.open(capture)) {
            int n;
            while ((n = file.feed(program, BATCH_PACKETS, buf)) >= 0) {
                if (n > 0) {
                    sink.accept(buf, n);
                    if (tls != null) {
                        tls.accept(buf, n, 0L);
                    }
                }
                if (tls != null) {
                    tls.tick(file.lastTimestampNs()); // idle connections, on the capture's clock
                }
                if (progress != null) {
                    progress.update(file.bytesRead(), file.fileSize());
                }
            }
            program.setClock(END_OF_TIME_NS);
            program.sweep();
            while ((n = program.drain(buf, -1)) > 0) {
                sink.accept(buf, n);
                if (tls != null) {
                    tls.accept(buf, n, 0L);
                }
            }
            if (tls != null) {
                tls.flush();
            }
            return new Summary(file.packetsRead(), file.packetsSkipped(), file.linkType(), program.counters());
        }
    }
}
