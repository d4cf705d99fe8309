package io.gatelens.collector.bpf;

import static io.gatelens.collector.testing.Packets.ACK;
import static io.gatelens.collector.testing.Packets.FIN;
import static io.gatelens.collector.testing.Packets.PSH;
import static io.gatelens.collector.testing.Packets.ascii;
import static io.gatelens.collector.testing.Packets.ip4;
import static io.gatelens.collector.testing.Packets.ip6;
import static io.gatelens.collector.testing.Packets.tcp4;
import static io.gatelens.collector.testing.Packets.tcp6;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatelens.collector.record.HttpRecordLayout;
import io.gatelens.collector.record.TransactionRow;
import io.gatelens.collector.testing.KernelAndCorpus;
import io.gatelens.collector.testing.Packets;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The TC program as a program (Cilium's way): build packets, run them with BPF_PROG_TEST_RUN on
 * an offline clock, check the records and counters that come out.
 */
class KernelProgramTest {
    static final byte[] CLIENT = ip4(10, 1, 0, 1), SERVER = ip4(10, 1, 0, 2);
    static final long T0 = 1_700_000_000_000_000_000L;

    @BeforeEach
    void privileges() {
        KernelAndCorpus.requireBpf();
    }

    /** One offline program, fed frame by frame. */
    static final class Run implements AutoCloseable {
        final BpfProgram p;
        final ByteBuffer buf = ByteBuffer.allocateDirect(4 << 20);
        final List<TransactionRow> rows = new ArrayList<>();

        Run(CaptureConfig config) {
            p = BpfProgram.load(config.withOffline(true));
        }

        Run feed(long atNs, byte[] frame) {
            p.setClock(atNs);
            p.testRun(BpfProgram.Program.INGRESS, frame, 1);
            return this;
        }

        /** Ends time: every open connection is swept, then everything is drained. */
        List<TransactionRow> finish() {
            p.setClock(Long.MAX_VALUE / 2);
            p.sweep();
            return drain();
        }

        List<TransactionRow> drain() {
            int n;
            while ((n = p.drain(buf, -1)) > 0) {
                rows.addAll(TransactionRow.decode(buf, n, 0));
            }
            return rows;
        }

        @Override
        public void close() {
            p.close();
        }
    }

    static byte[] req(int cport, long seq, long ack, String text) {
        return tcp4(CLIENT, cport, SERVER, 80, seq, ack, ACK | PSH, ascii(text));
    }

    static byte[] resp(int cport, long seq, long ack, String text) {
        return tcp4(SERVER, 80, CLIENT, cport, seq, ack, ACK | PSH, ascii(text));
    }

    @Test
    void oneTransactionWithExactFields() {
        String q = "GET /pets/42?x=1 HTTP/1.1\r\nHost: api.example\r\nUser-Agent: t\r\n\r\n";
        String r = "HTTP/1.1 201 Created\r\nContent-Length: 5\r\n\r\nhello";
        try (Run run = new Run(CaptureConfig.defaults())) {
            run.feed(T0, req(40000, 1000, 5000, q));
            run.feed(T0 + 1_500_000, resp(40000, 5000, 1000 + q.length(), r));
            List<TransactionRow> rows = run.drain();
            assertEquals(1, rows.size(), "one complete transaction, emitted by its last response byte");
            TransactionRow t = rows.get(0);
            assertEquals("GET", t.method());
            assertEquals("/pets/42?x=1", t.path());
            assertEquals("api.example", t.host());
            assertEquals(201, t.status());
            assertEquals(T0, t.tsNs());
            assertEquals(1_500_000L, t.ttfbNs());
            assertEquals(1_500_000L, t.latencyNs());
            assertEquals(q.length(), t.reqBytes());
            assertEquals(r.length(), t.respBytes());
            assertEquals("10.1.0.1", t.src().getHostAddress());
            assertEquals(40000, t.sport());
            assertEquals("10.1.0.2", t.dst().getHostAddress());
            assertEquals(80, t.dport());
            assertEquals(4, t.family());
            assertEquals(HttpRecordLayout.DIR_UNKNOWN, t.direction());
            assertEquals(0, t.flags());
        }
    }

    @Test
    void bodyOverSeveralSegmentsAndIpv6() {
        byte[] c6 = ip6(1), s6 = ip6(2);
        String q = "POST /upload HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n";
        String head = "HTTP/1.1 200 OK\r\nContent-Length: 30\r\n\r\n";
        try (Run run = new Run(CaptureConfig.defaults())) {
            run.feed(T0, tcp6(c6, 50000, s6, 8080, 1, 1, ACK, ascii(q)));
            run.feed(T0 + 10, tcp6(c6, 50000, s6, 8080, 1 + q.length(), 1, ACK, ascii("0123456789")));
            run.feed(T0 + 100, tcp6(s6, 8080, c6, 50000, 1, 1 + q.length() + 10, ACK, ascii(head + "x".repeat(10))));
            assertEquals(0, run.drain().size(), "the response body is not complete yet");
            run.feed(T0 + 300, tcp6(s6, 8080, c6, 50000, 1 + head.length() + 10, 1, ACK, ascii("y".repeat(20))));
            TransactionRow t = run.drain().get(0);
            assertEquals(6, t.family());
            assertEquals("POST", t.method());
            assertEquals(q.length() + 10, t.reqBytes());
            assertEquals(head.length() + 30, t.respBytes());
            assertEquals(100L, t.ttfbNs());
            assertEquals(300L, t.latencyNs());
        }
    }

    @Test
    void chunkedResponseEndsAtTheTerminatorEvenAcrossSegments() {
        String q = "GET /c HTTP/1.1\r\nHost: h\r\n\r\n";
        String part1 = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n1";
        String part2 = "0\r\n0123456789abcdef\r\n0\r\n\r\n";
        try (Run run = new Run(CaptureConfig.defaults())) {
            run.feed(T0, req(40001, 1, 1, q));
            run.feed(T0 + 5, resp(40001, 1, 1 + q.length(), part1));
            assertEquals(0, run.drain().size(), "chunked body still open");
            run.feed(T0 + 9, resp(40001, 1 + part1.length(), 1 + q.length(), part2));
            TransactionRow t = run.drain().get(0);
            assertEquals(200, t.status());
            assertEquals(part1.length() + part2.length(), t.respBytes());
            assertEquals(9L, t.latencyNs());
        }
    }

    @Test
    void headResponsesAndNoContentDoNotSwallowTheNextResponse() {
        String q = "HEAD /a HTTP/1.1\r\nHost: h\r\n\r\nDELETE /b HTTP/1.1\r\nHost: h\r\n\r\nGET /c HTTP/1.1\r\nHost: h\r\n\r\n";
        String r = "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n"
                + "HTTP/1.1 204 No Content\r\n\r\n"
                + "HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\nno";
        try (Run run = new Run(CaptureConfig.defaults())) {
            run.feed(T0, req(40002, 1, 1, q));
            run.feed(T0 + 7, resp(40002, 1, 1 + q.length(), r));
            List<TransactionRow> rows = run.drain();
            assertEquals(List.of("HEAD /a 200", "DELETE /b 204", "GET /c 404"),
                    rows.stream().map(t -> t.method() + " " + t.path() + " " + t.status()).toList());
            assertTrue(rows.get(1).hasFlag(HttpRecordLayout.FLAG_PIPELINED), "second request was pipelined");
        }
    }

    @Test
    void unansweredRequestIsReportedOnTimeoutAndOrphanResponsesAreCountedOnly() {
        try (Run run = new Run(CaptureConfig.defaults().withIdleTimeout(Duration.ofSeconds(5)))) {
            run.feed(T0, req(40003, 1, 1, "GET /never HTTP/1.1\r\nHost: h\r\n\r\n"));
            run.feed(T0, resp(40004, 1, 1, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"));
            run.p.setClock(T0 + 4_000_000_000L);
            run.p.sweep();
            assertEquals(0, run.drain().size(), "not idle long enough");
            run.p.setClock(T0 + 6_000_000_000L);
            run.p.sweep();
            List<TransactionRow> rows = run.drain();
            assertEquals(1, rows.size());
            TransactionRow t = rows.get(0);
            assertEquals("/never", t.path());
            assertNull(t.status());
            assertNull(t.latencyNs());
            assertTrue(t.hasFlag(HttpRecordLayout.FLAG_NO_RESPONSE) && t.hasFlag(HttpRecordLayout.FLAG_TIMEOUT),
                    HttpRecordLayout.flagNames(t.flags()).toString());
            KernelCounters c = run.p.counters();
            assertEquals(1, c.responsesUnmatched(), "the response to an unseen request is counted");
            assertEquals(1, c.timeouts());
        }
    }

    @Test
    void closeDelimitedResponseEndsAtFin() {
        String q = "GET /old HTTP/1.0\r\n\r\n";
        String r = "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nbody until close";
        try (Run run = new Run(CaptureConfig.defaults())) {
            run.feed(T0, req(40005, 1, 1, q));
            run.feed(T0 + 10, resp(40005, 1, 1 + q.length(), r));
            run.feed(T0 + 20, tcp4(SERVER, 80, CLIENT, 40005, 1 + r.length(), 1 + q.length(), ACK | FIN, new byte[0]));
            TransactionRow t = run.drain().get(0);
            assertEquals(200, t.status());
            assertEquals(10L, t.latencyNs(), "the last byte came with the data segment, not the FIN");
            assertTrue(t.hasFlag(HttpRecordLayout.FLAG_RESP_EOF));
            assertEquals(r.length(), t.respBytes());
        }
    }

    @Test
    void longPathsAreTruncatedAndFlagged() {
        String path = "/" + "p".repeat(999);
        try (Run run = new Run(CaptureConfig.defaults().withMaxPathBytes(32))) {
            run.feed(T0, req(40006, 1, 1, "GET " + path + " HTTP/1.1\r\nHost: h\r\n\r\n"));
            run.feed(T0 + 1, resp(40006, 1, 1, "HTTP/1.1 414 URI Too Long\r\nContent-Length: 0\r\n\r\n"));
            TransactionRow t = run.drain().get(0);
            assertEquals(path.substring(0, 32), t.path());
            assertTrue(t.hasFlag(HttpRecordLayout.FLAG_PATH_TRUNCATED));
            assertEquals(414, t.status());
        }
    }

    @Test
    void portsFilterAndSampling() {
        try (Run run = new Run(CaptureConfig.defaults().withPorts(Set.of(8080)))) {
            run.feed(T0, req(40007, 1, 1, "GET /other-port HTTP/1.1\r\n\r\n"));
            run.feed(T0, resp(40007, 1, 29, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"));
            assertEquals(0, run.finish().size(), "port 80 is not watched");
            assertEquals(0, run.p.counters().requests());
        }
        int n = 400;
        try (Run run = new Run(CaptureConfig.defaults().withSampleEvery(4))) {
            for (int i = 0; i < n; i++) {
                run.feed(T0 + i, req(20000 + i, 1, 1, "GET /s HTTP/1.1\r\n\r\n"));
                run.feed(T0 + i + 1, resp(20000 + i, 1, 20, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"));
            }
            List<TransactionRow> rows = run.drain();
            KernelCounters c = run.p.counters();
            assertEquals(n, c.records() + c.sampledOut(), "every transaction is either reported or sampled out");
            assertEquals(c.records(), rows.size());
            // 1 in 4 of 400: binomial, mean 100, sd ~8.7; 50..150 is > 5 sd either way
            assertTrue(rows.size() > 50 && rows.size() < 150, "about 1 in 4 reported: " + rows.size());
        }
    }

    @Test
    void aFullRingBufferDropsAndCountsWithoutLosingTrack() {
        int n = 60;
        try (Run run = new Run(CaptureConfig.defaults().withRingBytes(4096))) {
            for (int i = 0; i < n; i++) {
                run.feed(T0 + i, req(30000 + i, 1, 1, "GET /r" + i + " HTTP/1.1\r\n\r\n"));
                run.feed(T0 + i, resp(30000 + i, 1, 1, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"));
            }
            KernelCounters c = run.p.counters();
            assertTrue(c.ringbufDrops() > 0, "a 4 KB ring holds fewer than " + n + " records");
            assertEquals(n, c.records() + c.ringbufDrops(), "every transaction reported or counted as dropped");
            List<TransactionRow> rows = run.drain();
            assertEquals(c.records(), rows.size(), "what the kernel wrote is what user space reads");
            // after draining, new transactions flow again
            run.feed(T0 + n, req(30999, 1, 1, "GET /after HTTP/1.1\r\n\r\n"));
            run.feed(T0 + n, resp(30999, 1, 1, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"));
            int before = rows.size();
            List<TransactionRow> after = run.drain();
            assertEquals(before + 1, after.size(), "one more record after draining: " + run.p.counters().asMap());
            assertEquals("/after", after.get(before).path());
        }
    }

    @Test
    void trackedFlowsSurviveTheGateRecount() {
        // lib/flow.h: the sweep lowers gl_flow_gate to the live flows; a live flow's segments
        // must still find it, whatever else was created, ended or swept meanwhile
        String q = "GET /g HTTP/1.1\r\nHost: h\r\n\r\n";
        String r = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
        int n = 3000;
        try (Run run = new Run(CaptureConfig.defaults().withIdleTimeout(Duration.ofSeconds(5)))) {
            for (int i = 0; i < n; i++) {
                run.feed(T0 + i, req(20000 + i, 1, 1, q));
            }
            // connections that end, and sweeps in between: their slots go down, not the others'
            for (int i = 0; i < 200; i++) {
                run.feed(T0 + n + i, req(30000 + i, 1, 1, q));
                run.feed(T0 + n + i, resp(30000 + i, 1, 1 + q.length(), r));
                run.feed(T0 + n + i, tcp4(CLIENT, 30000 + i, SERVER, 80, 1 + q.length(), 1 + r.length(), ACK | FIN, new byte[0]));
                run.feed(T0 + n + i, tcp4(SERVER, 80, CLIENT, 30000 + i, 1 + r.length(), 2 + q.length(), ACK | FIN, new byte[0]));
                if (i % 50 == 0) {
                    run.p.setClock(T0 + n + i);
                    run.p.sweep();
                }
            }
            for (int i = 0; i < n; i++) {
                run.feed(T0 + 1_000_000_000L + i, resp(20000 + i, 1, 1 + q.length(), r));
            }
            List<TransactionRow> rows = run.drain();
            assertEquals(n + 200, rows.size(), run.p.counters().asMap().toString());
            assertTrue(rows.stream().allMatch(t -> Integer.valueOf(200).equals(t.status()) && t.flags() == 0));
        }
    }

    @Test
    void nonHttpTrafficLeavesNoState() {
        try (Run run = new Run(CaptureConfig.defaults())) {
            run.feed(T0, Packets.udp4(CLIENT, 5353, SERVER, 53, 40));
            byte[] tls = new byte[200];
            tls[0] = 0x16;
            tls[1] = 3;
            tls[2] = 1;
            run.feed(T0, tcp4(CLIENT, 40100, SERVER, 443, 1, 1, ACK | PSH, tls));
            run.feed(T0, tcp4(CLIENT, 40100, SERVER, 443, 201, 1, ACK, new byte[0]));
            assertEquals(0, run.finish().size());
            KernelCounters c = run.p.counters();
            assertEquals(3, c.packets());
            assertEquals(0, c.flowsCreated(), "no flow entry for traffic that never looked like HTTP");
        }
    }
}
