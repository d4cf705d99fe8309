package io.gatelens.collector.cli;

import io.gatelens.collector.bpf.CaptureConfig;
import io.gatelens.collector.bpf.CollectorException;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `gatelens` command line: offline analysis of captures and live capture to stdout. */
@Command(name = "gatelens", mixinStandardHelpOptions = true, version = "gatelens 0.1.0",
        description = "HTTP/1.x transactions and TLS handshakes seen by eBPF at Linux TC, one row each.",
        subcommands = {AnalyzeCommand.class, CaptureCommand.class})
public final class GatelensCli implements Runnable {
    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }

    /** Options shared by analyze and capture (and the analytics' report): what the kernel programs are told. */
    public static final class KernelOptions {
        @Option(names = "--port", split = ",", paramLabel = "PORT",
                description = "Only these TCP ports (either end); default: every port.")
        Set<Integer> ports = new TreeSet<>();

        @Option(names = "--sample", paramLabel = "N", defaultValue = "1",
                description = "Report 1 in N transactions (default: ${DEFAULT-VALUE}).")
        int sampleEvery;

        @Option(names = "--max-path-bytes", paramLabel = "N", defaultValue = "256",
                description = "Path bytes kept per request, 1..256; longer paths are flagged PATH_TRUNCATED.")
        int maxPathBytes;

        @Option(names = "--idle-timeout", paramLabel = "SECONDS", defaultValue = "30",
                description = "Report open transactions of connections idle this long, flagged TIMEOUT.")
        long idleTimeoutSeconds;

        @Option(names = "--ring-mib", paramLabel = "MiB", defaultValue = "16",
                description = "Ring buffer size in MiB, a power of two (default: ${DEFAULT-VALUE}).")
        int ringMib;

        @Option(names = "--format", paramLabel = "tsv|json", defaultValue = "tsv",
                converter = FormatConverter.class,
                description = "tsv (header + one line per transaction) or json (JSON Lines).")
        TransactionRowWriter.Format format;

        public TransactionRowWriter.Format format() {
            return format;
        }

        public CaptureConfig config() {
            return CaptureConfig.defaults()
                    .withPorts(ports)
                    .withSampleEvery(sampleEvery)
                    .withMaxPathBytes(maxPathBytes)
                    .withIdleTimeout(Duration.ofSeconds(idleTimeoutSeconds))
                    .withRingBytes(ringMib << 20);
        }
    }

    /** Which TLS handshakes analyze and capture print. */
    public enum TlsMode { BOTH, ONLY, NONE }

    public static final class TlsModeConverter implements CommandLine.ITypeConverter<TlsMode> {
        @Override
        public TlsMode convert(String value) {
            try {
                return TlsMode.valueOf(value.toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException("--tls must be both, only or none, not '" + value + "'");
            }
        }
    }

    public static final class FormatConverter implements CommandLine.ITypeConverter<TransactionRowWriter.Format> {
        @Override
        public TransactionRowWriter.Format convert(String value) {
            try {
                return TransactionRowWriter.Format.valueOf(value.toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException("format must be tsv or json, not '" + value + "'");
            }
        }
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line; returns the exit code (for tests). */
    public static int run(String... args) {
        return run(new CommandLine(new GatelensCli()), args);
    }

    /** Runs a command line with gatelens' error handling: clear one-line errors, exit codes 1 and 2. */
    public static int run(CommandLine cl, String... args) {
        cl.setExecutionExceptionHandler((ex, line, parsed) -> {
            if (ex instanceof CollectorException || ex instanceof IllegalArgumentException
                    || ex instanceof java.io.IOException || ex instanceof java.io.UncheckedIOException) {
                line.getErr().println("gatelens: " + ex.getMessage());
                return 2;
            }
            throw ex;
        });
        return cl.execute(args);
    }
}
