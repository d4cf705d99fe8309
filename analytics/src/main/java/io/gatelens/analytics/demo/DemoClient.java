package io.gatelens.analytics.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * Calls the {@link DemoApi} continuously, as a handful of users of the shop would: a weighted mix of
 * every operation, mostly valid requests with some bad input and unknown ids, and a few calls to
 * paths in no spec (an internal health check, a legacy order lookup, a path nobody serves).
 *
 * <p>Real HTTP/1.1 over TCP to 127.0.0.1 through {@link HttpClient}, with keep-alive (the client's
 * connection pool) and {@code Host: localhost:port}, so the collector captures exactly what a gateway
 * would see. Each virtual user is a thread that sends one request at a time; together they keep to
 * {@code ratePerSecond} (fewer when every user is waiting on a slow response). Errors from the server
 * or the connection are counted and the users carry on.
 */
public final class DemoClient {
    private static final Logger LOG = Logger.getLogger(DemoClient.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** How many sent requests {@link #recentRequests()} keeps. */
    static final int RECENT_REQUESTS = 10_000;
    /** Ids of pets and orders the users created, kept to call them back. */
    private static final int REMEMBERED_IDS = 200;
    /** After a failed connection a user waits this long: no busy loop while the server is down. */
    private static final long BACKOFF_MS = 250;

    /** One request as sent: method, target (path and query) and the status received, -1 when none. */
    public record Sent(String method, String target, int status) {
    }

    /** A request to make: method, target under the base path, JSON body or null. */
    record Call(String method, String target, String body) {
    }

    private final int port;
    private final double ratePerSecond;
    private final int virtualUsers;
    private final long seed;
    private final String baseUri;
    private final ArrayDeque<Long> createdPets = new ArrayDeque<>();
    private final ArrayDeque<Long> placedOrders = new ArrayDeque<>();
    private final ArrayDeque<Sent> recent = new ArrayDeque<>();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final long intervalNanos;
    /** Guards {@link #nextSlotNanos}; not {@code this}, which {@link #stop()} holds while it joins the users. */
    private final Object pacer = new Object();
    private long nextSlotNanos;
    private final List<Thread> users = new ArrayList<>();
    private ExecutorService httpExecutor;
    private HttpClient http;
    private volatile boolean running;

    /**
     * @param port the {@link DemoApi}'s port on 127.0.0.1
     * @param ratePerSecond requests per second, all users together
     * @param virtualUsers concurrent users, each with one request in flight at most
     * @param seed seeds each user's choice of requests
     */
    public DemoClient(int port, double ratePerSecond, int virtualUsers, long seed) {
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("port must be 1 to 65535, got " + port);
        }
        if (!(ratePerSecond > 0 && ratePerSecond <= 10_000)) {
            throw new IllegalArgumentException("rate must be above 0 and at most 10000 per second, got " + ratePerSecond);
        }
        if (virtualUsers < 1 || virtualUsers > 256) {
            throw new IllegalArgumentException("virtual users must be 1 to 256, got " + virtualUsers);
        }
        this.port = port;
        this.ratePerSecond = ratePerSecond;
        this.virtualUsers = virtualUsers;
        this.seed = seed;
        this.intervalNanos = Math.round(1e9 / ratePerSecond);
        this.baseUri = "http://" + loopbackName() + ":" + port + DemoApi.BASE_PATH;
    }

    /**
     * "localhost", so the Host header names the spec's server; HttpClient will not let a caller set
     * Host. The DemoApi listens on 127.0.0.1 only: when localhost resolves elsewhere (an IPv6-only
     * hosts file) the address is used instead, and the demo's traffic shows as unmatched.
     */
    private static String loopbackName() {
        try {
            if (InetAddress.getByName("localhost").getHostAddress().equals("127.0.0.1")) {
                return "localhost";
            }
        } catch (UnknownHostException e) {
            // fall through
        }
        LOG.warn("demo client: localhost does not resolve to 127.0.0.1; calling 127.0.0.1 instead, "
            + "so the Host header will not match the demo spec's server (localhost)");
        return "127.0.0.1";
    }

    /** Starts the virtual users. */
    public synchronized void start() {
        if (running) {
            throw new IllegalStateException("already started");
        }
        running = true;
        AtomicInteger n = new AtomicInteger();
        httpExecutor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "gatelens-demo-http-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .executor(httpExecutor)
            .build();
        synchronized (pacer) {
            nextSlotNanos = System.nanoTime();
        }
        for (int u = 0; u < virtualUsers; u++) {
            Random random = new Random(seed + 1 + u);
            Thread t = new Thread(() -> runUser(random), "gatelens-demo-user-" + (u + 1));
            t.setDaemon(true);
            users.add(t);
            t.start();
        }
    }

    /** Stops the users, interrupting requests in flight, and waits for them to end. */
    public synchronized void stop() {
        if (!running) {
            return;
        }
        running = false;
        users.forEach(Thread::interrupt);
        for (Thread t : users) {
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        users.clear();
        // HttpClient has no close() before Java 21: its selector thread (a daemon) ends once the client is unreachable
        httpExecutor.shutdownNow();
        http = null;
    }

    public String baseUri() {
        return baseUri;
    }

    public double ratePerSecond() {
        return ratePerSecond;
    }

    public int virtualUsers() {
        return virtualUsers;
    }

    /** Requests that got a response. */
    public long sentCount() {
        return sent.get();
    }

    /** Requests that got none (connection refused or reset, timeout). */
    public long failedCount() {
        return failed.get();
    }

    /** The last {@value #RECENT_REQUESTS} requests, oldest first. */
    public List<Sent> recentRequests() {
        synchronized (recent) {
            return new ArrayList<>(recent);
        }
    }

    private void runUser(Random random) {
        HttpClient client = http;
        while (running) {
            try {
                awaitSlot();
                Call call = nextCall(random);
                int status = send(client, call);
                if (status < 0) {
                    TimeUnit.MILLISECONDS.sleep(BACKOFF_MS);
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // a bug must not silence the demo: note it and carry on
                LOG.warn("demo client: request failed", e);
            }
        }
    }

    /** Waits for this user's next turn: turns are spaced evenly; a turn missed while busy is not made up. */
    private void awaitSlot() throws InterruptedException {
        long slot;
        synchronized (pacer) {
            long now = System.nanoTime();
            slot = Math.max(nextSlotNanos, now);
            nextSlotNanos = slot + intervalNanos;
        }
        long wait = slot - System.nanoTime();
        if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
        }
    }

    /** Sends one call; returns the status, -1 when there was no response. */
    private int send(HttpClient client, Call call) throws InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUri + call.target()))
            .timeout(Duration.ofSeconds(10))
            .header("Accept", "application/json")
            .header("User-Agent", "gatelens-demo/1.0");
        if (call.body() == null) {
            request.method(call.method(), HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json")
                .method(call.method(), HttpRequest.BodyPublishers.ofString(call.body()));
        }
        int status;
        try {
            HttpResponse<byte[]> response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            status = response.statusCode();
            sent.incrementAndGet();
            remember(call, status, response.body());
        } catch (IOException e) {
            status = -1;
            failed.incrementAndGet();
            LOG.debugf("demo client: %s %s: %s", call.method(), call.target(), e.toString());
        }
        synchronized (recent) {
            if (recent.size() == RECENT_REQUESTS) {
                recent.removeFirst();
            }
            recent.addLast(new Sent(call.method(), DemoApi.BASE_PATH + call.target(), status));
        }
        return status;
    }

    /** Keeps the ids of created pets and placed orders, to read, update and delete them later. */
    private void remember(Call call, int status, byte[] body) {
        if (status != 201) {
            return;
        }
        ArrayDeque<Long> ids = call.target().startsWith("/pets") ? createdPets : placedOrders;
        try {
            JsonNode id = JSON.readTree(body).get("id");
            if (id != null && id.canConvertToLong()) {
                synchronized (ids) {
                    if (ids.size() == REMEMBERED_IDS) {
                        ids.removeFirst();
                    }
                    ids.addLast(id.asLong());
                }
            }
        } catch (IOException e) {
            LOG.debugf("demo client: unreadable 201 body for %s", call.target());
        }
    }

    // ---------------------------------------------------------------- the mix

    private static final String[] SPECIES = {"dog", "cat", "bird", "fish", "rabbit"};
    private static final String[] SEARCHES = {"rex", "luna", "friendly", "trained", "mi", "senior", "zzz"};
    private static final String[] REPORTS = {"sales-daily", "sales-weekly", "inventory"};

    /**
     * The next request of a user. Weights are percentages: reads dominate, as in most APIs; about one
     * request in ten is invalid or asks for something that does not exist; 8% go to paths in no spec.
     */
    Call nextCall(Random r) {
        int p = r.nextInt(100);
        if (p < 14) {
            return listPets(r);
        } else if (p < 34) {
            return new Call("GET", "/pets/" + petId(r), null);
        } else if (p < 42) {
            return searchPets(r);
        } else if (p < 48) {
            return new Call("POST", "/pets", petBody(r));
        } else if (p < 53) {
            return new Call("PUT", "/pets/" + petId(r), petBody(r));
        } else if (p < 57) {
            Long own = pick(createdPets, r);
            return new Call("DELETE", "/pets/" + (own != null && r.nextInt(10) > 0 ? own : 90_000 + r.nextInt(1_000)), null);
        } else if (p < 64) {
            return new Call("GET", "/store/inventory", null);
        } else if (p < 72) {
            return placeOrder(r);
        } else if (p < 80) {
            return new Call("GET", "/store/orders/" + orderId(r), null);
        } else if (p < 84) {
            return new Call("DELETE", "/store/orders/" + orderId(r), null);
        } else if (p < 92) {
            return report(r);
        } else if (p < 96) {
            return new Call("GET", "/internal/health", null);
        } else if (p < 99) {
            return new Call("GET", "/legacy/orders/" + orderId(r), null);
        } else {
            return new Call("GET", "/pets/" + (1 + r.nextInt(PetShop.INITIAL_PETS)) + "/vaccinations", null);
        }
    }

    private static Call listPets(Random r) {
        int v = r.nextInt(20);
        if (v == 0) {
            return new Call("GET", "/pets?limit=0", null); // out of range: 400
        }
        if (v < 6) {
            return new Call("GET", "/pets?species=" + SPECIES[r.nextInt(SPECIES.length)] + "&limit=" + (5 + r.nextInt(20)), null);
        }
        if (v < 8) {
            return new Call("GET", "/pets?status=available", null);
        }
        return new Call("GET", "/pets", null);
    }

    private static Call searchPets(Random r) {
        return r.nextInt(15) == 0 ? new Call("GET", "/pets/search", null) // q missing: 400
            : new Call("GET", "/pets/search?q=" + SEARCHES[r.nextInt(SEARCHES.length)], null);
    }

    private Call placeOrder(Random r) {
        int quantity = r.nextInt(12) == 0 ? 0 : 1 + r.nextInt(3); // quantity 0: 400
        return new Call("POST", "/store/orders",
            "{\"petId\":" + (1 + r.nextInt(PetShop.INITIAL_PETS + 5)) + ",\"quantity\":" + quantity + "}");
    }

    private static Call report(Random r) {
        int v = r.nextInt(12);
        String name = v == 0 ? "sales-monthly" : REPORTS[r.nextInt(REPORTS.length)]; // unknown report: 404
        String format = v == 1 ? "xml" : r.nextBoolean() ? "json" : "csv"; // unsupported format: 400
        return new Call("GET", "/reports/" + name + "." + format, null);
    }

    private static String petBody(Random r) {
        int v = r.nextInt(12);
        if (v == 0) {
            return "{\"name\":\"\",\"species\":\"dog\"}"; // empty name: 400
        }
        if (v == 1) {
            return "{\"name\":\"Nemo\",\"species\":\"shark\"}"; // unknown species: 400
        }
        String status = v < 4 ? ",\"status\":\"pending\"" : "";
        return "{\"name\":\"Pet" + r.nextInt(1_000) + "\",\"species\":\"" + SPECIES[r.nextInt(SPECIES.length)]
            + "\",\"price\":" + (10 + r.nextInt(490)) + ".99,\"tags\":[\"young\"]" + status + "}";
    }

    /** Mostly a pet that exists (the shop's first 50, or one this client created), sometimes not. */
    private String petId(Random r) {
        int v = r.nextInt(20);
        if (v == 0) {
            return "90" + r.nextInt(10_000); // unknown: 404
        }
        if (v == 1) {
            return r.nextBoolean() ? "abc" : "-1"; // not an id: 400
        }
        Long own = v < 5 ? pick(createdPets, r) : null;
        return String.valueOf(own != null ? own : 1 + r.nextInt(PetShop.INITIAL_PETS));
    }

    /** Mostly an order this client placed, sometimes one that never existed. */
    private String orderId(Random r) {
        Long own = pick(placedOrders, r);
        return own != null && r.nextInt(8) > 0 ? String.valueOf(own) : String.valueOf(50_000 + r.nextInt(1_000));
    }

    private static Long pick(ArrayDeque<Long> ids, Random r) {
        synchronized (ids) {
            if (ids.isEmpty()) {
                return null;
            }
            int k = r.nextInt(ids.size());
            for (Long id : ids) {
                if (k-- == 0) {
                    return id;
                }
            }
            return null;
        }
    }
}
