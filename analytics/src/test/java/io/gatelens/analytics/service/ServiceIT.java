package io.gatelens.analytics.service;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.gatelens.collector.testing.KernelAndCorpus;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * README command 1 for real: the packaged service captures loopback traffic with its TC programs,
 * sends it through the transactions channel to the analytics, and GET /api/endpoints shows exactly
 * the calls made per operation; after a kill -9 and after a clean stop, the restarted service still
 * shows them (same DuckDB file).
 */
class ServiceIT {
    @TempDir
    Path work;

    private HttpServer api;
    private ServiceProcess service;

    @AfterEach
    void tearDown() throws Exception {
        if (service != null) {
            service.close();
        }
        if (api != null) {
            api.stop(0);
        }
    }

    @Test
    void capturedCallsShowUpPerOperationAndSurviveKillAndRestart() throws Exception {
        KernelAndCorpus.requireBpf();
        api = startShopApi();
        int apiPort = api.getAddress().getPort();
        Path specs = Files.createDirectories(work.resolve("specs"));
        Files.writeString(specs.resolve("shop.yaml"), SPEC.replace("PORT", Integer.toString(apiPort)));
        List<String> props = List.of(
            "gatelens.capture.enabled=true",
            "gatelens.capture.interfaces=lo",
            "gatelens.capture.ports=" + apiPort,
            "gatelens.capture.batch-age=100MS",
            "gatelens.specs.dir=" + specs,
            "gatelens.store.file=" + work.resolve("data/gatelens.duckdb"),
            "gatelens.store.flush-interval=1S");
        service = ServiceProcess.start(work, props);
        JsonNode status = service.json("/api/status");
        assertTrue(status.path("capture").path("running").asBoolean(), "capture must run: " + status + "\n" + service.log());

        Map<String, Integer> expected = sendTraffic(apiPort);
        Map<String, JsonNode> rows = awaitCounts(expected);

        JsonNode slow = rows.get("GET /slow");
        assertTrue(slow.path("latencyMs").path("p50").asDouble() >= 120, "slow p50 " + slow);
        assertTrue(slow.path("latencyMs").path("p99").asDouble() < 2_000, "slow p99 " + slow);
        JsonNode get = rows.get("GET /pets/{petId}");
        double p50 = get.path("latencyMs").path("p50").asDouble();
        assertTrue(p50 > 0 && p50 < 100, "a loopback GET takes well under 100 ms: " + get);
        assertEquals(5.0 / 23, get.path("errorRate4xx").asDouble(), 1e-9, get.toString());
        assertEquals(1.0, rows.get("GET /fail").path("errorRate5xx").asDouble(), 1e-9);
        assertEquals("getPet", get.path("operationId").asText());
        assertEquals("operation", get.path("kind").asText());
        assertEquals("shadow", rows.get("GET /v1/orders/{param}").path("kind").asText());
        assertEquals("shadow", rows.get("DELETE /v1/pets/{petId}").path("kind").asText());

        JsonNode shadows = service.json("/api/shadow-endpoints?from=now-1h");
        assertEquals(2, shadows.path("endpoints").size(), shadows.toString());
        JsonNode zombies = service.json("/api/zombie-endpoints?from=now-1h");
        assertEquals(List.of("GET /never"), names(zombies.path("endpoints")), zombies.toString());

        // kill -9: everything flushed before it is still there
        service.kill();
        service = ServiceProcess.start(work, props);
        assertCounts(expected, endpoints());

        // a clean stop, and the same again
        int rc = service.stop(); // a JVM ended by SIGTERM exits 143 after its shutdown hooks ran
        assertTrue(rc == 0 || rc == 143, "exit " + rc + "\n" + service.log());
        assertTrue(service.log().contains("stopped in"), "Quarkus did not stop cleanly:\n" + service.log());
        service = ServiceProcess.start(work, props);
        assertCounts(expected, endpoints());
    }

    private Map<String, JsonNode> awaitCounts(Map<String, Integer> expected) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        Map<String, JsonNode> rows;
        do {
            rows = endpoints();
            if (counts(rows).equals(expected)) {
                return rows;
            }
            Thread.sleep(250);
        } while (System.nanoTime() < deadline);
        assertEquals(expected, counts(rows), "calls per endpoint after 30 s; status " + service.json("/api/status")
            + "\n" + service.log());
        return rows;
    }

    private void assertCounts(Map<String, Integer> expected, Map<String, JsonNode> rows) {
        assertEquals(expected, counts(rows));
    }

    private Map<String, JsonNode> endpoints() throws Exception {
        Map<String, JsonNode> rows = new HashMap<>();
        for (JsonNode row : service.json("/api/endpoints?from=now-1h").path("endpoints")) {
            rows.put(row.path("method").asText() + " " + row.path("path").asText(), row);
        }
        return rows;
    }

    private static Map<String, Integer> counts(Map<String, JsonNode> rows) {
        Map<String, Integer> counts = new HashMap<>();
        rows.forEach((k, row) -> {
            if (row.path("calls").asLong() > 0) {
                counts.put(k, row.path("calls").asInt());
            }
        });
        return counts;
    }

    private static List<String> names(JsonNode rows) {
        return java.util.stream.StreamSupport.stream(rows.spliterator(), false)
            .map(r -> r.path("method").asText() + " " + r.path("path").asText()).toList();
    }

    /** The calls made, keyed like the rows: "METHOD template". */
    private static Map<String, Integer> sendTraffic(int port) throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        Map<String, Integer> sent = new LinkedHashMap<>();
        for (int i = 0; i < 7; i++) {
            call(client, port, "GET", "/v1/pets?limit=" + i, sent, "GET /pets");
        }
        for (int i = 0; i < 23; i++) {
            call(client, port, "GET", "/v1/pets/" + (i < 5 ? 5000 + i : i), sent, "GET /pets/{petId}");
        }
        for (int i = 0; i < 4; i++) {
            call(client, port, "GET", "/v1/pets/search?q=cat", sent, "GET /pets/search");
        }
        for (int i = 0; i < 6; i++) {
            call(client, port, "POST", "/v1/pets", sent, "POST /pets");
        }
        for (int i = 0; i < 5; i++) {
            call(client, port, "GET", "/v1/slow", sent, "GET /slow");
        }
        for (int i = 0; i < 3; i++) {
            call(client, port, "GET", "/v1/fail", sent, "GET /fail");
        }
        for (int i = 0; i < 6; i++) {
            call(client, port, "GET", "/v1/orders/" + (100 + i), sent, "GET /v1/orders/{param}");
        }
        for (int i = 0; i < 2; i++) {
            call(client, port, "DELETE", "/v1/pets/" + i, sent, "DELETE /v1/pets/{petId}");
        }
        return sent;
    }

    private static void call(HttpClient client, int port, String method, String path, Map<String, Integer> sent,
                             String key) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
            .timeout(Duration.ofSeconds(10));
        b = method.equals("POST") ? b.POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"rex\"}"))
            : b.method(method, HttpRequest.BodyPublishers.noBody());
        client.send(b.build(), HttpResponse.BodyHandlers.discarding());
        sent.merge(key, 1, Integer::sum);
    }

    private static HttpServer startShopApi() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/", ServiceIT::handle);
        server.start();
        return server;
    }

    private static void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        int status;
        if (path.equals("/v1/slow")) {
            sleep(130);
            status = 200;
        } else if (path.equals("/v1/fail")) {
            status = 503;
        } else if (path.equals("/v1/pets")) {
            status = ex.getRequestMethod().equals("POST") ? 201 : 200;
        } else if (path.startsWith("/v1/pets/")) {
            String id = path.substring("/v1/pets/".length());
            status = ex.getRequestMethod().equals("DELETE") ? 405
                : id.equals("search") || (id.matches("\\d+") && Integer.parseInt(id) < 1000) ? 200 : 404;
        } else {
            status = 404;
        }
        ex.getRequestBody().readAllBytes();
        byte[] body = ("{\"status\":" + status + "}").getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static final String SPEC = """
        openapi: 3.0.3
        info: {title: Shop, version: "1.0"}
        servers:
          - url: http://localhost:PORT/v1
        paths:
          /pets:
            get: {operationId: listPets, responses: {'200': {description: ok}}}
            post: {operationId: createPet, responses: {'201': {description: created}}}
          /pets/search:
            get: {operationId: searchPets, responses: {'200': {description: ok}}}
          /pets/{petId}:
            parameters: [{name: petId, in: path, required: true, schema: {type: integer}}]
            get: {operationId: getPet, summary: One pet, responses: {'200': {description: ok}}}
          /slow:
            get: {operationId: slow, responses: {'200': {description: ok}}}
          /fail:
            get: {operationId: fail, responses: {'503': {description: down}}}
          /never:
            get: {operationId: never, responses: {'200': {description: ok}}}
        """;
}
