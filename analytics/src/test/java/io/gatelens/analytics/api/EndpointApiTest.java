package io.gatelens.analytics.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.*;
import static org.junit.jupiter.api.Assertions.*;

import io.gatelens.analytics.ingest.StatsFlusher;
import io.gatelens.analytics.ingest.TransactionIngest;
import io.gatelens.collector.record.HttpRecordLayout;
import io.gatelens.collector.record.RecordBytes;
import io.gatelens.collector.record.TransactionBatchCodec;
import io.gatelens.collector.record.TransactionBatcher;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.RootAllocator;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;
import org.junit.jupiter.api.Test;

/**
 * Transactions sent on the real transactions channel (as the capture sends them) come back from the
 * REST API with exact counts and percentiles; hostile query parameters are refused or treated as data.
 */
@QuarkusTest
class EndpointApiTest {
    private static final String SPEC = """
        openapi: 3.0.3
        info: {title: Orders, version: "1"}
        servers: [{url: "http://orders.test/api"}]
        paths:
          /orders/{id}:
            parameters:
              - {name: id, in: path, required: true, schema: {type: integer}, description: the order}
              - {$ref: '#/components/parameters/trace'}
            get:
              operationId: getOrder
              summary: One order
              parameters:
                - {name: expand, in: query, schema: {type: string}}
                - {name: id, in: path, required: true, schema: {type: string}, description: overrides the path-level one}
              responses: {'200': {description: ok}}
          /orders:
            post: {operationId: createOrder, responses: {'201': {description: ok}}}
          /unused:
            get: {operationId: unused, responses: {'200': {description: ok}}}
        components:
          parameters:
            trace: {name: X-Trace, in: header, required: false, schema: {type: string}}
        """;

    @Inject
    @Channel("transactions")
    @OnOverflow(OnOverflow.Strategy.UNBOUNDED_BUFFER) // every emitter of a channel must be configured alike
    Emitter<byte[]> transactions;
    @Inject
    TransactionIngest ingest;
    @Inject
    StatsFlusher flusher;

    static {
        // send YAML strings as text
        io.restassured.RestAssured.config = io.restassured.RestAssured.config().encoderConfig(
            io.restassured.config.EncoderConfig.encoderConfig()
                .encodeContentTypeAs("application/yaml", io.restassured.http.ContentType.TEXT));
    }

    @Test
    void sentTransactionsComeBackPerOperationWithExactCountsAndPercentiles() throws Exception {
        given().contentType("application/yaml").body(SPEC).post("/api/specs?name=orders").then().statusCode(201);
        Instant minute = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(3, ChronoUnit.MINUTES);
        long t0 = minute.getEpochSecond() * 1_000_000_000L;
        List<byte[]> recs = new ArrayList<>();
        long[] latencies = new long[100];
        for (int i = 0; i < 100; i++) {
            latencies[i] = (i + 1) * 1_000_000L; // 1..100 ms
            recs.add(rec("GET", "/api/orders/" + i, i < 90 ? 200 : (i < 97 ? 404 : 503), t0 + i * 1_000_000_000L, latencies[i]));
        }
        for (int i = 0; i < 7; i++) {
            recs.add(rec("POST", "/api/orders", 201, t0 + 61_000_000_000L, 3_000_000));
        }
        recs.add(rec("GET", "/api/admin/debug'; DROP TABLE endpoints; --<script>", 200, t0, 1_000_000));
        long before = ingest.rows();
        send(recs);
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (ingest.rows() < before + recs.size() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(before + recs.size(), ingest.rows(), "rows counted");
        flusher.flushAll();

        String from = minute.minus(1, ChronoUnit.MINUTES).toString();
        String to = minute.plus(3, ChronoUnit.MINUTES).toString();
        JsonPath body = given().get("/api/endpoints?from=" + from + "&to=" + to + "&spec=orders")
            .then().statusCode(200).extract().jsonPath();
        Map<String, Object> getOrder = body.getMap("endpoints.find { it.operationId == 'getOrder' }");
        assertEquals(100, getOrder.get("calls"));
        assertEquals(0.07, ((Number) getOrder.get("errorRate4xx")).doubleValue(), 1e-9);
        assertEquals(0.03, ((Number) getOrder.get("errorRate5xx")).doubleValue(), 1e-9);
        assertEquals(100.0 / (4 * 60), ((Number) getOrder.get("callsPerSecond")).doubleValue(), 1e-6);
        Arrays.sort(latencies);
        assertClose(50, body.getDouble("endpoints.find { it.operationId == 'getOrder' }.latencyMs.p50"));
        assertClose(99, body.getDouble("endpoints.find { it.operationId == 'getOrder' }.latencyMs.p99"));
        assertEquals(100.0, body.getDouble("endpoints.find { it.operationId == 'getOrder' }.latencyMs.max"), 1e-9);
        assertEquals(7, body.getInt("endpoints.find { it.operationId == 'createOrder' }.calls"));
        assertEquals(0, body.getInt("endpoints.find { it.operationId == 'unused' }.calls"));
        assertEquals(Map.of("200", 90, "404", 7, "503", 3), getOrder.get("byStatusCode"));

        int id = (Integer) getOrder.get("id");
        JsonPath series = given().get("/api/endpoints/" + id + "/series?from=" + from + "&to=" + to + "&step=1m")
            .then().statusCode(200).extract().jsonPath();
        assertEquals(4, series.getList("points").size());
        assertEquals(List.of(0, 60, 40, 0), series.getList("points.calls"));
        assertEquals(100, series.getInt("endpoint.calls"));

        // all endpoints together: the shadow request counts too (minute 0: 60 GETs + 1; minute 1: 40 + 7 POSTs)
        JsonPath overview = given().get("/api/overview?from=" + from + "&to=" + to + "&step=1m&host=orders.test")
            .then().statusCode(200).extract().jsonPath();
        assertEquals(List.of(0, 61, 47, 0), overview.getList("points.calls"));
        assertEquals(108, overview.getInt("total.calls"));
        assertEquals(7.0 / 108, overview.getDouble("total.errorRate4xx"), 1e-6);
        assertEquals(100.0, overview.getDouble("total.latencyMs.max"), 1e-9);
        // p99 of the 108 latencies (1..100 ms, seven of 3 ms, one of 1 ms), merged from the minutes' sketches:
        // DDSketch's rank 0.99 * 107 = 105.93 falls on the 106th smallest, 98 ms
        assertClose(98, overview.getDouble("total.latencyMs.p99"));
        assertEquals(60, overview.getInt("stepSeconds"));

        // sparklines: 4 one-minute steps of every endpoint with traffic, p95 null where nothing was measured
        JsonPath spark = given().get("/api/endpoints/sparklines?from=" + from + "&to=" + to + "&points=4")
            .then().statusCode(200).extract().jsonPath();
        assertEquals(60, spark.getInt("stepSeconds"));
        assertEquals(List.of(0, 60, 40, 0), spark.getList("series.'" + id + "'.calls"));
        List<Float> p95 = spark.getList("series.'" + id + "'.p95Ms");
        assertNull(p95.get(0));
        assertClose(57, p95.get(1)); // minute 0 holds 1..60 ms: p95 is the 57th
        assertClose(98, p95.get(2)); // minute 1 holds 61..100 ms: p95 is the 38th of 40
        int unusedId = body.getInt("endpoints.find { it.operationId == 'unused' }.id");
        assertNull(spark.get("series.'" + unusedId + "'"), "no traffic, no sparkline");
        given().get("/api/endpoints/sparklines?points=0").then().statusCode(400).body("error", containsString("points"));
        given().get("/api/endpoints/sparklines?points=121").then().statusCode(400);

        // the detail view's parameters: path-level and operation-level merged, $ref followed, the operation's wins
        JsonPath spec = given().get("/api/specs/orders").then().statusCode(200).extract().jsonPath();
        assertEquals(List.of("id", "X-Trace", "expand"),
            spec.getList("operations.find { it.operationId == 'getOrder' }.parameters.name"));
        assertEquals(List.of("string", "string", "string"),
            spec.getList("operations.find { it.operationId == 'getOrder' }.parameters.type"));
        assertEquals(List.of(true, false, false),
            spec.getList("operations.find { it.operationId == 'getOrder' }.parameters.required"));
        assertEquals("overrides the path-level one",
            spec.getString("operations.find { it.operationId == 'getOrder' }.parameters[0].description"));

        given().get("/api/shadow-endpoints?from=" + from + "&to=" + to).then().statusCode(200)
            .body("endpoints.path", hasItem(startsWith("/api/admin/")),
                "endpoints.why", hasItem(containsString("no operation of any spec matches")));
        given().get("/api/zombie-endpoints?from=" + from + "&to=" + to + "&spec=orders").then().statusCode(200)
            .body("endpoints.path", is(List.of("/unused")));
        given().get("/api/status").then().statusCode(200)
            .body("ingest.rows", greaterThanOrEqualTo(recs.size()), "specs.specs", greaterThanOrEqualTo(1),
                "capture.enabled", is(false), "store.reopens", is(0), "store.rowsMerged", is(0),
                "store.rowsDropped", is(0));
        given().delete("/api/specs/orders").then().statusCode(204);
    }

    @Test
    void badQueryParametersAreClear400s() {
        given().get("/api/endpoints?from=yesterday").then().statusCode(400)
            .body("error", containsString("ISO-8601"));
        given().get("/api/endpoints?from=now&to=now-1h").then().statusCode(400)
            .body("error", containsString("must be before"));
        given().get("/api/endpoints?from=now-1000d").then().statusCode(400).body("error", containsString("at most"));
        given().get("/api/endpoints/1/series?step=7s").then().statusCode(400).body("error", containsString("minutes"));
        given().get("/api/endpoints/1/series?from=now-30d&step=1m").then().statusCode(400)
            .body("error", containsString("points"));
        given().get("/api/endpoints/1/series?step=abc").then().statusCode(400);
        given().get("/api/endpoints/2147483647/series").then().statusCode(404)
            .body("error", equalTo("no endpoint with id 2147483647"));
        // ids that are no int get the same JSON error, not the framework's empty 404
        for (String id : List.of("notanumber", "-1", "99999999999", "1e3", "%20")) {
            given().urlEncodingEnabled(false).get("/api/endpoints/" + id + "/series").then().statusCode(404)
                .contentType(containsString("json")).body("error", startsWith("no endpoint with id"));
        }
        given().get("/api/endpoints?host=x'%20OR%201=1;%20DROP%20TABLE%20endpoints;--").then().statusCode(200)
            .body("endpoints.findAll { it.calls > 0 }", empty());
        given().get("/api/endpoints").then().statusCode(200);
    }

    private static void assertClose(double expectedMs, double actualMs) {
        assertEquals(expectedMs, actualMs, expectedMs * 0.011, "within the sketch's 1 % (+ rounding)");
    }

    private void send(List<byte[]> recs) {
        try (RootAllocator allocator = new RootAllocator();
             TransactionBatcher batcher = new TransactionBatcher(allocator, 40, 60_000, batch -> {
                 try (batch) {
                     transactions.send(TransactionBatchCodec.encode(batch));
                 }
             })) {
            batcher.append(RecordBytes.direct(recs.toArray(new byte[0][])), 0, recs.size() * HttpRecordLayout.SIZE, 0);
        }
    }

    private static byte[] rec(String method, String path, int status, long startNs, long latencyNs) {
        return RecordBytes.http().method(method).path(path).host("orders.test").serverPort(80).status(status)
            .startNs(startNs).ttfbNs(latencyNs / 2).latencyNs(latencyNs).reqBytes(120).respBytes(900).build();
    }
}
