package io.gatelens.analytics.demo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.gatelens.analytics.demo.PetShop.Reply;
import io.gatelens.analytics.spec.ServerBinding;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.jboss.logging.Logger;

/**
 * The demo pet shop over HTTP: every operation of {@code openapi-specs/gatelens-demo.yaml} under
 * {@link #BASE_PATH}, on 127.0.0.1, with the behaviour of a real service: 400 for bad input, 404 for
 * unknown ids, latency that differs by operation (search and order placement slow, with a tail), an
 * occasional 500 or 503. Two paths in no spec ({@code /internal/health}, {@code /legacy/orders/{id}})
 * are answered too, as real services do: gatelens shows them as shadow endpoints.
 *
 * <p>The JDK's {@link HttpServer} rather than Quarkus's HTTP server: the demo must be a separate TCP
 * listener on loopback for the collector to capture (in-JVM calls never reach the wire), it must not
 * mix with the service's own port and REST endpoints, and it needs no dependency. Routing is written
 * out by hand here, not with {@code RouteTrie}, so the demo test checks the matcher against an
 * independent reading of the spec.
 *
 * <p>Latencies and faults come from a seeded {@link Random}; with several requests in flight the draws
 * interleave differently on each run, so figures are reproducible in distribution, not exactly.
 */
public final class DemoApi {
    public static final String BASE_PATH = "/api/v1";
    /** How the server answers paths in no spec, for {@link #requestCounts()}. */
    public static final String HEALTH = "internal.health";
    public static final String LEGACY_ORDER = "legacy.getOrder";
    /** A path the server has nothing for (404), or a method its path does not have (405). */
    public static final String UNROUTED = "unrouted";

    static final int MAX_BODY_BYTES = 64 * 1024;
    /** How many handled requests {@link #recentRequests()} keeps. */
    static final int RECENT_REQUESTS = 10_000;
    /** Handlers sleep to simulate work, so the pool is larger than the demo's concurrency. */
    private static final int WORKER_THREADS = 32;
    /** Order placement fails with 503 once in this many calls: a flaky payment provider. */
    private static final int PAYMENT_OUTAGE_EVERY = 20;
    private static final int STOP_GRACE_SECONDS = 1;
    private static final Logger LOG = Logger.getLogger(DemoApi.class);

    /**
     * One request as the server handled it: method, target as sent (path and query), operation, and
     * status (0 when no response was sent: the server was stopping).
     */
    public record Handled(String method, String target, String operation, int status) {
    }

    /**
     * Simulated service time: log-normal around {@code medianMs} with spread {@code sigma}; with
     * probability {@code tailP} it is {@code tailFactor} times longer (a cache miss, a lock, a GC).
     */
    private record Latency(double medianMs, double sigma, double tailP, double tailFactor) {
        long sampleMs(Random random) {
            double ms = medianMs * Math.exp(sigma * random.nextGaussian());
            if (random.nextDouble() < tailP) {
                ms *= tailFactor;
            }
            return Math.min(5_000, Math.round(ms));
        }
    }

    private static final Map<String, Latency> LATENCY = Map.ofEntries(
        Map.entry("listPets", new Latency(12, 0.4, 0.01, 10)),
        Map.entry("createPet", new Latency(18, 0.3, 0.02, 6)),
        Map.entry("searchPets", new Latency(60, 0.5, 0.06, 8)),
        Map.entry("getPet", new Latency(4, 0.5, 0.01, 15)),
        Map.entry("updatePet", new Latency(15, 0.3, 0.01, 6)),
        Map.entry("deletePet", new Latency(10, 0.3, 0.01, 6)),
        Map.entry("getInventory", new Latency(25, 0.4, 0.03, 10)),
        Map.entry("placeOrder", new Latency(45, 0.4, 0.04, 12)),
        Map.entry("getOrder", new Latency(6, 0.4, 0.01, 10)),
        Map.entry("cancelOrder", new Latency(20, 0.3, 0.01, 5)),
        Map.entry("getReport", new Latency(70, 0.6, 0.05, 10)),
        Map.entry(HEALTH, new Latency(1, 0.2, 0, 1)),
        Map.entry(LEGACY_ORDER, new Latency(120, 0.5, 0.05, 6)),
        Map.entry(UNROUTED, new Latency(1, 0.2, 0, 1)));

    private final int requestedPort;
    private final PetShop shop;
    private final Random random;
    private final AtomicLong placeOrderCalls = new AtomicLong();
    private final Map<String, LongAdder> byOperation = new ConcurrentHashMap<>();
    private final Map<Integer, LongAdder> byStatus = new ConcurrentHashMap<>();
    private final ArrayDeque<Handled> recent = new ArrayDeque<>();
    private HttpServer server;
    private ExecutorService workers;

    /**
     * @param port the TCP port on 127.0.0.1; 0 for any free port (see {@link #port()})
     * @param seed seeds the shop's pets, latencies and faults
     */
    public DemoApi(int port, long seed) {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be 0 to 65535, got " + port);
        }
        this.requestedPort = port;
        this.shop = new PetShop(seed);
        this.random = new Random(seed);
    }

    /** Binds 127.0.0.1 and starts serving; fails when the port is taken. */
    public synchronized void start() throws IOException {
        if (server != null) {
            throw new IllegalStateException("already started");
        }
        // The JDK server writes headers and body separately; with Nagle's algorithm on, the body waits
        // for the client's delayed ACK and every response gains ~40 ms, in every figure the demo shows.
        // Read once, when the JDK server is first used in this JVM: this is the only user in gatelens.
        System.getProperties().putIfAbsent("sun.net.httpserver.nodelay", "true");
        HttpServer s;
        try {
            s = HttpServer.create(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), requestedPort), 0);
        } catch (IOException e) {
            throw new IOException("demo API: cannot listen on 127.0.0.1:" + requestedPort + " (" + e.getMessage()
                + "); set gatelens.demo.port to a free port", e);
        }
        AtomicInteger n = new AtomicInteger();
        workers = Executors.newFixedThreadPool(WORKER_THREADS, r -> {
            Thread t = new Thread(r, "gatelens-demo-api-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        s.setExecutor(workers);
        s.createContext("/", this::handle);
        s.start();
        server = s;
    }

    /** Stops listening; requests in progress get {@link #STOP_GRACE_SECONDS} to finish, then are dropped. */
    public synchronized void stop() {
        if (server != null) {
            server.stop(STOP_GRACE_SECONDS);
            workers.shutdownNow();
            server = null;
        }
    }

    /** The port listened on; the bound one when started on port 0. */
    public synchronized int port() {
        if (server == null) {
            throw new IllegalStateException("not started");
        }
        return server.getAddress().getPort();
    }

    /**
     * Where the demo spec is served now: {@code localhost:port} and {@link #BASE_PATH}. The spec's own
     * server URL names the default port; bind the spec here ({@code ApiSpec.withServers}) when the
     * port was configured otherwise.
     */
    public ServerBinding serverBinding() {
        int port = port();
        String host = port == 80 ? "localhost" : "localhost:" + port;
        return new ServerBinding(host, BASE_PATH, "http://" + host + BASE_PATH);
    }

    /** Requests handled so far by operation: operationIds of the spec, {@link #HEALTH}, {@link #LEGACY_ORDER}, {@link #UNROUTED}. */
    public Map<String, Long> requestCounts() {
        Map<String, Long> counts = new TreeMap<>();
        byOperation.forEach((op, n) -> counts.put(op, n.sum()));
        return counts;
    }

    /** Responses sent so far by status code. */
    public Map<Integer, Long> statusCounts() {
        Map<Integer, Long> counts = new TreeMap<>();
        byStatus.forEach((status, n) -> counts.put(status, n.sum()));
        return counts;
    }

    /** The last {@value #RECENT_REQUESTS} requests handled, oldest first. */
    public List<Handled> recentRequests() {
        synchronized (recent) {
            return new ArrayList<>(recent);
        }
    }

    // ---------------------------------------------------------------- serving

    private void handle(HttpExchange exchange) {
        String method = exchange.getRequestMethod();
        URI uri = exchange.getRequestURI();
        String rawQuery = uri.getRawQuery();
        String target = uri.getRawPath() + (rawQuery == null ? "" : "?" + rawQuery);
        int status = 0; // none sent, as the collector records it
        String operation = UNROUTED;
        try {
            List<String> segments = segmentsUnderBase(uri.getRawPath());
            operation = segments == null ? UNROUTED : operationOf(method, segments);
            byte[] body = readBody(exchange.getRequestBody());
            Reply reply;
            if (body == null) {
                reply = Reply.error(413, "request body larger than " + MAX_BODY_BYTES + " bytes");
            } else {
                TimeUnit.MILLISECONDS.sleep(LATENCY.get(operation).sampleMs(random));
                try {
                    reply = invoke(operation, method, segments, queryOf(rawQuery), body);
                } catch (RuntimeException e) {
                    LOG.warnf(e, "demo API: %s %s failed", method, target);
                    reply = Reply.error(500, "internal error");
                }
            }
            status = reply.status();
            send(exchange, reply);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // stopping: the connection is dropped
        } catch (IOException e) {
            // the client went away: the request still counts, with the status decided for it
            LOG.debugf(e, "demo API: %s %s: could not answer", method, target);
        } finally {
            exchange.close();
            count(new Handled(method, target, operation, status));
        }
    }

    /**
     * The operation a request is for, by the spec's rules: a literal segment before a template
     * ({@code GET /pets/search} is searchPets, any other method on it goes to {@code /pets/{petId}}).
     * {@link #UNROUTED} when the path or the method has nothing here.
     */
    static String operationOf(String method, List<String> s) {
        int n = s.size();
        if (n == 0) {
            return UNROUTED;
        }
        switch (s.get(0)) {
            case "pets":
                if (n == 1) {
                    return method.equals("GET") ? "listPets" : method.equals("POST") ? "createPet" : UNROUTED;
                }
                if (n == 2) {
                    if (s.get(1).equals("search") && method.equals("GET")) {
                        return "searchPets";
                    }
                    switch (method) {
                        case "GET": return "getPet";
                        case "PUT": return "updatePet";
                        case "DELETE": return "deletePet";
                        default: return UNROUTED;
                    }
                }
                return UNROUTED;
            case "store":
                if (n == 2 && s.get(1).equals("inventory")) {
                    return method.equals("GET") ? "getInventory" : UNROUTED;
                }
                if (n == 2 && s.get(1).equals("orders")) {
                    return method.equals("POST") ? "placeOrder" : UNROUTED;
                }
                if (n == 3 && s.get(1).equals("orders")) {
                    return method.equals("GET") ? "getOrder" : method.equals("DELETE") ? "cancelOrder" : UNROUTED;
                }
                return UNROUTED;
            case "reports":
                // {reportName}.{format}: each parameter at least one character
                return n == 2 && s.get(1).indexOf('.', 1) > 0 && s.get(1).indexOf('.', 1) < s.get(1).length() - 1
                    && method.equals("GET") ? "getReport" : UNROUTED;
            case "internal":
                return n == 2 && s.get(1).equals("health") && method.equals("GET") ? HEALTH : UNROUTED;
            case "legacy":
                return n == 3 && s.get(1).equals("orders") && method.equals("GET") ? LEGACY_ORDER : UNROUTED;
            default:
                return UNROUTED;
        }
    }

    private Reply invoke(String operation, String method, List<String> s, Map<String, String> query, byte[] body) {
        long now = System.nanoTime();
        switch (operation) {
            case "listPets": return shop.listPets(query);
            case "createPet": return shop.createPet(body);
            case "searchPets":
                return random.nextDouble() < 0.01 ? Reply.error(503, "search index is being rebuilt") : shop.searchPets(query);
            case "getPet": return shop.getPet(s.get(1));
            case "updatePet": return shop.updatePet(s.get(1), body);
            case "deletePet": return shop.deletePet(s.get(1));
            case "getInventory":
                return random.nextDouble() < 0.05 ? Reply.error(500, "inventory database timed out") : shop.getInventory();
            case "placeOrder":
                if (placeOrderCalls.incrementAndGet() % PAYMENT_OUTAGE_EVERY == 0) {
                    return Reply.error(503, "payment provider unavailable").withHeader("Retry-After", "2");
                }
                return shop.placeOrder(body, now);
            case "getOrder": return shop.getOrder(s.get(2), now);
            case "cancelOrder": return shop.cancelOrder(s.get(2), now);
            case "getReport": {
                String file = s.get(1);
                int dot = file.indexOf('.', 1);
                return shop.getReport(file.substring(0, dot), file.substring(dot + 1), now);
            }
            case HEALTH: {
                Map<String, Object> health = new HashMap<>();
                health.put("status", "UP");
                health.put("pets", shop.petCount());
                return Reply.json(200, health);
            }
            case LEGACY_ORDER:
                // the pre-v1 order lookup, never documented and still called by an old client
                return PetShop.parseId(s.get(2)) < 0 ? Reply.error(400, "bad order id")
                    : shop.getOrder(s.get(2), now);
            default:
                return s != null && !s.isEmpty() && knownPath(s) ? Reply.error(405, method + " not allowed here")
                    : Reply.error(404, "no such path");
        }
    }

    /** True when some method has an operation on this path (so the answer is 405, not 404). */
    private static boolean knownPath(List<String> s) {
        for (String m : List.of("GET", "POST", "PUT", "DELETE")) {
            if (!operationOf(m, s).equals(UNROUTED)) {
                return true;
            }
        }
        return false;
    }

    private static void send(HttpExchange exchange, Reply reply) throws IOException {
        reply.headers().forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
        if (reply.body() == null || exchange.getRequestMethod().equals("HEAD")) {
            exchange.sendResponseHeaders(reply.status(), -1); // -1: no body (0 would mean chunked)
            return;
        }
        exchange.getResponseHeaders().set("Content-Type", reply.contentType());
        exchange.sendResponseHeaders(reply.status(), reply.body().length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(reply.body());
        }
    }

    private void count(Handled h) {
        byOperation.computeIfAbsent(h.operation(), k -> new LongAdder()).increment();
        byStatus.computeIfAbsent(h.status(), k -> new LongAdder()).increment();
        synchronized (recent) {
            if (recent.size() == RECENT_REQUESTS) {
                recent.removeFirst();
            }
            recent.addLast(h);
        }
    }

    /** The whole body; null when it is larger than {@link #MAX_BODY_BYTES}. */
    private static byte[] readBody(InputStream in) throws IOException {
        byte[] body = in.readNBytes(MAX_BODY_BYTES + 1);
        return body.length > MAX_BODY_BYTES ? null : body;
    }

    /** The decoded segments after {@link #BASE_PATH}, empty ones skipped; null when the path is not under it. */
    static List<String> segmentsUnderBase(String rawPath) {
        if (rawPath == null || !(rawPath.equals(BASE_PATH) || rawPath.startsWith(BASE_PATH + "/"))) {
            return null;
        }
        List<String> segments = new ArrayList<>();
        for (String raw : rawPath.substring(BASE_PATH.length()).split("/")) {
            if (!raw.isEmpty()) {
                segments.add(decode(raw));
            }
        }
        return segments;
    }

    private static Map<String, String> queryOf(String rawQuery) {
        Map<String, String> query = new HashMap<>();
        if (rawQuery != null) {
            for (String pair : rawQuery.split("&")) {
                int eq = pair.indexOf('=');
                String key = decode(eq < 0 ? pair : pair.substring(0, eq));
                query.putIfAbsent(key, eq < 0 ? "" : decode(pair.substring(eq + 1)));
            }
        }
        return query;
    }

    /** Percent-decodes one path segment or query item; an invalid escape leaves the text as sent. */
    private static String decode(String text) {
        try {
            return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return text;
        }
    }
}
