package io.gatelens.collector.capture;

import static io.gatelens.collector.record.HttpRecordLayout.FLAG_PATH_TRUNCATED;
import static io.gatelens.collector.record.HttpRecordLayout.FLAG_PIPELINED;
import static io.gatelens.collector.testing.RawHttp.concat;
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
import io.gatelens.collector.testing.JdkHttpServer;
import io.gatelens.collector.testing.RawHttp;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The TC programs on loopback (ingress only: every transaction is seen once, as served by this
 * host) against real servers and clients: the JDK HttpServer and HttpClient, and raw sockets
 * where the exact bytes on the wire matter (req_bytes and resp_bytes are then asserted exactly).
 * One capture is shared by the class; each test has a server port of its own and only looks at
 * transactions to that port.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LiveCaptureTest {
    private static final long MS = 1_000_000L;
    /** Latency above this on loopback means a wrong clock or a wrong pairing. */
    private static final long SANE_NS = 5_000 * MS;

    private static final int P_KEEPALIVE = 0;
    private static final int P_V6 = 1;
    private static final int P_BODIES = 2;
    private static final int P_BODIES_RAW = 3;
    private static final int P_SLEEP = 4;
    private static final int P_SLEEP_RAW = 5;
    private static final int P_STATUS = 6;
    private static final int P_RAW_SEQ = 7;
    private static final int P_PIPE = 8;
    private static final int P_BIG_REQ = 9;
    private static final int P_BIG_REQ_RAW = 10;
    private static final int P_LONG_PATH = 11;
    private static final int P_MANY_LINES = 12;
    private static final int P_MANY_LINES_RESP = 13;
    private static final int N_PORTS = 14;

    private static int[] ports;
    private static CapturedTransactions cap;
    private static int loIndex;
    private static final InetAddress V4 = addr("127.0.0.1");
    private static final InetAddress V6 = addr("::1");

    @BeforeAll
    static void startCapture() throws Exception {
        CapturedTransactions.requireBpf();
        ports = RawHttp.freePorts(N_PORTS);
        loIndex = Integer.parseInt(Files.readString(Path.of("/sys/class/net/lo/ifindex")).trim());
        CaptureConfig config = CaptureConfig.defaults()
                .withPorts(Arrays.stream(ports).boxed().collect(Collectors.toSet()));
        cap = CapturedTransactions.start(config, List.of("lo"));
    }

    @AfterAll
    static void closeCapture() {
        if (cap != null) {
            cap.close();
        }
    }

    // ------------------------------------------------------------------------------ helpers

    private static InetAddress addr(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static HttpClient client(ExecutorService pool) {
        HttpClient.Builder b = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5));
        return pool == null ? b.build() : b.executor(pool).build();
    }

    private static HttpResponse<byte[]> send(HttpClient client, String method, URI uri, byte[] body) throws Exception {
        HttpRequest.BodyPublisher pub = body == null
                ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofByteArray(body);
        HttpRequest req = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20)).method(method, pub).build();
        return client.send(req, HttpResponse.BodyHandlers.ofByteArray());
    }

    private static URI uri(InetAddress host, int port, String target) {
        String h = host instanceof Inet6Address ? "[" + host.getHostAddress() + "]" : host.getHostAddress();
        if (h.equals("[0:0:0:0:0:0:0:1]")) {
            h = "[::1]";
        }
        return URI.create("http://" + h + ":" + port + target);
    }

    /** Exactly n transactions to this port, or a failure listing what was captured. */
    private static List<Txn> exactly(int port, int n, String what) {
        List<Txn> got = cap.await(port, n);
        if (got.size() != n) {
            fail(what + ": expected exactly " + n + " transactions to port " + port + ", captured "
                    + got.size() + "\n" + cap.describe(got));
        }
        return got;
    }

    private static List<String> sorted(List<String> in) {
        List<String> out = new ArrayList<>(in);
        Collections.sort(out);
        return out;
    }

    /** Fields every answered loopback transaction must have. */
    private static void assertServedOnLo(Txn t, int family, InetAddress server, int port, List<Txn> all) {
        String ctx = " of " + t + "\n" + cap.describe(all);
        assertEquals(HttpRecordLayout.DIR_SERVER, t.direction(), "direction (1 = served, ingress on lo)" + ctx);
        assertEquals(family, t.family(), "family" + ctx);
        assertEquals(loIndex, t.ifindex(), "ifindex (lo)" + ctx);
        assertEquals(server, t.server(), "server address" + ctx);
        assertEquals(server, t.client(), "client address" + ctx);
        assertEquals(port, t.serverPort(), "server port" + ctx);
        assertTrue(t.ttfbNs() > 0, "ttfb > 0 expected" + ctx);
        assertTrue(t.latencyNs() >= t.ttfbNs(), "latency >= ttfb expected" + ctx);
        assertTrue(t.latencyNs() < SANE_NS, "latency below 5 s expected" + ctx);
        assertTrue(t.reqBytes() > 0, "req_bytes > 0 expected" + ctx);
    }

    /**
     * Exactly these flags; GAP is ignored once TCP retransmitted on the host (loopback drops when
     * a CPU's backlog is full, e.g. under a concurrent benchmark: real loss, rightly flagged).
     */
    private static void assertFlags(int expected, Txn t, List<Txn> all) {
        int flags = t.flags();
        if ((expected & HttpRecordLayout.FLAG_GAP) == 0 && cap.counters().retransmits() > 0) {
            flags &= ~HttpRecordLayout.FLAG_GAP;
        }
        assertEquals(HttpRecordLayout.flagNames(expected), HttpRecordLayout.flagNames(flags),
                "flags of " + t + "\n" + cap.describe(all));
    }

    /** One "expected" line per transaction: method, path, status, and optionally exact sizes. */
    private record Want(String method, String path, int status, long reqBytes, long respBytes, int flags) {
        static Want of(String method, String path, int status) {
            return new Want(method, path, status, -1, -1, 0);
        }

        String line() {
            return method + " " + path + " -> " + status;
        }
    }

    private static String lines(List<Txn> got) {
        return got.stream().map(t -> t.request() + " -> " + t.status()).collect(Collectors.joining("\n"));
    }

    private static String wantLines(List<Want> want) {
        return want.stream().map(Want::line).collect(Collectors.joining("\n"));
    }

    /** Same requests in the same order, same statuses, sizes and flags where the Want gives them. */
    private static void assertSequence(List<Want> want, List<Txn> got) {
        assertEquals(wantLines(want), lines(got), "transactions in order\n" + cap.describe(got));
        for (int i = 0; i < want.size(); i++) {
            Want w = want.get(i);
            Txn t = got.get(i);
            if (w.reqBytes >= 0) {
                assertEquals(w.reqBytes, t.reqBytes(), "req_bytes of [" + i + "] " + t + "\n" + cap.describe(got));
            }
            if (w.respBytes >= 0) {
                assertEquals(w.respBytes, t.respBytes(), "resp_bytes of [" + i + "] " + t + "\n" + cap.describe(got));
            }
            assertFlags(w.flags, t, got);
        }
    }

    // ------------------------------------------------------------------------------ 1. keep-alive + concurrency

    @Test
    @Order(1)
    void manyKeepAliveAndConcurrentConnectionsAreEachReportedOnce() throws Exception {
        int port = ports[P_KEEPALIVE];
        int threads = 8;
        int perThread = 25;
        ExecutorService callers = Executors.newFixedThreadPool(threads);
        List<String> sent = Collections.synchronizedList(new ArrayList<>());
        try (JdkHttpServer server = new JdkHttpServer(V4, port)) {
            HttpClient client = client(null);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int th = t;
                done.add(callers.submit(() -> {
                    for (int i = 0; i < perThread; i++) {
                        String target = "/items/" + (th * perThread + i) + "?q=x&t=" + th;
                        HttpResponse<byte[]> r = send(client, "GET", uri(V4, port, target), null);
                        assertEquals(200, r.statusCode(), "status seen by the client for " + target);
                        sent.add("GET " + target);
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
            List<Txn> got = exactly(port, threads * perThread, "8 threads x 25 keep-alive requests");
            assertEquals(sorted(sent), sorted(got.stream().map(Txn::request).collect(Collectors.toList())),
                    "multiset of (method, path) sent vs captured\n" + cap.describe(got));
            for (Txn t : got) {
                assertEquals(200, t.status(), "status of " + t + "\n" + cap.describe(got));
                assertEquals("127.0.0.1:" + port, t.host(), "Host header of " + t + "\n" + cap.describe(got));
                assertServedOnLo(t, 4, V4, port, got);
                assertFlags(0, t, got);
                String body = t.request() + " (0 body bytes)\n";
                assertTrue(t.respBytes() > body.length(), "resp_bytes > body length " + body.length()
                        + " expected for " + t + "\n" + cap.describe(got));
            }
            long connections = got.stream().mapToInt(Txn::clientPort).distinct().count();
            assertTrue(connections > 1 && connections < got.size(), "expected several connections, each "
                    + "reused (keep-alive): " + connections + " client ports for " + got.size()
                    + " transactions\n" + cap.describe(got));
        } finally {
            callers.shutdownNow();
        }
    }

    // ------------------------------------------------------------------------------ 2. IPv6

    @Test
    @Order(2)
    void ipv6LoopbackTransactionsHaveFamily6() throws Exception {
        int port = ports[P_V6];
        int threads = 3;
        int perThread = 10;
        ExecutorService callers = Executors.newFixedThreadPool(threads);
        List<String> sent = Collections.synchronizedList(new ArrayList<>());
        try (JdkHttpServer server = new JdkHttpServer(V6, port)) {
            HttpClient client = client(null);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int th = t;
                done.add(callers.submit(() -> {
                    for (int i = 0; i < perThread; i++) {
                        String target = "/v6/" + th + "/" + i + "?family=6";
                        assertEquals(200, send(client, "GET", uri(V6, port, target), null).statusCode());
                        sent.add("GET " + target);
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
            List<Txn> got = exactly(port, threads * perThread, "IPv6 requests to [::1]");
            assertEquals(sorted(sent), sorted(got.stream().map(Txn::request).collect(Collectors.toList())),
                    "multiset of (method, path) sent vs captured\n" + cap.describe(got));
            for (Txn t : got) {
                assertEquals(200, t.status(), "status of " + t + "\n" + cap.describe(got));
                assertEquals("[::1]:" + port, t.host(), "Host header of " + t + "\n" + cap.describe(got));
                assertTrue(t.server() instanceof Inet6Address, "an IPv6 server address expected: " + t);
                assertServedOnLo(t, 6, V6, port, got);
                assertFlags(0, t, got);
            }
        } finally {
            callers.shutdownNow();
        }
    }

    // ------------------------------------------------------------------------------ 3. bodies

    @Test
    @Order(3)
    void chunkedFixedLengthAndOneMegabyteResponsesAreCountedWhole() throws Exception {
        int port = ports[P_BODIES];
        Map<String, Integer> bodies = new LinkedHashMap<>();
        bodies.put("/chunked/100000", 100_000);
        bodies.put("/fixed/5000", 5000);
        bodies.put("/fixed/1048576", 1 << 20);
        bodies.put("/chunked/1048576", 1 << 20);
        bodies.put("/fixed/7", 7);
        try (JdkHttpServer server = new JdkHttpServer(V4, port)) {
            HttpClient client = client(null);
            for (Map.Entry<String, Integer> e : bodies.entrySet()) {
                HttpResponse<byte[]> r = send(client, "GET", uri(V4, port, e.getKey()), null);
                assertEquals(200, r.statusCode());
                assertEquals(e.getValue(), r.body().length, "body length the client read for " + e.getKey());
            }
            List<Txn> got = exactly(port, bodies.size(), "responses with bodies");
            assertEquals(bodies.keySet().stream().map(p -> "GET " + p).collect(Collectors.toList()),
                    got.stream().map(Txn::request).collect(Collectors.toList()), "requests in order\n" + cap.describe(got));
            for (Txn t : got) {
                long body = bodies.get(t.path());
                String ctx = "\n" + cap.describe(got);
                assertEquals(200, t.status(), "status of " + t + ctx);
                assertServedOnLo(t, 4, V4, port, got);
                assertFlags(0, t, got);
                // head + body; chunk framing adds ~8 bytes per 4 KiB piece
                assertTrue(t.respBytes() >= body && t.respBytes() <= body + body / 100 + 1024,
                        "resp_bytes in [" + body + ", " + (body + body / 100 + 1024) + "] expected for " + t + ctx);
            }
        }

        // byte-exact: chunk extensions and a trailer, Content-Length, an empty chunked body
        int rawPort = ports[P_BODIES_RAW];
        byte[] chunkedExt = concat(response(200, "OK", null, "Transfer-Encoding: chunked", "Trailer: X-Sum"),
                "5;name=value\r\nhello\r\n1A\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nX-Sum: 31\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
        byte[] chunkedBig = RawHttp.chunked(200, "OK", filled(200_000, 'z'), 7000);
        byte[] emptyChunked = RawHttp.chunked(200, "OK", new byte[0], 1);
        byte[] cl = fixed(200, "OK", filled(65_000, 'y'));
        byte[] cl0 = response(200, "OK", null, "Content-Length: 0");
        Map<String, byte[]> answers = new LinkedHashMap<>();
        answers.put("/raw/chunked-ext", chunkedExt);
        answers.put("/raw/chunked-big", chunkedBig);
        answers.put("/raw/chunked-empty", emptyChunked);
        answers.put("/raw/cl", cl);
        answers.put("/raw/cl0", cl0);
        try (RawHttp.Server server = new RawHttp.Server(V4, rawPort, (req, out) -> out.write(answers.get(req.target())));
             Socket s = new Socket(V4, rawPort)) {
            s.setTcpNoDelay(true);
            InputStream in = new BufferedInputStream(s.getInputStream());
            OutputStream out = s.getOutputStream();
            List<Want> want = new ArrayList<>();
            for (Map.Entry<String, byte[]> e : answers.entrySet()) {
                byte[] req = request("GET", e.getKey(), "127.0.0.1:" + rawPort, null, "Accept: */*");
                out.write(req);
                RawHttp.Message m = RawHttp.readResponse(in, "GET");
                assertEquals(e.getValue().length, m.wireBytes(), "response bytes the client read for " + e.getKey());
                want.add(new Want("GET", e.getKey(), 200, req.length, e.getValue().length, 0));
            }
            List<Txn> got = exactly(rawPort, want.size(), "raw responses with exact sizes");
            assertSequence(want, got);
            for (Txn t : got) {
                assertEquals(s.getLocalPort(), t.clientPort(), "client port of " + t);
                assertServedOnLo(t, 4, V4, rawPort, got);
            }
        }
    }

    // ------------------------------------------------------------------------------ 4. timing

    @Test
    @Order(4)
    void aSlowHandlerShowsInTtfbAndLatency() throws Exception {
        int port = ports[P_SLEEP];
        long sleepNs = 300 * MS;
        long margin = 1500 * MS;
        try (JdkHttpServer server = new JdkHttpServer(V4, port)) {
            HttpClient client = client(null);
            for (int i = 0; i < 3; i++) {
                assertEquals(200, send(client, "GET", uri(V4, port, "/sleep/300"), null).statusCode());
            }
            List<Txn> got = exactly(port, 3, "requests to a handler sleeping 300 ms");
            for (Txn t : got) {
                String ctx = " of " + t + "\n" + cap.describe(got);
                assertEquals("GET /sleep/300", t.request(), "request" + ctx);
                assertEquals(200, t.status(), "status" + ctx);
                assertTrue(t.ttfbNs() >= sleepNs && t.ttfbNs() <= sleepNs + margin,
                        "ttfb in [300 ms, 1800 ms] expected" + ctx);
                assertTrue(t.latencyNs() >= t.ttfbNs() && t.latencyNs() <= sleepNs + margin,
                        "latency in [ttfb, 1800 ms] expected" + ctx);
                assertServedOnLo(t, 4, V4, port, got);
            }
        }

        // head at once, body 300 ms later: small ttfb, latency >= 300 ms
        int rawPort = ports[P_SLEEP_RAW];
        byte[] head = response(200, "OK", null, "Content-Length: 10");
        byte[] body = filled(10, 'b');
        try (RawHttp.Server server = new RawHttp.Server(V4, rawPort, (req, out) -> {
            out.write(head);
            out.flush();
            Thread.sleep(300);
            out.write(body);
        }); Socket s = new Socket(V4, rawPort)) {
            s.setTcpNoDelay(true);
            byte[] req = request("GET", "/late-body", "127.0.0.1:" + rawPort, null);
            s.getOutputStream().write(req);
            RawHttp.readResponse(new BufferedInputStream(s.getInputStream()), "GET");
            List<Txn> got = exactly(rawPort, 1, "a response whose body follows its head by 300 ms");
            Txn t = got.get(0);
            String ctx = " of " + t + "\n" + cap.describe(got);
            assertSequence(List.of(new Want("GET", "/late-body", 200, req.length, head.length + body.length, 0)), got);
            assertTrue(t.ttfbNs() > 0 && t.ttfbNs() < 250 * MS, "ttfb < 250 ms expected (head sent at once)" + ctx);
            assertTrue(t.latencyNs() >= sleepNs && t.latencyNs() <= sleepNs + margin,
                    "latency in [300 ms, 1800 ms] expected (last byte 300 ms after the head)" + ctx);
        }
    }

    // ------------------------------------------------------------------------------ 5. statuses and methods

    @Test
    @Order(5)
    void statusesAndMethodsAreReportedAndBodylessResponsesDoNotSwallowTheNext() throws Exception {
        int port = ports[P_STATUS];
        List<Want> want = new ArrayList<>();
        try (JdkHttpServer server = new JdkHttpServer(V4, port)) {
            HttpClient client = client(null);
            Object[][] calls = {
                {"GET", "/status/201", null, 201},
                {"GET", "/status/204", null, 204},
                {"GET", "/after-204", null, 200},
                {"GET", "/status/304", null, 304},
                {"GET", "/after-304", null, 200},
                {"GET", "/status/404", null, 404},
                {"GET", "/status/500", null, 500},
                {"POST", "/submit?x=1", filled(1000, 'p'), 200},
                {"PUT", "/res/1", filled(50, 'u'), 200},
                {"DELETE", "/res/1", null, 200},
                {"HEAD", "/fixed/5000", null, 200},
                {"GET", "/after-head", null, 200},
                {"PATCH", "/res/1", filled(20, 'a'), 200},
                {"OPTIONS", "/res/1", null, 200},
                {"GET", "/status/201", null, 201},
            };
            for (Object[] c : calls) {
                HttpResponse<byte[]> r = send(client, (String) c[0], uri(V4, port, (String) c[1]), (byte[]) c[2]);
                assertEquals((int) c[3], r.statusCode(), "status the client saw for " + c[0] + " " + c[1]);
                want.add(Want.of((String) c[0], (String) c[1], (int) c[3]));
            }
            List<Txn> got = exactly(port, want.size(), "one request per status and method");
            assertSequence(want, got);
            for (Txn t : got) {
                assertServedOnLo(t, 4, V4, port, got);
                if (t.method().equals("POST")) {
                    assertTrue(t.reqBytes() >= 1000 && t.reqBytes() < 1000 + 1024, "req_bytes of the POST: " + t);
                }
                if (t.method().equals("HEAD")) {
                    assertTrue(t.respBytes() < 1000, "a HEAD response has no body although it says "
                            + "Content-Length: 5000: " + t);
                }
            }
        }

        // one raw keep-alive connection: bodyless responses (HEAD with Content-Length, 204, 304
        // with Content-Length), each followed by a normal one, and a non-standard method
        int rawPort = ports[P_RAW_SEQ];
        Map<String, byte[]> answers = new LinkedHashMap<>();
        answers.put("HEAD /head", response(200, "OK", null, "Content-Length: 5000", "Content-Type: text/plain"));
        answers.put("GET /after-head", fixed(200, "OK", "hello".getBytes(StandardCharsets.US_ASCII)));
        answers.put("GET /no-content", response(204, "No Content", null, "X-Why: none"));
        answers.put("GET /after-204", fixed(200, "OK", "after 204".getBytes(StandardCharsets.US_ASCII)));
        answers.put("GET /not-modified", response(304, "Not Modified", null, "ETag: \"abc\"", "Content-Length: 777"));
        answers.put("GET /after-304", fixed(200, "OK", "after 304".getBytes(StandardCharsets.US_ASCII)));
        answers.put("PURGE /cache/item?all=1", fixed(200, "Purged", "purged".getBytes(StandardCharsets.US_ASCII)));
        answers.put("OPTIONS *", response(200, "OK", null, "Allow: GET, HEAD, PURGE", "Content-Length: 0"));
        answers.put("POST /form", fixed(201, "Created", "made".getBytes(StandardCharsets.US_ASCII)));
        answers.put("GET /status-404", fixed(404, "Not Found", "nope".getBytes(StandardCharsets.US_ASCII)));
        answers.put("HEAD /head-chunked", response(200, "OK", null, "Transfer-Encoding: chunked"));
        answers.put("GET /last", fixed(200, "OK", "last".getBytes(StandardCharsets.US_ASCII)));
        try (RawHttp.Server server = new RawHttp.Server(V4, rawPort,
                (req, out) -> out.write(answers.get(req.method() + " " + req.target())));
             Socket s = new Socket(V4, rawPort)) {
            s.setTcpNoDelay(true);
            InputStream in = new BufferedInputStream(s.getInputStream());
            OutputStream out = s.getOutputStream();
            List<Want> rawWant = new ArrayList<>();
            for (Map.Entry<String, byte[]> e : answers.entrySet()) {
                String[] mt = e.getKey().split(" ");
                byte[] body = mt[0].equals("POST") ? "a=1&b=2".getBytes(StandardCharsets.US_ASCII) : null;
                byte[] req = request(mt[0], mt[1], "127.0.0.1:" + rawPort, body, "User-Agent: raw");
                out.write(req);
                RawHttp.Message m = RawHttp.readResponse(in, mt[0]);
                assertEquals(e.getValue().length, m.wireBytes(), "bytes the client read for " + e.getKey());
                rawWant.add(new Want(mt[0], mt[1], m.status(), req.length, e.getValue().length, 0));
            }
            List<Txn> got = exactly(rawPort, rawWant.size(), "sequential requests on one raw keep-alive connection");
            assertSequence(rawWant, got);
            for (Txn t : got) {
                assertEquals(s.getLocalPort(), t.clientPort(), "one connection: client port of " + t);
                assertEquals("127.0.0.1:" + rawPort, t.host(), "host of " + t);
                assertServedOnLo(t, 4, V4, rawPort, got);
            }
        }
    }

    // ------------------------------------------------------------------------------ 6. pipelining

    @Test
    @Order(6)
    void pipelinedRequestsInOneWriteArePairedInOrder() throws Exception {
        int port = ports[P_PIPE];
        String host = "127.0.0.1:" + port;
        // request -> the response the server gives it
        List<byte[]> reqs = new ArrayList<>();
        List<byte[]> resps = new ArrayList<>();
        List<Want> want = new ArrayList<>();
        Object[][] script = {
            {"GET", "/pipe/0", fixed(200, "OK", filled(10, '0'))},
            {"GET", "/pipe/1", fixed(404, "Not Found", filled(11, '1'))},
            {"HEAD", "/pipe/2", response(200, "OK", null, "Content-Length: 1234")},
            {"GET", "/pipe/3", response(204, "No Content", null)},
            {"POST", "/pipe/4", fixed(201, "Created", filled(3, '4'))},
            {"GET", "/pipe/5", response(304, "Not Modified", null, "Content-Length: 99")},
            {"GET", "/pipe/6", RawHttp.chunked(200, "OK", filled(3000, '6'), 1000)},
            {"DELETE", "/pipe/7", fixed(200, "OK", filled(7, '7'))},
            {"GET", "/pipe/8", fixed(500, "Internal Server Error", filled(8, '8'))},
            {"GET", "/pipe/9", fixed(200, "OK", filled(9, '9'))},
        };
        for (int round = 0; round < 2; round++) {
            for (Object[] s : script) {
                String method = (String) s[0];
                String path = round + (String) s[1];
                byte[] body = method.equals("POST") ? filled(100, 'b') : null;
                byte[] req = request(method, "/" + path, host, body);
                reqs.add(req);
                byte[] resp = (byte[]) s[2];
                resps.add(resp);
                int status = Integer.parseInt(new String(resp, 9, 3, StandardCharsets.US_ASCII));
                want.add(new Want(method, "/" + path, status, req.length, resp.length,
                        reqs.size() % script.length == 1 ? 0 : FLAG_PIPELINED));
            }
        }
        Map<String, byte[]> answers = new LinkedHashMap<>();
        for (int i = 0; i < reqs.size(); i++) {
            answers.put(want.get(i).method() + " " + want.get(i).path(), resps.get(i));
        }
        // round 0: each response its own write; round 1: all ten responses in one write
        ByteArrayOutputStream held = new ByteArrayOutputStream();
        try (RawHttp.Server server = new RawHttp.Server(V4, port, (req, out) -> {
            byte[] r = answers.get(req.method() + " " + req.target());
            if (req.target().startsWith("/0")) {
                out.write(r);
            } else {
                held.writeBytes(r);
                if (req.target().equals("/1/pipe/9")) {
                    out.write(held.toByteArray());
                }
            }
        })) {
            List<Integer> clientPorts = new ArrayList<>();
            for (int round = 0; round < 2; round++) {
                try (Socket s = new Socket(V4, port)) {
                    s.setTcpNoDelay(true);
                    clientPorts.add(s.getLocalPort());
                    ByteArrayOutputStream all = new ByteArrayOutputStream();
                    for (int i = round * script.length; i < (round + 1) * script.length; i++) {
                        all.writeBytes(reqs.get(i));
                    }
                    s.getOutputStream().write(all.toByteArray()); // ONE write: one segment on lo
                    InputStream in = new BufferedInputStream(s.getInputStream());
                    for (int i = round * script.length; i < (round + 1) * script.length; i++) {
                        RawHttp.Message m = RawHttp.readResponse(in, want.get(i).method());
                        assertEquals(want.get(i).status(), m.status(), "status the client read for " + want.get(i).line());
                    }
                }
            }
            List<Txn> got = exactly(port, want.size(), "2 x 10 pipelined requests");
            // per connection, in order
            List<Txn> ordered = new ArrayList<>();
            for (int cp : clientPorts) {
                got.stream().filter(t -> t.clientPort() == cp).forEach(ordered::add);
            }
            assertEquals(want.size(), ordered.size(), "transactions on the two client ports " + clientPorts
                    + "\n" + cap.describe(got));
            assertSequence(want, ordered);
            for (Txn t : ordered) {
                assertServedOnLo(t, 4, V4, port, got);
            }
        }
    }

    // ------------------------------------------------------------------------------ 7. big requests

    @Test
    @Order(7)
    void requestsLargerThanOneSegmentAreCountedWhole() throws Exception {
        int port = ports[P_BIG_REQ];
        int size = 300 * 1024;
        try (JdkHttpServer server = new JdkHttpServer(V4, port)) {
            HttpClient client = client(null);
            HttpResponse<byte[]> r = send(client, "POST", uri(V4, port, "/upload?name=big"), filled(size, 'u'));
            assertEquals(200, r.statusCode());
            assertEquals("POST /upload?name=big (" + size + " body bytes)\n", new String(r.body(), StandardCharsets.UTF_8));
            List<Txn> got = exactly(port, 1, "a 300 KiB POST");
            Txn t = got.get(0);
            assertEquals("POST /upload?name=big -> 200", t.request() + " -> " + t.status(), cap.describe(got));
            assertTrue(t.reqBytes() >= size && t.reqBytes() <= size + 1024,
                    "req_bytes in [" + size + ", " + (size + 1024) + "] expected: " + t);
            assertFlags(0, t, got);
            assertServedOnLo(t, 4, V4, port, got);
        }

        int rawPort = ports[P_BIG_REQ_RAW];
        String host = "127.0.0.1:" + rawPort;
        List<String> many = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            many.add("X-Filler-" + i + ": " + "f".repeat(200));
        }
        List<byte[]> reqs = List.of(
                request("POST", "/upload-raw", host, filled(size, 'r'), "Content-Type: application/octet-stream"),
                request("GET", "/big-headers", host, null, many.toArray(new String[0])),
                // one header line longer than the 2 KiB parse window; the body length comes after it
                request("POST", "/long-header-line", host, filled(10, 'L'), "X-Long: " + "l".repeat(3000)),
                // a browser-like head of ~1.5 KiB (a big Cookie), whole in one segment
                request("POST", "/cookie-head", host, filled(12, 'C'), "User-Agent: Mozilla/5.0 (X11; Linux x86_64)",
                        "Accept: text/html,application/xhtml+xml", "Cookie: " + "session=abc; ".repeat(110)),
                // answered with a ~1.5 KiB head (Set-Cookie lines) in one segment
                request("GET", "/cookie-response", host, null),
                request("GET", "/after-big-heads", host, null));
        byte[] answer = fixed(200, "OK", "ok".getBytes(StandardCharsets.US_ASCII));
        List<String> setCookies = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            setCookies.add("Set-Cookie: c" + i + "=" + "v".repeat(60) + "; Path=/");
        }
        setCookies.add("Content-Length: 2");
        byte[] bigHeadAnswer = response(200, "OK", "ok".getBytes(StandardCharsets.US_ASCII), setCookies.toArray(new String[0]));
        try (RawHttp.Server server = new RawHttp.Server(V4, rawPort,
                (req, out) -> out.write(req.target().equals("/cookie-response") ? bigHeadAnswer : answer));
             Socket s = new Socket(V4, rawPort)) {
            s.setTcpNoDelay(true);
            InputStream in = new BufferedInputStream(s.getInputStream());
            List<Want> want = new ArrayList<>();
            for (byte[] req : reqs) {
                s.getOutputStream().write(req);
                RawHttp.Message m = RawHttp.readResponse(in, "GET");
                assertEquals(200, m.status());
                String line = new String(req, 0, Math.min(64, req.length), StandardCharsets.US_ASCII).split("\r\n")[0];
                String[] mt = line.split(" ");
                want.add(new Want(mt[0], mt[1], 200, req.length, m.wireBytes(), 0));
            }
            List<Received> rec = server.received().stream()
                    .map(m -> new Received(m.method(), m.target(), m.body().length)).collect(Collectors.toList());
            assertEquals(List.of(new Received("POST", "/upload-raw", size), new Received("GET", "/big-headers", 0),
                    new Received("POST", "/long-header-line", 10), new Received("POST", "/cookie-head", 12),
                    new Received("GET", "/cookie-response", 0), new Received("GET", "/after-big-heads", 0)),
                    rec, "what the server read");
            assertTrue(reqs.get(3).length > 1400 && reqs.get(3).length < 2000 && bigHeadAnswer.length > 1400
                    && bigHeadAnswer.length < 2000, "heads of 1.4..2 KiB expected");
            List<Txn> got = exactly(rawPort, want.size(), "requests with big bodies and big heads");
            assertSequence(want, got);
            for (Txn t : got) {
                assertEquals(host, t.host(), "Host (the first header) of " + t + "\n" + cap.describe(got));
                assertServedOnLo(t, 4, V4, rawPort, got);
            }
        }
    }

    private record Received(String method, String target, int bodyBytes) {}

    // ------------------------------------------------------------------------------ 8. long paths

    @Test
    @Order(8)
    void pathsLongerThan256BytesAreTruncatedAndFlagged() throws Exception {
        int port = ports[P_LONG_PATH];
        String p1000 = "/long/" + "a".repeat(1000 - 6);
        String p256 = "/exact/" + "b".repeat(256 - 7);
        String p257 = "/over/" + "c".repeat(257 - 6);
        try (JdkHttpServer server = new JdkHttpServer(V4, port)) {
            HttpClient client = client(null);
            for (String p : List.of(p1000, p256, p257)) {
                assertEquals(200, send(client, "GET", uri(V4, port, p), null).statusCode());
            }
            List<Txn> got = exactly(port, 3, "requests with 1000, 256 and 257-byte paths");
            assertSequence(List.of(
                    new Want("GET", p1000.substring(0, 256), 200, -1, -1, FLAG_PATH_TRUNCATED),
                    new Want("GET", p256, 200, -1, -1, 0),
                    new Want("GET", p257.substring(0, 256), 200, -1, -1, FLAG_PATH_TRUNCATED)), got);
            assertTrue(got.get(0).reqBytes() > 1000, "req_bytes counts the whole request line: " + got.get(0));
            for (Txn t : got) {
                assertEquals(256, t.path().length(), "path length of " + t);
                assertEquals("127.0.0.1:" + port, t.host(), "host after a long request line: " + t);
                assertServedOnLo(t, 4, V4, port, got);
            }
        }
    }

    /**
     * Heads with many header lines wholly inside one segment keep their framing: the header scan
     * covers the whole parse window, so stopping early always means the window ended.
     */
    @Test
    @Order(9)
    void headsWithManyHeaderLinesInOneSegmentKeepTheirFraming() throws Exception {
        int port = ports[P_MANY_LINES];
        String host = "127.0.0.1:" + port;
        byte[] answer = fixed(200, "OK", "ok".getBytes(StandardCharsets.US_ASCII));
        List<Want> want = new ArrayList<>();
        try (RawHttp.Server server = new RawHttp.Server(V4, port, (req, out) -> out.write(answer));
             Socket s = new Socket(V4, port)) {
            s.setTcpNoDelay(true);
            InputStream in = new BufferedInputStream(s.getInputStream());
            for (int n : new int[] {61, 62, 70, 100}) {
                List<String> headers = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    headers.add("X-" + i + ": v");
                }
                // Host + n + Content-Length header lines
                byte[] big = request("PUT", "/lines/" + n, host, filled(5, 'b'), headers.toArray(new String[0]));
                byte[] next = request("GET", "/after/" + n, host, null);
                for (byte[] req : List.of(big, next)) {
                    s.getOutputStream().write(req);
                    assertEquals(200, RawHttp.readResponse(in, "GET").status());
                    String[] mt = new String(req, 0, 24, StandardCharsets.US_ASCII).split(" ");
                    want.add(new Want(mt[0], mt[1], 200, req.length, answer.length, 0));
                }
            }
            assertSequence(want, exactly(port, want.size(), "heads with 63 (fine) and 64 to 102 header lines, each followed by a GET"));
        }

        int respPort = ports[P_MANY_LINES_RESP];
        List<Want> respWant = new ArrayList<>();
        try (RawHttp.Server server = new RawHttp.Server(V4, respPort, (req, out) -> {
            int n = Integer.parseInt(req.target().split("/")[2]);
            List<String> headers = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                headers.add("Set-Cookie: c" + i + "=v");
            }
            headers.add("Content-Length: 2");
            out.write(response(200, "OK", "ok".getBytes(StandardCharsets.US_ASCII), headers.toArray(new String[0])));
        }); Socket s = new Socket(V4, respPort)) {
            s.setTcpNoDelay(true);
            InputStream in = new BufferedInputStream(s.getInputStream());
            for (int n : new int[] {62, 63, 70}) {
                for (String target : List.of("/cookies/" + n, "/cookies/0")) {
                    byte[] req = request("GET", target, "127.0.0.1:" + respPort, null);
                    s.getOutputStream().write(req);
                    RawHttp.Message m = RawHttp.readResponse(in, "GET");
                    respWant.add(new Want("GET", target, 200, req.length, m.wireBytes(), 0));
                }
            }
            assertSequence(respWant, exactly(respPort, respWant.size(),
                    "responses with 63 (fine) and 64 to 71 header lines, each followed by a small one"));
        }
    }

    // ------------------------------------------------------------------------------ 11. counters

    @Test
    @Order(100)
    void countersShowNoDropsAndEveryRecordWasDrained() {
        cap.stop(); // final drain
        cap.checkHealthy();
        KernelCounters c = cap.counters();
        List<Txn> all = cap.all();
        Set<Integer> ours = Arrays.stream(ports).boxed().collect(Collectors.toSet());
        List<Txn> foreign = all.stream().filter(t -> !ours.contains(t.serverPort())).collect(Collectors.toList());
        assertEquals(List.of(), foreign, "transactions to a port outside the filter");
        assertEquals(0, c.ringbufDrops(), "ring buffer drops; counters " + c.asMap());
        assertTrue(c.records() >= all.size(), "records counter " + c.records() + " >= " + all.size()
                + " transactions drained expected; counters " + c.asMap());
        assertEquals(c.records(), all.size(), "every record written was drained; counters " + c.asMap());
        long answered = all.stream().filter(t -> t.status() != 0).count();
        assertTrue(c.requests() >= all.size() && c.responses() >= answered,
                "requests >= transactions (" + all.size() + ") and responses >= answered (" + answered + "): "
                        + c.asMap());
        assertEquals(0, c.pendingLost(), "pending requests lost: " + c.asMap());
        assertEquals(0, c.pendingOverflow(), "pending overflow: " + c.asMap());
        System.out.println("LiveCaptureTest: " + all.size() + " transactions; kernel counters " + c.asMap());
    }
}
