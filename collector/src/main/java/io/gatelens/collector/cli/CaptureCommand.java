package io.gatelens.collector.cli;

import io.gatelens.collector.capture.LiveCapture;
import io.gatelens.collector.handshake.TlsHandshakes;
import io.gatelens.collector.record.TransactionBatcher;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * `gatelens capture`: live transactions and TLS handshakes from TC on the chosen interfaces,
 * printed as they complete.
 */
@Command(name = "capture", mixinStandardHelpOptions = true,
        description = "Attach to interfaces and print HTTP transactions and TLS handshakes as they complete "
                + "(Ctrl-C stops). TSV: handshake lines (and their header) start with 'tls' and a tab; "
                + "JSON Lines: handshake objects have \"schema\":\"tls_handshake\".")
final class CaptureCommand implements Callable<Integer> {
    @Option(names = {"-i", "--interface"}, paramLabel = "IF",
            description = "Interface to watch (repeatable); default: lo and every device-backed interface.")
    List<String> interfaces = new ArrayList<>();

    @Option(names = "--duration", paramLabel = "SECONDS", description = "Stop after this long.")
    Long durationSeconds;

    @Mixin
    GatelensCli.KernelOptions kernel = new GatelensCli.KernelOptions();

    @Option(names = "--tls", paramLabel = "both|only|none", defaultValue = "both",
            converter = GatelensCli.TlsModeConverter.class,
            description = "TLS handshakes: with the transactions (default), only them, or none.")
    GatelensCli.TlsMode tls;

    @Override
    public Integer call() throws Exception {
        List<String> ifs = interfaces.isEmpty() ? LiveCapture.defaultInterfaces() : interfaces;
        BufferedWriter out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8));
        TransactionRowWriter writer = new TransactionRowWriter(out, kernel.format);
        boolean http = tls != GatelensCli.TlsMode.ONLY;
        TlsHandshakeRowWriter tlsWriter = new TlsHandshakeRowWriter(out, kernel.format,
                http && kernel.format == TransactionRowWriter.Format.TSV ? "tls\t" : null);
        CountDownLatch stop = new CountDownLatch(1);
        Thread hook = new Thread(stop::countDown, "gatelens-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try (BufferAllocator allocator = new RootAllocator();
             TransactionBatcher batcher = new TransactionBatcher(allocator, 1024, 200, batch -> {
                 try (batch) {
                     if (http) {
                         writer.write(batch);
                     }
                 } catch (IOException e) {
                     throw new UncheckedIOException(e);
                 }
             });
             TlsHandshakes handshakes = tls == GatelensCli.TlsMode.NONE ? null
                     : new TlsHandshakes(allocator, kernel.config().idleTimeout().toNanos(), 256, 200, batch -> {
                         try (batch) {
                             tlsWriter.write(batch);
                         } catch (IOException e) {
                             throw new UncheckedIOException(e);
                         }
                     })) {
            LiveCapture capture = LiveCapture.start(kernel.config(), ifs,
                    (buf, n, offset) -> batcher.append(buf, 0, n, offset), batcher::poll, handshakes);
            System.err.println("gatelens: capturing on " + String.join(", ", ifs) + " (Ctrl-C stops)");
            try {
                if (durationSeconds != null) {
                    stop.await(durationSeconds, TimeUnit.SECONDS);
                } else {
                    stop.await();
                }
            } finally {
                capture.stop();
                batcher.flush();
                writer.flush();
                tlsWriter.flush();
                System.err.println("gatelens: kernel " + capture.counters().asMap());
                if (handshakes != null) {
                    System.err.printf("gatelens: %d TLS handshakes (collector: %d evicted early, %d chunks ignored)%n",
                            handshakes.rowsEmitted(), handshakes.assembler().evictions(),
                            handshakes.assembler().chunksIgnored());
                }
                capture.close();
            }
            if (capture.failure() != null) {
                throw new IllegalStateException("draining the ring buffer failed", capture.failure());
            }
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is what stopped us
            }
        }
        return 0;
    }
}
