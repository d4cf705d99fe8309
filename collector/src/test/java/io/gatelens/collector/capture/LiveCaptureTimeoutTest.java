package io.gatelens.collector.capture;

import static io.gatelens.collector.record.HttpRecordLayout.FLAG_NO_RESPONSE;
import static io.gatelens.collector.record.HttpRecordLayout.FLAG_RESET;
import static io.gatelens.collector.record.HttpRecordLayout.FLAG_RESP_EOF;
import static io.gatelens.collector.record.HttpRecordLayout.FLAG_RESP_TRUNCATED;
import static io.gatelens.collector.record.HttpRecordLayout.FLAG_TIMEOUT;
import static io.gatelens.collector.testing.RawHttp.filled;
import static io.gatelens.collector.testing.RawHttp.fixed;
import static io.gatelens.collector.testing.RawHttp.request;
import static io.gatelens.collector.testing.RawHttp.response;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.gatelens.collector.bpf.CaptureConfig;
import io.gatelens.collector.bpf.KernelCounters;
import io.gatelens.collector.record.HttpRecordLayout;
import io.gatelens.collector.testing.CapturedTransactions;
import io.gatelens.collector.testing.CapturedTransactions.Txn;
import io.gatelens.collector.testing.RawHttp;
import java.io.BufferedInputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * How transactions without a (complete) response end, on loopback, with an idle timeout of 2 s:
 * the idle sweep (NO_RESPONSE|TIMEOUT), the server's FIN (gl_flush(0): NO_RESPONSE), a reset
 * (NO_RESPONSE|RESET), a body cut by close (RESP_TRUNCATED) or delimited by it (RESP_EOF), and a
 * keep-alive connection that was swept while idle and then used again.
 *
 * <p>One raw server per test; its handler answers by target: /hang/... never, /cut/... with half
 * of a Content-Length body, /eof/... with a body delimited by close, anything else with a
 * normal response.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LiveCaptureTimeoutTest {
    private static final Duration IDLE = Duration.ofSeconds(2);
    private static final long MS = 1_000_000L;
    private static final InetAddress V4 = addr();

    private static final byte[] OK = fixed(200, "OK", "fine".getBytes(StandardCharsets.US_ASCII));
    private static final byte[] CUT_HEAD = response(200, "OK", null, "Content-Length: 1000");
    private static final byte[] EOF_RESPONSE = response(200, "OK", filled(3000, 'e'), "Connection: close");

    private static int[] ports;
    private static CapturedTransactions cap;

    @BeforeAll
    static void startCapture() {
        CapturedTransactions.requireBpf();
        ports = RawHttp.freePorts(6);
        cap = CapturedTransactions.start(CaptureConfig.defaults()
                .withIdleTimeout(IDLE)
                .withPorts(Arrays.stream(ports).boxed().collect(Collectors.toSet())), List.of("lo"));
    }

    @AfterAll
    static void closeCapture() {
        if (cap != null) {
            cap.close();
        }
    }

    private static InetAddress addr() {
        try {
            return InetAddress.getByName("127.0.0.1");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static RawHttp.Server server(int port) throws Exception {
        return new RawHttp.Server(V4, port, (req, out) -> {
            String t = req.target();
            if (t.startsWith("/hang/")) {
                return; // read, never answer
            }
            if (t.startsWith("/cut/")) {
                out.write(CUT_HEAD);
                out.write(filled(100, 'c')); // 100 of the 1000 declared; closes (Connection: close)
                return;
            }
            if (t.startsWith("/eof/")) {
                out.write(EOF_RESPONSE); // closes after it (the request says Connection: close)
                return;
            }
            out.write(OK);
        });
    }

    private static Socket connect(int port) throws Exception {
        Socket s = new Socket(V4, port);
        s.setTcpNoDelay(true);
        return s;
    }

    private static Txn only(int port, String what, Duration wait) {
        List<Txn> got = cap.await(port, 1, wait);
        if (got.size() != 1) {
            fail(what + ": expected exactly 1 transaction to port " + port + ", captured " + got.size()
                    + "\n" + cap.describe(got));
        }
        return got.get(0);
    }

    private static void assertUnanswered(Txn t, String path, long reqBytes, int flags) {
        String ctx = " of " + t + "\n" + cap.describe(List.of(t));
        assertEquals("GET " + path, t.request(), "request" + ctx);
        assertEquals(0, t.status(), "no status (null) expected" + ctx);
        assertEquals(-1, t.ttfbNs(), "no ttfb (null) expected" + ctx);
        assertEquals(-1, t.latencyNs(), "no latency (null) expected" + ctx);
        assertEquals(0, t.respBytes(), "resp_bytes" + ctx);
        assertEquals(reqBytes, t.reqBytes(), "req_bytes" + ctx);
        assertEquals(HttpRecordLayout.flagNames(flags), HttpRecordLayout.flagNames(t.flags()), "flags" + ctx);
        assertEquals(HttpRecordLayout.DIR_SERVER, t.direction(), "direction" + ctx);
    }

    @Test
    @Order(1)
    void anUnansweredRequestOnAnOpenConnectionIsReportedByTheIdleSweep() throws Exception {
        int port = ports[0];
        try (RawHttp.Server server = server(port); Socket s = connect(port)) {
            byte[] req = request("GET", "/hang/open", "127.0.0.1:" + port, null);
            long sent = System.nanoTime();
            s.getOutputStream().write(req);
            Thread.sleep(IDLE.toMillis() - 500);
            assertEquals(List.of(), cap.forServerPort(port),
                    "nothing may be reported before the idle timeout (2 s) passed");
            Txn t = only(port, "an unanswered request, connection left open", Duration.ofSeconds(10));
            long waited = System.nanoTime() - sent;
            assertUnanswered(t, "/hang/open", req.length, FLAG_NO_RESPONSE | FLAG_TIMEOUT);
            assertTrue(waited >= IDLE.toNanos(), "reported after " + waited / MS
                    + " ms, before the idle timeout of " + IDLE.toMillis() + " ms: " + t);
            assertEquals(s.getLocalPort(), t.clientPort(), "client port of " + t);
        }
    }

    @Test
    @Order(2)
    void anUnansweredRequestIsReportedWhenTheServerCloses() throws Exception {
        int port = ports[1];
        try (RawHttp.Server server = server(port); Socket s = connect(port)) {
            byte[] req = request("GET", "/hang/closed", "127.0.0.1:" + port, null);
            s.getOutputStream().write(req);
            long sent = System.nanoTime();
            s.shutdownOutput(); // client FIN; the server reads EOF and closes: server FIN
            assertEquals(-1, s.getInputStream().read(), "the server closes without answering");
            Txn t = only(port, "an unanswered request, then both sides close", Duration.ofSeconds(10));
            long waited = System.nanoTime() - sent;
            assertUnanswered(t, "/hang/closed", req.length, FLAG_NO_RESPONSE);
            assertTrue(waited < IDLE.toNanos(), "the server's FIN must report it at once, not the sweep: "
                    + waited / MS + " ms");
        }
    }

    @Test
    @Order(3)
    void anUnansweredRequestIsReportedWhenTheConnectionIsReset() throws Exception {
        int port = ports[2];
        try (RawHttp.Server server = server(port); Socket s = connect(port)) {
            byte[] req = request("GET", "/hang/reset", "127.0.0.1:" + port, null);
            s.getOutputStream().write(req);
            Thread.sleep(100); // let the server read it
            s.setSoLinger(true, 0);
            s.close(); // RST
            Txn t = only(port, "an unanswered request, then a reset", Duration.ofSeconds(10));
            assertUnanswered(t, "/hang/reset", req.length, FLAG_NO_RESPONSE | FLAG_RESET);
        }
    }

    @Test
    @Order(4)
    void aBodyCutByCloseIsTruncatedAndOneDelimitedByCloseIsComplete() throws Exception {
        int port = ports[3];
        try (RawHttp.Server server = server(port)) {
            byte[] cutReq = request("GET", "/cut/half", "127.0.0.1:" + port, null, "Connection: close");
            try (Socket s = connect(port)) {
                s.getOutputStream().write(cutReq);
                byte[] got = s.getInputStream().readAllBytes();
                assertEquals(CUT_HEAD.length + 100, got.length, "bytes before the server closed");
            }
            byte[] eofReq = request("GET", "/eof/all", "127.0.0.1:" + port, null, "Connection: close");
            try (Socket s = connect(port)) {
                s.getOutputStream().write(eofReq);
                RawHttp.Message m = RawHttp.readResponse(new BufferedInputStream(s.getInputStream()), "GET");
                assertEquals(EOF_RESPONSE.length, m.wireBytes());
            }
            List<Txn> got = cap.await(port, 2, Duration.ofSeconds(10));
            String ctx = "\n" + cap.describe(got);
            assertEquals(2, got.size(), "two transactions expected" + ctx);
            Map<String, Txn> by = got.stream().collect(Collectors.toMap(Txn::path, t -> t));
            Txn cut = by.get("/cut/half");
            Txn eof = by.get("/eof/all");
            assertTrue(cut != null && eof != null, "/cut/half and /eof/all expected" + ctx);
            assertEquals(200, cut.status(), "status of the cut response" + ctx);
            assertEquals(CUT_HEAD.length + 100, cut.respBytes(), "resp_bytes of the cut response" + ctx);
            assertEquals(cutReq.length, cut.reqBytes(), "req_bytes" + ctx);
            assertTrue(cut.has(FLAG_RESP_TRUNCATED) && !cut.has(FLAG_NO_RESPONSE) && !cut.has(FLAG_TIMEOUT),
                    "RESP_TRUNCATED (and neither NO_RESPONSE nor TIMEOUT) expected" + ctx);
            assertTrue(cut.latencyNs() >= cut.ttfbNs() && cut.ttfbNs() > 0, "latency >= ttfb > 0" + ctx);

            assertEquals(200, eof.status(), "status of the close-delimited response" + ctx);
            assertEquals(EOF_RESPONSE.length, eof.respBytes(), "resp_bytes of the close-delimited response" + ctx);
            assertEquals(HttpRecordLayout.flagNames(FLAG_RESP_EOF), HttpRecordLayout.flagNames(eof.flags()),
                    "flags of the close-delimited response" + ctx);
        }
    }

    @Test
    @Order(5)
    void aKeepAliveConnectionSweptWhileIdleIsFollowedAgainWhenReused() throws Exception {
        int port = ports[4];
        try (RawHttp.Server server = server(port); Socket s = connect(port)) {
            InputStream in = new BufferedInputStream(s.getInputStream());
            byte[] first = request("GET", "/before-idle", "127.0.0.1:" + port, null);
            s.getOutputStream().write(first);
            RawHttp.readResponse(in, "GET");
            assertEquals(1, cap.await(port, 1, Duration.ofSeconds(10)).size(), cap.describe(port));
            Thread.sleep(IDLE.toMillis() + 2_000); // idle past the timeout: the sweep forgets the flow
            assertEquals(1, cap.forServerPort(port).size(),
                    "an idle connection with nothing pending must not be reported by the sweep\n" + cap.describe(port));
            byte[] second = request("GET", "/after-idle", "127.0.0.1:" + port, null);
            s.getOutputStream().write(second);
            RawHttp.readResponse(in, "GET");
            List<Txn> got = cap.await(port, 2, Duration.ofSeconds(10));
            String ctx = "\n" + cap.describe(got);
            assertEquals(List.of("GET /before-idle -> 200", "GET /after-idle -> 200"),
                    got.stream().map(t -> t.request() + " -> " + t.status()).collect(Collectors.toList()),
                    "both requests of the connection" + ctx);
            for (Txn t : got) {
                assertEquals(s.getLocalPort(), t.clientPort(), "client port" + ctx);
                assertEquals(OK.length, t.respBytes(), "resp_bytes" + ctx);
                assertEquals(0, t.flags(), "flags" + ctx);
            }
            assertEquals(second.length, got.get(1).reqBytes(), "req_bytes after the flow was re-created" + ctx);
        }
    }

    @Test
    @Order(100)
    void countersCountTheTimeoutsAndNoDrops() {
        KernelCounters c = cap.stopAndCheckDrained();
        List<Txn> all = cap.all();
        long timedOut = all.stream().filter(t -> t.has(FLAG_TIMEOUT)).count();
        assertEquals(timedOut, c.timeouts(), "timeouts counter vs TIMEOUT records: " + c.asMap() + "\n" + cap.describe(all));
        assertTrue(c.timeouts() >= 1, "at least the swept transaction: " + c.asMap());
    }
}
