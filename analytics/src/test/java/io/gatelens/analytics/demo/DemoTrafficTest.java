package io.gatelens.analytics.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatelens.analytics.route.Match;
import io.gatelens.analytics.route.RouteTrie;
import io.gatelens.analytics.spec.ApiSpec;
import io.gatelens.analytics.spec.Operation;
import io.gatelens.analytics.spec.ServerBinding;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The demo end to end over real loopback TCP: the client against the server for a few seconds, then
 * what both saw, checked against the spec through the route matcher.
 */
class DemoTrafficTest {
    private static final long MIN_RUN_MS = 2_000;
    private static final long MAX_RUN_MS = 30_000;

    @Test
    void clientExercisesEveryOperationAndTheMatcherAgreesWithTheServer() throws Exception {
        ApiSpec spec = DemoSpecFile.load();
        Set<String> specOperations = spec.operations().stream().map(Operation::operationId)
            .collect(Collectors.toCollection(TreeSet::new));
        DemoApi api = new DemoApi(0, 42);
        api.start();
        int port = api.port();
        DemoClient client = new DemoClient(port, 400, 8, 42);
        long started = System.currentTimeMillis();
        ServerBinding serverBinding;
        try {
            client.start();
            // at least MIN_RUN_MS, then until every operation and status class was seen
            while (System.currentTimeMillis() - started < MAX_RUN_MS
                && (System.currentTimeMillis() - started < MIN_RUN_MS || !sawEverything(api, specOperations))) {
                Thread.sleep(100);
            }
        } finally {
            client.stop();
            serverBinding = api.serverBinding();
            api.stop();
        }
        long ranMs = System.currentTimeMillis() - started;
        Map<String, Long> byOperation = api.requestCounts();
        Map<Integer, Long> byStatus = api.statusCounts();
        System.out.printf("demo ran %d ms: %d requests sent, %d failed%n  by operation %s%n  by status %s%n",
            ranMs, client.sentCount(), client.failedCount(), byOperation, byStatus);

        for (String op : specOperations) {
            assertTrue(byOperation.getOrDefault(op, 0L) > 0, "no request for " + op + ": " + byOperation);
        }
        for (String shadow : List.of(DemoApi.HEALTH, DemoApi.LEGACY_ORDER, DemoApi.UNROUTED)) {
            assertTrue(byOperation.getOrDefault(shadow, 0L) > 0, "no request for " + shadow + ": " + byOperation);
        }
        assertTrue(byStatus.keySet().stream().map(s -> s / 100).collect(Collectors.toSet()).containsAll(Set.of(2, 4, 5)),
            "statuses " + byStatus);
        // status 0: only requests the stopping server dropped, at most one per user
        assertTrue(byStatus.getOrDefault(0, 0L) <= client.virtualUsers(), "statuses " + byStatus);
        assertEquals(0, client.failedCount(), "requests without a response");
        assertTrue(client.sentCount() > 100, "sent " + client.sentCount());

        // every request the client sent, through the matcher: the operation the server handled it as,
        // or nothing for the paths in no spec
        Map<String, String> serverOperation = new HashMap<>();
        for (DemoApi.Handled h : api.recentRequests()) {
            String before = serverOperation.put(h.method() + " " + h.target(), h.operation());
            assertTrue(before == null || before.equals(h.operation()), "one request, two operations: " + h);
        }
        assertEquals("localhost:" + port, serverBinding.host());
        RouteTrie<Operation> trie = RouteTrie.build(spec.withServers(List.of(serverBinding)).routeEntries());
        String host = "localhost:" + port;
        Map<String, Integer> matchedByOperation = new TreeMap<>();
        List<DemoClient.Sent> sent = client.recentRequests();
        for (DemoClient.Sent s : sent) {
            assertTrue(s.status() >= 200, "no response: " + s);
            String handledAs = serverOperation.get(s.method() + " " + s.target());
            assertNotNull(handledAs, "the server did not see " + s);
            Match<Operation> m = trie.find(host, s.method(), s.target());
            if (specOperations.contains(handledAs)) {
                assertNotNull(m, s + " matched nothing; the server handled it as " + handledAs);
                assertTrue(m.isMatched(), s + ": " + m);
                assertEquals(handledAs, m.payload().operationId(), s.toString());
                matchedByOperation.merge(handledAs, 1, Integer::sum);
            } else {
                assertNull(m, s + " is in no spec; the server handled it as " + handledAs);
            }
        }
        assertEquals(specOperations, matchedByOperation.keySet());
        // the spec's default binding is the configured default port
        assertEquals("localhost:18081", spec.servers().get(0).host());
    }

    private static boolean sawEverything(DemoApi api, Set<String> operations) {
        Set<Integer> classes = api.statusCounts().keySet().stream().map(s -> s / 100).collect(Collectors.toSet());
        return api.requestCounts().keySet().containsAll(operations) && classes.containsAll(Set.of(2, 4, 5));
    }

    @Test
    void clientSurvivesTheServerGoingAway() throws Exception {
        DemoApi api = new DemoApi(0, 7);
        api.start();
        int port = api.port();
        DemoClient client = new DemoClient(port, 200, 2, 7);
        try {
            client.start();
            waitFor(() -> client.sentCount() > 20);
            api.stop();
            waitFor(() -> client.failedCount() > 0);
            long sentBefore = client.sentCount();
            DemoApi again = new DemoApi(port, 7);
            again.start();
            try {
                waitFor(() -> client.sentCount() > sentBefore + 20);
            } finally {
                again.stop();
            }
        } finally {
            client.stop();
            api.stop();
        }
    }

    private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 10_000;
        while (!condition.getAsBoolean()) {
            assertTrue(System.currentTimeMillis() < deadline, "timed out");
            Thread.sleep(20);
        }
    }
}
