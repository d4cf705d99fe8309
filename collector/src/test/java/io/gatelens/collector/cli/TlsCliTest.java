package io.gatelens.collector.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatelens.collector.record.TlsHandshakeSchema;
import io.gatelens.collector.testing.KernelAndCorpus;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** `gatelens analyze` on corpus captures with HTTP and TLS: the two tables, JSON Lines, and --tls. */
class TlsCliTest {
    static final String TLS_HEADER = String.join("\t", TlsHandshakeSchema.schema().getFields().stream()
            .map(f -> f.getName()).toList());

    @Test
    void analyzePrintsTransactionsThenHandshakes() {
        KernelAndCorpus.requireBpf();
        Path waze = KernelAndCorpus.corpus().resolve("pcap/waze.pcap"); // 8 GET, 13 TLS handshakes
        List<String> tsv = run("analyze", waze.toString()).lines().toList();
        assertTrue(tsv.get(0).startsWith("ts_ns\tsrc\tsport\tdst\tdport\tfamily\tdirection\tifindex\tmethod"), tsv.get(0));
        int blank = tsv.indexOf("");
        assertEquals(1 + 8, blank, "8 transactions, then an empty line: " + tsv);
        assertEquals(TLS_HEADER, tsv.get(blank + 1));
        assertEquals(13, tsv.size() - blank - 2, "13 handshakes");
        for (String line : tsv.subList(blank + 2, tsv.size())) {
            assertEquals(TlsHandshakeSchema.schema().getFields().size(), line.split("\t", -1).length, line);
            assertTrue(line.contains("\tTLS 1.0\t"), line); // waze's clients speak TLS 1.0
        }

        List<String> json = run("analyze", waze.toString(), "--format", "json").lines().toList();
        assertEquals(8 + 13, json.size());
        assertEquals(13, json.stream().filter(l -> l.startsWith("{\"schema\":\"tls_handshake\",\"ts_ns\":")).count());

        List<String> only = run("analyze", waze.toString(), "--tls", "only").lines().toList();
        assertEquals(TLS_HEADER, only.get(0));
        assertEquals(14, only.size());

        List<String> none = run("analyze", waze.toString(), "--tls", "none").lines().toList();
        assertEquals(9, none.size(), "transactions only");
    }

    @Test
    void aCaptureWithOnlyTlsPrintsOneTable() {
        KernelAndCorpus.requireBpf();
        Path noSni = KernelAndCorpus.corpus().resolve("pcap/no_sni.pcap");
        List<String> tsv = run("analyze", noSni.toString()).lines().toList();
        assertEquals(TLS_HEADER, tsv.get(0));
        assertEquals(1 + 7, tsv.size(), String.join("\n", tsv));
        assertEquals(2, GatelensCli.run("analyze", noSni.toString(), "--tls", "some"), "a bad --tls is a usage error");
    }

    private static String run(String... args) {
        PrintStream saved = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8)) {
            System.setOut(ps);
            assertEquals(0, GatelensCli.run(args));
        } finally {
            System.setOut(saved);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
