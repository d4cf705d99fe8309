package io.gatelens.collector.cli;

import io.gatelens.collector.bpf.CollectorException;
import io.gatelens.collector.handshake.TlsHandshakes;
import io.gatelens.collector.offline.CaptureReplay;
import io.gatelens.collector.record.TransactionBatcher;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * `gatelens analyze FILE`: a capture through the same TC program, one row per transaction, then
 * one row per TLS handshake (a second table).
 */
@Command(name = "analyze", mixinStandardHelpOptions = true,
        description = "Replay a pcap/pcapng capture (plain or gzip'd) through the TC program with "
                + "BPF_PROG_TEST_RUN and print one row per HTTP transaction, then one row per TLS handshake "
                + "(TSV: a second table after an empty line; JSON Lines: objects with \"schema\":\"tls_handshake\").")
final class AnalyzeCommand implements Callable<Integer> {
    /** Files smaller than this finish before a progress bar would help. */
    private static final long PROGRESS_MIN_BYTES = 16L << 20;

    @Parameters(paramLabel = "FILE", description = "Capture file (.pcap, .pcapng, optionally .gz).")
    Path file;

    @Mixin
    GatelensCli.KernelOptions kernel = new GatelensCli.KernelOptions();

    @Option(names = "--tls", paramLabel = "both|only|none", defaultValue = "both",
            converter = GatelensCli.TlsModeConverter.class,
            description = "TLS handshakes: with the transactions (default), only them, or none.")
    GatelensCli.TlsMode tls;

    @Option(names = "--progress", negatable = true,
            description = "Progress bar on stderr (default: for files over 16 MB).")
    Boolean progress;

    @Override
    public Integer call() throws IOException {
        if (!java.nio.file.Files.isReadable(file)) {
            throw new CollectorException(CollectorException.Reason.CAPTURE_UNREADABLE,
                    "cannot read capture " + file + " (no such file, or no permission)");
        }
        BufferedWriter out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), 1 << 16);
        TransactionRowWriter writer = new TransactionRowWriter(out, kernel.format);
        TlsHandshakeRowWriter tlsWriter = new TlsHandshakeRowWriter(out, kernel.format, null);
        boolean json = kernel.format == TransactionRowWriter.Format.JSON;
        boolean http = tls != GatelensCli.TlsMode.ONLY;
        List<VectorSchemaRoot> later = new ArrayList<>(); // TSV: the handshake table comes second
        boolean showProgress = progress != null ? progress : java.nio.file.Files.size(file) >= PROGRESS_MIN_BYTES;
        CaptureReplay.Summary summary;
        String tlsStats = "";
        try (BufferAllocator allocator = new RootAllocator();
             TransactionBatcher batcher = new TransactionBatcher(allocator, 8192, Long.MAX_VALUE, batch -> {
                 try (batch) {
                     if (http) {
                         writer.write(batch);
                     }
                 } catch (IOException e) {
                     throw new UncheckedIOException(e);
                 }
             });
             TlsHandshakes handshakes = tls == GatelensCli.TlsMode.NONE ? null
                     : new TlsHandshakes(allocator, kernel.config().idleTimeout().toNanos(), 4096, Long.MAX_VALUE, batch -> {
                         if (json || !http) {
                             try (batch) {
                                 tlsWriter.write(batch);
                             } catch (IOException e) {
                                 throw new UncheckedIOException(e);
                             }
                         } else {
                             later.add(batch);
                         }
                     });
             ProgressBar bar = showProgress ? new ProgressBarBuilder().setTaskName("analyze")
                     .setInitialMax(java.nio.file.Files.size(file)).setStyle(ProgressBarStyle.ASCII)
                     .setUnit(" MB", 1 << 20).continuousUpdate().build() : null) {
            try {
                summary = CaptureReplay.replay(file, kernel.config(),
                        (buf, n) -> batcher.append(buf, 0, n, 0L),
                        bar == null ? null : (read, size) -> bar.stepTo(read), handshakes);
                batcher.flush();
                writer.flush();
                if (!later.isEmpty()) {
                    if (writer.rowsWritten() > 0) {
                        out.write('\n'); // the second table
                    }
                    for (VectorSchemaRoot b : later) {
                        tlsWriter.write(b);
                    }
                }
            } finally {
                later.forEach(VectorSchemaRoot::close);
            }
            if (handshakes != null) {
                tlsStats = String.format(" (collector: %d evicted early, %d chunks ignored)",
                        handshakes.assembler().evictions(), handshakes.assembler().chunksIgnored());
            }
        }
        writer.flush();
        tlsWriter.flush();
        System.err.printf("gatelens: %s: %d packets (%d skipped), %d transactions, %d TLS handshakes%s; kernel %s%n",
                file, summary.packets(), summary.packetsSkipped(), writer.rowsWritten(), tlsWriter.rowsWritten(),
                tlsStats, summary.counters().asMap());
        return 0;
    }
}
