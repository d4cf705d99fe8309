package io.gatelens.collector.capture;

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
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
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
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The TC programs on the host end of a veth pair whose other end is in a network namespace:
 * ingress and egress are both attached, so the direction of a transaction tells who called whom.
 * The pair is created with gso_max_segs 1 and MTU 1500, so every TCP segment crosses it alone
 * (no 64 KiB GSO packets): a 200 KiB body really is ~140 segments.
 *
 * <p>The server in the namespace is python's http.server speaking HTTP/1.1 (keep-alive: with
 * HTTP/1.0 it closes after each response, and a client that reuses the connection in that instant
 * retries on a new one — two transactions on the wire, correctly reported, but not a fixed count).
 *
 * <p>Names carry the process id (reruns and parallel runs do not collide), the addresses are a
 * /30 of 10.213.7.0/24 not in use on this host, and everything is removed in @AfterAll.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LiveCaptureVethTest {
    private static final long MS = 1_000_000L;
    private static final int BIG = 200 * 1024;

    private static final long PID = ProcessHandle.current().pid();
    private static final String NS = "gltest-" + PID;
    private static final String HOST_IF = "glh" + PID;
    private static final String NS_IF = "gln" + PID;

    private static String hostAddr;
    private static String nsAddr;
    private static int hostIfindex;
    private static int pyPort;
    private static int jdkPort;
    private static Path dir;
    private static Process python;
    private static Path pythonLog;
    private static boolean netnsCreated;
    private static CapturedTransactions cap;

    @BeforeAll
    static void setUp() throws Exception {
        CapturedTransactions.requireBpf();
        // leftovers of an aborted run with this very pid
        quietly("ip", "netns", "del", NS);
        quietly("ip", "link", "del", HOST_IF);

        int k = freeSubnet();
        hostAddr = "10.213.7." + (4 * k + 1);
        nsAddr = "10.213.7." + (4 * k + 2);
        run("ip", "netns", "add", NS);
        netnsCreated = true;
        run("ip", "link", "add", HOST_IF, "mtu", "1500", "gso_max_segs", "1", "type", "veth",
                "peer", "name", NS_IF, "mtu", "1500", "gso_max_segs", "1");
        run("ip", "link", "set", NS_IF, "netns", NS);
        run("ip", "addr", "add", hostAddr + "/30", "dev", HOST_IF);
        run("ip", "link", "set", HOST_IF, "up");
        run("ip", "netns", "exec", NS, "ip", "addr", "add", nsAddr + "/30", "dev", NS_IF);
        run("ip", "netns", "exec", NS, "ip", "link", "set", NS_IF, "up");
        run("ip", "netns", "exec", NS, "ip", "link", "set", "lo", "up");
        hostIfindex = Integer.parseInt(Files.readString(Path.of("/sys/class/net", HOST_IF, "ifindex")).trim());

        dir = Files.createTempDirectory("gatelens-veth");
        for (int i = 0; i < 5; i++) {
            Files.writeString(dir.resolve("f" + i + ".txt"), "file " + i + "\n".repeat(i + 1));
        }
        byte[] big = RawHttp.filled(BIG, 'B');
        Files.write(dir.resolve("big.bin"), big);
        Files.write(dir.resolve("upload.bin"), RawHttp.filled(150 * 1024, 'U'));

        int[] ports = RawHttp.freePorts(2);
        pyPort = ports[0];
        jdkPort = ports[1];
        pythonLog = dir.resolve("python.log");
        python = new ProcessBuilder("ip", "netns", "exec", NS, "/usr/bin/python3", "-m", "http.server",
                "--protocol", "HTTP/1.1", Integer.toString(pyPort), "--bind", nsAddr, "--directory", dir.toString())
                .redirectErrorStream(true).redirectOutput(pythonLog.toFile()).start();
        awaitListening(nsAddr, pyPort);

        cap = CapturedTransactions.start(CaptureConfig.defaults().withPorts(java.util.Set.of(pyPort, jdkPort)),
                List.of(HOST_IF));
    }

    @AfterAll
    static void tearDown() throws Exception {
        try {
            if (cap != null) {
                cap.close();
            }
        } finally {
            if (python != null) {
                python.destroy();
                if (!python.waitFor(5, TimeUnit.SECONDS)) {
                    python.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            }
            if (netnsCreated) {
                quietly("ip", "netns", "del", NS); // takes the veth pair with it
            }
            quietly("ip", "link", "del", HOST_IF);
            if (dir != null) {
                try (Stream<Path> s = Files.walk(dir)) {
                    s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }

    // ------------------------------------------------------------------------------ helpers

    private static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        boolean done = p.waitFor(30, TimeUnit.SECONDS);
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!done) {
            p.destroyForcibly();
            throw new IOException("timed out: " + String.join(" ", cmd) + "\n" + out);
        }
        if (p.exitValue() != 0) {
            throw new IOException("exit " + p.exitValue() + ": " + String.join(" ", cmd) + "\n" + out);
        }
        return out;
    }

    private static void quietly(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            p.waitFor(30, TimeUnit.SECONDS);
        } catch (IOException | InterruptedException e) {
            // best effort
        }
    }

    /** A /30 of 10.213.7.0/24 no interface of this host uses, starting from one chosen by pid. */
    private static int freeSubnet() throws Exception {
        String addrs = run("ip", "-o", "-4", "addr", "show");
        for (int i = 0; i < 64; i++) {
            int k = (int) ((PID + i) % 64);
            if (!addrs.contains(" 10.213.7." + (4 * k + 1) + "/") && !addrs.contains(" 10.213.7." + (4 * k + 2) + "/")) {
                return k;
            }
        }
        throw new IllegalStateException("every /30 of 10.213.7.0/24 is in use:\n" + addrs);
    }

    private static void awaitListening(String host, int port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(host, port), 500); // no payload: not a transaction
                return;
            } catch (IOException e) {
                if (!python.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("python http.server in " + NS + " is not answering on "
                            + host + ":" + port + ":\n" + Files.readString(pythonLog), e);
                }
                Thread.sleep(100);
            }
        }
    }

    private static List<Txn> exactly(int port, int n, String what) {
        List<Txn> got = cap.await(port, n, Duration.ofSeconds(15));
        if (got.size() != n) {
            fail(what + ": expected exactly " + n + " transactions to port " + port + ", captured "
                    + got.size() + "\n" + cap.describe(got));
        }
        return got;
    }

    private static void assertOnVeth(Txn t, int direction, String client, String server, int port, List<Txn> all)
            throws Exception {
        String ctx = " of " + t + "\n" + cap.describe(all);
        assertEquals(direction, t.direction(), "direction" + ctx);
        assertEquals(4, t.family(), "family" + ctx);
        assertEquals(hostIfindex, t.ifindex(), "ifindex of " + HOST_IF + ctx);
        assertEquals(InetAddress.getByName(client), t.client(), "client address" + ctx);
        assertEquals(InetAddress.getByName(server), t.server(), "server address" + ctx);
        assertEquals(port, t.serverPort(), "server port" + ctx);
        assertEquals(server + ":" + port, t.host(), "Host header" + ctx);
        assertTrue(t.ttfbNs() > 0 && t.latencyNs() >= t.ttfbNs() && t.latencyNs() < 5_000 * MS,
                "5 s > latency >= ttfb > 0 expected" + ctx);
        int allowed = HttpRecordLayout.FLAG_RESP_EOF;
        if (cap.counters().retransmits() > 0) {
            allowed |= HttpRecordLayout.FLAG_GAP; // a segment really lost (veth backlog full) and resent
        }
        assertEquals(List.of(), HttpRecordLayout.flagNames(t.flags() & ~allowed),
                "no flags expected (RESP_EOF allowed, GAP when TCP retransmitted)" + ctx);
    }

    private static String lines(List<Txn> got) {
        return got.stream().map(t -> t.request() + " -> " + t.status()).sorted().collect(Collectors.joining("\n"));
    }

    // ------------------------------------------------------------------------------ tests

    @Test
    @Order(1)
    void thisHostCallingAServerInTheNamespaceIsDirectionClient() throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        List<String> want = new ArrayList<>();
        long packetsBefore = cap.counters().packets();
        for (String path : List.of("/f0.txt", "/f1.txt", "/f2.txt", "/f3.txt", "/f4.txt", "/big.bin", "/missing.txt")) {
            HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(URI.create("http://" + nsAddr + ":" + pyPort + path))
                    .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofByteArray());
            int status = path.startsWith("/missing") ? 404 : 200;
            assertEquals(status, r.statusCode(), "status python returned for " + path);
            if (path.equals("/big.bin")) {
                assertEquals(BIG, r.body().length, "body length of /big.bin");
            }
            want.add("GET " + path + " -> " + status);
        }
        List<Txn> got = exactly(pyPort, want.size(), "JDK client -> python http.server in the namespace");
        long packets = cap.counters().packets() - packetsBefore;
        want.sort(null);
        assertEquals(String.join("\n", want), lines(got), "requests and statuses\n" + cap.describe(got));
        for (Txn t : got) {
            assertOnVeth(t, HttpRecordLayout.DIR_CLIENT, hostAddr, nsAddr, pyPort, got);
        }
        // HTTP/1.1 keep-alive: python keeps the connection until its 404 says "Connection: close"
        long connections = got.stream().mapToInt(Txn::clientPort).distinct().count();
        assertTrue(connections < got.size(), "keep-alive: fewer connections than requests expected, "
                + connections + " client ports\n" + cap.describe(got));
        Txn big = got.stream().filter(t -> t.path().equals("/big.bin")).findFirst().orElseThrow();
        assertTrue(big.respBytes() >= BIG && big.respBytes() <= BIG + 1024,
                "resp_bytes of /big.bin in [" + BIG + ", " + (BIG + 1024) + "] expected: " + big);
        assertTrue(packets >= BIG / 1500, "the 200 KiB body must cross as ~140 segments of <= 1500 bytes; "
                + "the programs saw " + packets + " packets in all");
    }

    @Test
    @Order(2)
    void aClientInTheNamespaceCallingThisHostIsDirectionServer() throws Exception {
        List<String> want = new ArrayList<>();
        try (JdkHttpServer server = new JdkHttpServer(InetAddress.getByName(hostAddr), jdkPort)) {
            String base = "http://" + hostAddr + ":" + jdkPort;
            for (int i = 0; i < 5; i++) {
                String path = "/ns-call/" + i + "?via=curl";
                assertEquals("200", curl(base + path), "status curl saw for " + path);
                want.add("GET " + path + " -> 200");
            }
            assertEquals("200", curl(base + "/fixed/" + BIG), "status curl saw for the 200 KiB download");
            want.add("GET /fixed/" + BIG + " -> 200");
            assertEquals("404", curl(base + "/status/404"), "status curl saw for /status/404");
            want.add("GET /status/404 -> 404");
            assertEquals("200", curl("-X", "POST", "--data-binary", "@" + dir.resolve("upload.bin"), base + "/upload"),
                    "status curl saw for the 150 KiB POST");
            want.add("POST /upload -> 200");

            List<Txn> got = exactly(jdkPort, want.size(), "curl in the namespace -> JDK HttpServer on " + HOST_IF);
            want.sort(null);
            assertEquals(String.join("\n", want), lines(got), "requests and statuses\n" + cap.describe(got));
            for (Txn t : got) {
                assertOnVeth(t, HttpRecordLayout.DIR_SERVER, nsAddr, hostAddr, jdkPort, got);
            }
            Txn big = got.stream().filter(t -> t.path().equals("/fixed/" + BIG)).findFirst().orElseThrow();
            assertTrue(big.respBytes() >= BIG && big.respBytes() <= BIG + 1024,
                    "resp_bytes of the 200 KiB download in [" + BIG + ", " + (BIG + 1024) + "] expected: " + big);
            Txn post = got.stream().filter(t -> t.method().equals("POST")).findFirst().orElseThrow();
            assertTrue(post.reqBytes() >= 150 * 1024 && post.reqBytes() <= 150 * 1024 + 1024,
                    "req_bytes of the 150 KiB POST in [153600, 154624] expected: " + post);
            assertEquals(want.size(), server.handled(), "requests the server handled");
        }
    }

    private static String curl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(Arrays.asList("ip", "netns", "exec", NS, "curl", "-s", "-o", "/dev/null",
                "-w", "%{http_code}", "--max-time", "20"));
        cmd.addAll(Arrays.asList(args));
        return run(cmd.toArray(new String[0])).trim();
    }

    @Test
    @Order(100)
    void countersShowNoDropsAndNoGaps() {
        KernelCounters c = cap.stopAndCheckDrained();
        List<Txn> all = cap.all();
        // a veth drops when the receiving CPU's backlog is full (a loaded host): every byte the
        // hook never saw must have been sent again, so each gap comes with retransmissions
        assertTrue(c.gaps() <= c.retransmits(), "gaps without retransmissions: " + c.asMap());
        assertEquals(0, c.desyncs(), "desyncs: " + c.asMap());
        System.out.println("LiveCaptureVethTest: " + all.size() + " transactions; kernel counters " + c.asMap());
    }
}
