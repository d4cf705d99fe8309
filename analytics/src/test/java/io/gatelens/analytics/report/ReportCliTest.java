package io.gatelens.analytics.report;

import static org.junit.jupiter.api.Assertions.*;

import io.gatelens.collector.testing.KernelAndCorpus;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * gatelens analyze --spec on a real capture: every transaction is mapped, and the per-endpoint table
 * counts what tshark's truth file says was requested.
 */
class ReportCliTest {
    private static final String CAPTURE = "http-packets.pcap";
    private static final String SPEC = """
        openapi: 3.0.3
        info: {title: Monitor, version: "1"}
        servers: [{url: "http://172.16.210.84:31600/MONITOR"}]
        paths:
          /controller/monitorkpi/getMonitorKpiData:
            post: {operationId: getMonitorKpiData, responses: {'200': {description: ok}}}
          /controller/monitorkpi/query{what}:
            post: {operationId: queryAnything, responses: {'200': {description: ok}}}
          /controller/monitorkpi/{action}:
            post: {operationId: otherAction, responses: {'200': {description: ok}}}
        """;

    @Test
    void everyTransactionMapsAndTheTableCountsWhatWasRequested(@TempDir Path dir) throws Exception {
        KernelAndCorpus.requireBpf();
        Path corpus = KernelAndCorpus.corpus();
        Path spec = dir.resolve("monitor.yaml");
        Files.writeString(spec, SPEC);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = ReportCli.run(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true),
            corpus.resolve("pcap").resolve(CAPTURE).toString(), "--spec", spec.toString());
        assertEquals(0, rc, err.toString());

        // expected, from tshark's requests
        Map<String, Long> expected = new HashMap<>();
        long requests = 0;
        for (String line : Files.readAllLines(corpus.resolve("truth").resolve(CAPTURE + ".http.tsv"))) {
            String[] f = line.split("\t", -1);
            if (!f[0].equals("REQ")) {
                continue;
            }
            requests++;
            String uri = f[9];
            String key;
            if (uri.equals("/MONITOR/controller/monitorkpi/getMonitorKpiData")) {
                key = "getMonitorKpiData";
            } else if (uri.startsWith("/MONITOR/controller/monitorkpi/query")) {
                key = "queryAnything";
            } else if (uri.startsWith("/MONITOR/controller/monitorkpi/")) {
                key = "otherAction";
            } else {
                key = "shadow";
            }
            expected.merge(key, 1L, Long::sum);
        }
        assertTrue(expected.get("queryAnything") >= 3 && expected.get("otherAction") >= 4, expected.toString());

        String[] sections = out.toString(StandardCharsets.UTF_8).split("\n# per endpoint\n");
        assertEquals(2, sections.length, "rows, then the per-endpoint table");
        List<String> rows = sections[0].lines().toList();
        assertTrue(rows.get(0).endsWith("\tendpoint_kind\tspec\toperation_id\tpath_template"), rows.get(0));
        assertEquals(requests, rows.size() - 1, "one row per request");
        long opRows = rows.stream().filter(r -> r.contains("\toperation\tmonitor\t")).count();
        assertEquals(requests - expected.get("shadow"), opRows);

        Map<String, Long> table = new HashMap<>();
        List<String> lines = sections[1].lines().toList();
        assertEquals("kind\tspec\tmethod\tpath_template\toperation_id\tcalls\terrors_4xx\terrors_5xx\tp50_ms\tp95_ms\tp99_ms",
            lines.get(0));
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split("\t", -1);
            String key = f[0].equals("shadow") ? "shadow" : f[4];
            table.merge(key, Long.parseLong(f[5]), Long::sum);
            if (f[0].equals("operation")) {
                double p50 = Double.parseDouble(f[8]);
                double p99 = Double.parseDouble(f[10]);
                assertTrue(p50 > 0 && p50 <= p99, line);
            }
        }
        assertEquals(expected, table);
        assertTrue(err.toString().contains("transactions"), err.toString());
    }

    @Test
    void aBrokenSpecIsAClearErrorAndNoOutput(@TempDir Path dir) throws Exception {
        Path spec = dir.resolve("broken.yaml");
        Files.writeString(spec, "openapi: 3.0.3\npaths: [\n");
        Path capture = dir.resolve("empty.pcap");
        Files.write(capture, new byte[0]);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = ReportCli.run(new PrintStream(out), new PrintStream(err, true), capture.toString(), "--spec", spec.toString());
        assertEquals(2, rc);
        assertTrue(err.toString().contains("broken.yaml"), err.toString());
        assertEquals(0, out.size());
    }
}
