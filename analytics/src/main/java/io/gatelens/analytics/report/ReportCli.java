package io.gatelens.analytics.report;

import io.gatelens.analytics.catalog.EndpointRef;
import io.gatelens.analytics.catalog.InMemoryEndpointIds;
import io.gatelens.analytics.catalog.NamedSpec;
import io.gatelens.analytics.catalog.RouteTable;
import io.gatelens.analytics.catalog.ShadowEndpoints;
import io.gatelens.analytics.ingest.TransactionIngest;
import io.gatelens.analytics.spec.ApiSpec;
import io.gatelens.analytics.spec.SpecException;
import io.gatelens.analytics.spec.SpecLoader;
import io.gatelens.analytics.stats.EndpointMinute;
import io.gatelens.analytics.stats.LatencySketches;
import io.gatelens.analytics.stats.MinuteRow;
import io.gatelens.analytics.stats.StatsAggregator;
import io.gatelens.collector.bpf.CollectorException;
import io.gatelens.collector.cli.GatelensCli;
import io.gatelens.collector.cli.TransactionRowWriter;
import io.gatelens.collector.offline.CaptureReplay;
import io.gatelens.collector.record.TransactionBatcher;
import io.gatelens.collector.record.TransactionSchema;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code gatelens analyze FILE --spec SPEC...}: every transaction of a capture with the operation it
 * maps to, then one line per endpoint (calls, errors, p50/p95/p99). The service's own parts do the
 * work: {@link RouteTable} and {@link ShadowEndpoints} match, {@link StatsAggregator} and
 * {@link LatencySketches} count; no server, no store.
 */
@Command(name = "analyze", mixinStandardHelpOptions = true,
    description = "Replay a capture through the TC program, map each transaction to an operation of the "
        + "given OpenAPI specs, and end with a per-endpoint table.")
public final class ReportCli implements Callable<Integer> {
    static final List<String> COLUMNS = List.of("endpoint_kind", "spec", "operation_id", "path_template");
    private static final List<String> TABLE = List.of("kind", "spec", "method", "path_template", "operation_id",
        "calls", "errors_4xx", "errors_5xx", "p50_ms", "p95_ms", "p99_ms");

    @Parameters(paramLabel = "FILE", description = "Capture file (.pcap, .pcapng, optionally .gz).")
    Path file;

    @Option(names = "--spec", paramLabel = "SPEC", required = true,
        description = "OpenAPI/Swagger spec (YAML or JSON; repeatable). Named after its file.")
    List<Path> specs = new ArrayList<>();

    @Mixin
    GatelensCli.KernelOptions kernel = new GatelensCli.KernelOptions();

    private final PrintStream stdout;
    private final PrintStream stderr;

    public ReportCli() {
        this(System.out, System.err);
    }

    ReportCli(PrintStream stdout, PrintStream stderr) {
        this.stdout = stdout;
        this.stderr = stderr;
    }

    public static void main(String[] args) {
        System.exit(run(System.out, System.err, args));
    }

    /** Runs the report; the exit code (for tests). */
    public static int run(PrintStream out, PrintStream err, String... args) {
        CommandLine cl = new CommandLine(new ReportCli(out, err));
        cl.setOut(new java.io.PrintWriter(out, true));
        cl.setErr(new java.io.PrintWriter(err, true));
        return GatelensCli.run(cl, args);
    }

    @Override
    public Integer call() throws IOException {
        if (!Files.isReadable(file)) {
            throw new CollectorException(CollectorException.Reason.CAPTURE_UNREADABLE,
                "cannot read capture " + file + " (no such file, or no permission)");
        }
        InMemoryEndpointIds ids = new InMemoryEndpointIds();
        RouteTable routes = RouteTable.compile(loadSpecs(), ids);
        for (String warning : routes.warnings()) {
            stderr.println("gatelens: route table: " + warning);
        }
        StatsAggregator aggregator = new StatsAggregator();
        TransactionIngest ingest = new TransactionIngest(() -> routes, new ShadowEndpoints(ids), aggregator, null);
        Writer out = new BufferedWriter(new OutputStreamWriter(stdout, StandardCharsets.UTF_8), 1 << 16);
        TransactionRowWriter writer = new TransactionRowWriter(out, kernel.format(), new EndpointColumns(ingest));
        CaptureReplay.Summary summary;
        try (BufferAllocator allocator = new RootAllocator();
             TransactionBatcher batcher = new TransactionBatcher(allocator, 32768, Long.MAX_VALUE, batch -> {
                 try (batch) {
                     writer.write(batch);
                     ingest.accept(batch);
                 } catch (IOException e) {
                     throw new UncheckedIOException(e);
                 }
             })) {
            summary = CaptureReplay.replay(file, kernel.config(), (buf, n) -> batcher.append(buf, 0, n, 0L), null);
            batcher.flush();
        }
        writeTable(out, routes, ingest, aggregator.takeAll());
        out.flush();
        stderr.printf("gatelens: %s: %d packets (%d skipped), %d transactions (%d matched no operation)%n",
            file, summary.packets(), summary.packetsSkipped(), writer.rowsWritten(), ingest.shadowRows());
        return 0;
    }

    private List<NamedSpec> loadSpecs() throws IOException {
        SpecLoader loader = new SpecLoader();
        List<NamedSpec> named = new ArrayList<>();
        for (Path p : specs) {
            String n = p.getFileName().toString();
            String name = n.contains(".") ? n.substring(0, n.lastIndexOf('.')) : n;
            ApiSpec spec;
            try {
                spec = loader.load(p);
            } catch (SpecException e) {
                // the command line's handler prints IllegalArgumentException as one clear line, exit 2
                throw new IllegalArgumentException(p + ": " + e.getMessage()
                    + (e.messages().isEmpty() ? "" : ": " + String.join("; ", e.messages())), e);
            }
            for (String m : spec.messages()) {
                stderr.println("gatelens: " + p + ": " + m);
            }
            named.add(new NamedSpec(name, 1, spec));
        }
        return named;
    }

    /** The per-endpoint table: every endpoint with traffic, busiest first. */
    private void writeTable(Writer out, RouteTable routes, TransactionIngest ingest, List<MinuteRow> rows)
            throws IOException {
        Map<Integer, EndpointMinute> byEndpoint = new LinkedHashMap<>();
        for (MinuteRow row : rows) {
            byEndpoint.computeIfAbsent(row.endpointId(), k -> new EndpointMinute()).merge(row.stats());
        }
        Map<Integer, EndpointRef> refs = new HashMap<>();
        for (EndpointRef op : routes.operations()) {
            refs.put(op.id(), op);
        }
        for (EndpointRef shadow : ingest.shadowEndpoints()) {
            refs.put(shadow.id(), shadow);
        }
        List<Map.Entry<Integer, EndpointMinute>> sorted = new ArrayList<>(byEndpoint.entrySet());
        sorted.sort(Comparator.comparingLong((Map.Entry<Integer, EndpointMinute> e) -> e.getValue().calls()).reversed()
            .thenComparing(e -> refs.get(e.getKey()).template()));
        boolean json = kernel.format() == TransactionRowWriter.Format.JSON;
        if (!json) {
            out.write("\n# per endpoint\n" + String.join("\t", TABLE) + "\n");
        }
        for (Map.Entry<Integer, EndpointMinute> e : sorted) {
            EndpointRef ref = refs.get(e.getKey());
            EndpointMinute m = e.getValue();
            LatencySketches.Bins bins = m.latencyBins();
            String[] values = {ref.isShadow() ? "shadow" : "operation", ref.spec(), ref.method(), ref.template(),
                ref.operationId(), Long.toString(m.calls()), Long.toString(m.s4xx()), Long.toString(m.s5xx()),
                ms(bins, 0.50), ms(bins, 0.95), ms(bins, 0.99)};
            if (json) {
                StringBuilder sb = new StringBuilder("{\"endpoint\":{");
                for (int i = 0; i < TABLE.size(); i++) {
                    sb.append(i == 0 ? "" : ",").append('"').append(TABLE.get(i)).append("\":");
                    boolean number = i >= 5;
                    if (values[i] == null) {
                        sb.append("null");
                    } else if (number) {
                        sb.append(values[i]);
                    } else {
                        jsonString(values[i], sb);
                    }
                }
                out.write(sb.append("}}\n").toString());
            } else {
                StringBuilder sb = new StringBuilder();
                for (int i = 0; i < values.length; i++) {
                    if (i > 0) {
                        sb.append('\t');
                    }
                    if (values[i] != null) {
                        TransactionRowWriter.escapeTsv(values[i], sb);
                    }
                }
                out.write(sb.append('\n').toString());
            }
        }
    }

    private static String ms(LatencySketches.Bins bins, double q) {
        if (bins.isEmpty()) {
            return null;
        }
        return String.format(Locale.ROOT, "%.3f", LatencySketches.quantileNs(bins, q) / 1e6);
    }

    private static void jsonString(String s, StringBuilder sb) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                default -> {
                    if (c < 0x20 || c == 0x2028 || c == 0x2029) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    /** The endpoint each transaction maps to, as extra output columns. */
    private record EndpointColumns(TransactionIngest ingest) implements TransactionRowWriter.Annotation {
        @Override
        public List<String> columns() {
            return COLUMNS;
        }

        @Override
        public String[] values(VectorSchemaRoot root, int r) {
            VarCharVector host = (VarCharVector) root.getVector(TransactionSchema.COL_HOST);
            String h = host.isNull(r) ? null : new String(host.get(r), StandardCharsets.UTF_8);
            String method = new String(((VarCharVector) root.getVector(TransactionSchema.COL_METHOD)).get(r),
                StandardCharsets.UTF_8);
            String path = new String(((VarCharVector) root.getVector(TransactionSchema.COL_PATH)).get(r),
                StandardCharsets.UTF_8);
            EndpointRef ref = ingest.classify(h, method, path);
            return new String[] {ref.isShadow() ? "shadow" : "operation", ref.spec(), ref.operationId(), ref.template()};
        }
    }
}
