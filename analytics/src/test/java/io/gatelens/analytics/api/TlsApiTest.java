package io.gatelens.analytics.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatelens.analytics.ingest.StatsFlusher;
import io.gatelens.analytics.service.TlsHandshakeConsumer;
import io.gatelens.analytics.tls.Handshakes;
import io.gatelens.analytics.tls.TlsBatches;
import io.gatelens.analytics.tls.TlsHandshakeFacts;
import io.gatelens.analytics.tls.TlsIngest;
import io.gatelens.analytics.tls.TlsNames;
import io.gatelens.collector.handshake.TlsHandshake;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;
import org.junit.jupiter.api.Test;

/**
 * TLS handshakes sent on the real tls-handshakes channel (as the capture sends them) come back from
 * /api/tls with exact counts, mixes and percentiles, matched to the specs serving their SNI; bad
 * parameters are 400s, hostile SNIs data, foreign payloads refused.
 */
@QuarkusTest
class TlsApiTest {
    private static final String SPEC = """
        openapi: 3.0.3
        info: {title: Payments, version: "1"}
        servers: [{url: "https://Pay.TLS.test:8443/v1"}]
        paths:
          /charges:
            post: {operationId: charge, responses: {'201': {description: ok}}}
        """;
    static final String HOSTILE = "<script>alert(1)</script>' or 1=1; --/" + "x".repeat(262);

    @Inject
    @Channel("tls-handshakes")
    @OnOverflow(OnOverflow.Strategy.UNBOUNDED_BUFFER) // every emitter of a channel must be configured alike
    Emitter<byte[]> channel;
    @Inject
    TlsIngest ingest;
    @Inject
    TlsHandshakeConsumer consumer;
    @Inject
    StatsFlusher flusher;

    static {
        io.restassured.RestAssured.config = io.restassured.RestAssured.config().encoderConfig(
            io.restassured.config.EncoderConfig.encoderConfig()
                .encodeContentTypeAs("application/yaml", io.restassured.http.ContentType.TEXT));
    }

    @Test
    void handshakesComeBackPerFrontWithExactMixesPercentilesAndTheirSpecs() throws Exception {
        given().contentType("application/yaml").body(SPEC).post("/api/specs?name=payments").then().statusCode(201);
        Instant minute = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(3, ChronoUnit.MINUTES);
        long t0 = minute.getEpochSecond() * 1_000_000_000L;
        List<TlsHandshakeFacts> facts = new ArrayList<>();
        for (int i = 0; i < 100; i++) { // minute 0: 100 TLS 1.3 handshakes of 1..100 ms
            facts.add(Handshakes.at(t0 + i * 500_000_000L).sni("PAY.tls.test").handshakeNs((i + 1) * 1_000_000L)
                .ja4(i < 70 ? "t13d1516h2_aaa_bbb" : "t13d1715h2_ccc_ddd").build());
        }
        for (int i = 0; i < 25; i++) { // minute 1: 25 TLS 1.0 handshakes from an old client, 5 unanswered hellos
            facts.add(Handshakes.at(t0 + 60_000_000_000L + i).sni("pay.tls.test").offered().clientVersion(TlsNames.TLS_1_0)
                .alpn("http/1.1").ja4("t10d0907h1_eee_fff").negotiated(TlsNames.TLS_1_0, 0x002f, "http/1.1").handshakeNs(-1).build());
        }
        for (int i = 0; i < 5; i++) {
            facts.add(Handshakes.at(t0 + 61_000_000_000L).sni("pay.tls.test").ja4("t13d1516h2_aaa_bbb").noServerHello().build());
        }
        facts.add(Handshakes.at(t0).sni("pay.tls.test").unparseable().offered().clientVersion(0).alpn().noServerHello().build());
        facts.add(Handshakes.at(t0).sni(null).server("192.0.2.7", 8443).build());
        facts.add(Handshakes.at(t0).sni(HOSTILE).alpn("<img src=x onerror=alert(1)>").build());
        long before = ingest.handshakes();
        long rejectedBefore = consumer.rejected();
        channel.send(new byte[] {'n', 'o', 't', ' ', 'a', 'r', 'r', 'o', 'w'});
        List<TlsHandshake> rows = facts.stream().map(TlsBatches::row).toList();
        for (int i = 0; i < rows.size(); i += 40) { // batches of 40, as the capture's batcher would cut them
            channel.send(TlsBatches.payload(rows.subList(i, Math.min(rows.size(), i + 40))));
        }
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (ingest.handshakes() < before + facts.size() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(before + facts.size(), ingest.handshakes(), "handshakes counted");
        assertEquals(rejectedBefore + 1, consumer.rejected(), "the foreign payload refused, the rest counted");
        flusher.flushAll();

        String from = minute.minus(1, ChronoUnit.MINUTES).toString();
        String to = minute.plus(3, ChronoUnit.MINUTES).toString();
        JsonPath list = given().get("/api/tls?from=" + from + "&to=" + to).then().statusCode(200).extract().jsonPath();
        Map<String, Object> pay = list.getMap("fronts.find { it.name == 'pay.tls.test' }");
        assertEquals("sni", pay.get("kind"));
        assertEquals(131, pay.get("handshakes"));
        assertEquals(131.0 / 240, ((Number) pay.get("handshakesPerSecond")).doubleValue(), 1e-6);
        assertEquals(List.of("payments"), pay.get("specs"));
        String p = "fronts.find { it.name == 'pay.tls.test' }.";
        assertEquals(List.of("TLS 1.3", "TLS 1.0"), list.getList(p + "versions.entries.name"));
        assertEquals(List.of(100, 25), list.getList(p + "versions.entries.count"));
        assertEquals(List.of(false, true), list.getList(p + "versions.entries.legacy"));
        assertEquals(125, list.getInt(p + "versions.total"));
        assertEquals(25, list.getInt(p + "legacy"));
        assertEquals(0.2, list.getDouble(p + "legacyShare"), 1e-9);
        assertEquals(List.of("TLS 1.3", "TLS 1.0"), list.getList(p + "offeredMax.entries.name"));
        assertEquals(List.of(105, 25), list.getList(p + "offeredMax.entries.count"));
        assertEquals(List.of("http/1.1", "h2"), list.getList(p + "alpnOffered.entries.name"));
        assertEquals(List.of(130, 105), list.getList(p + "alpnOffered.entries.count"));
        assertEquals(List.of("http/1.1"), list.getList(p + "alpnSelected.entries.name"));
        assertEquals(100, list.getInt(p + "alpnEncrypted"));
        assertEquals(List.of("TLS_AES_128_GCM_SHA256", "TLS_RSA_WITH_AES_128_CBC_SHA"), list.getList(p + "ciphers.entries.name"));
        assertEquals(List.of(4865, 47), list.getList(p + "ciphers.entries.code"));
        assertEquals(6, list.getInt(p + "failures.noServerHello"));
        assertEquals(1, list.getInt(p + "failures.unparseable"));
        assertEquals(100, list.getInt(p + "handshakeMs.samples"));
        assertClose(50, list.getDouble(p + "handshakeMs.p50"));
        assertClose(95, list.getDouble(p + "handshakeMs.p95"));
        assertClose(99, list.getDouble(p + "handshakeMs.p99"));
        assertEquals(100.0, list.getDouble(p + "handshakeMs.max"), 1e-9);
        assertEquals("pay.tls.test", list.getString("fronts[0].name"), "most handshakes first");

        Map<String, Object> address = list.getMap("fronts.find { it.kind == 'address' }");
        assertEquals("192.0.2.7:8443", address.get("name"));
        assertEquals(List.of(), address.get("specs"));
        // the collector writes SNI and ALPN bytes outside printable ASCII (the spaces here), ',' and '%' as %XX
        String hostile = TlsHandshake.escape(HOSTILE).toLowerCase(java.util.Locale.ROOT);
        assertEquals(hostile, list.getString("fronts.find { it.kind == 'sni' && it.name.startsWith('<script>') }.name"),
            "a hostile SNI comes back as the data it is");
        assertEquals(List.of("<img%20src=x%20onerror=alert(1)>"),
            list.getList("fronts.find { it.name.startsWith('<script>') }.alpnOffered.entries.name"));

        // only the fronts serving a spec
        JsonPath bySpec = given().get("/api/tls?from=" + from + "&to=" + to + "&spec=payments").then().statusCode(200)
            .extract().jsonPath();
        assertEquals(List.of("pay.tls.test"), bySpec.getList("fronts.name"));

        // the detail: series per minute, the JA4 table, every version offered
        JsonPath detail = given().get("/api/tls/PAY.tls.test?from=" + from + "&to=" + to + "&step=1m").then().statusCode(200)
            .extract().jsonPath();
        assertEquals(131, detail.getInt("front.handshakes"));
        assertEquals(60, detail.getInt("stepSeconds"));
        assertEquals(List.of(0, 101, 30, 0), detail.getList("points.handshakes"));
        assertEquals(Map.of("TLS 1.3", 100), detail.getMap("points[1].versions"));
        assertEquals(Map.of("TLS 1.0", 25), detail.getMap("points[2].versions"));
        assertEquals(25, detail.getInt("points[2].legacy"));
        assertClose(95, detail.getDouble("points[1].handshakeMs.p95"));
        assertNull(detail.get("points[2].handshakeMs.p95"), "no handshake time measured in minute 1");
        assertEquals(List.of("t13d1516h2_aaa_bbb", "t13d1715h2_ccc_ddd", "t10d0907h1_eee_fff"), detail.getList("ja4.entries.name"));
        assertEquals(List.of(75, 30, 25), detail.getList("ja4.entries.count"));
        assertEquals(130, detail.getInt("ja4.total"));
        assertEquals(75.0 / 130, detail.getDouble("ja4.entries[0].share"), 1e-6);
        assertEquals(List.of("TLS 1.2", "TLS 1.3", "TLS 1.0"), detail.getList("offered.entries.name"));
        JsonPath limited = given().get("/api/tls/pay.tls.test?from=" + from + "&to=" + to + "&ja4=1").then().statusCode(200)
            .extract().jsonPath();
        assertEquals(List.of("t13d1516h2_aaa_bbb"), limited.getList("ja4.entries.name"));
        assertEquals(55, limited.getInt("ja4.other"));

        // a hostile SNI, URL-encoded in the path (its '/' included)
        JsonPath h = given().urlEncodingEnabled(false)
            .get("/api/tls/" + URLEncoder.encode(hostile, StandardCharsets.UTF_8).replace("+", "%20") + "?from=" + from + "&to=" + to)
            .then().statusCode(200).extract().jsonPath();
        assertEquals(hostile, h.getString("front.name"));
        assertEquals(1, h.getInt("front.handshakes"));
        JsonPath addr = given().urlEncodingEnabled(false).get("/api/tls/192.0.2.7%3A8443?kind=address&from=" + from + "&to=" + to)
            .then().statusCode(200).extract().jsonPath();
        assertEquals(1, addr.getInt("front.handshakes"));
        JsonPath none = given().get("/api/tls/never.seen?from=" + from + "&to=" + to).then().statusCode(200).extract().jsonPath();
        assertEquals(0, none.getInt("front.handshakes"));
        assertTrue(none.getList("points.handshakes").stream().allMatch(n -> ((Number) n).intValue() == 0));
        given().get("/api/status").then().statusCode(200)
            .body("tls.handshakes", org.hamcrest.Matchers.greaterThanOrEqualTo(facts.size()),
                "tls.rejectedBatches", org.hamcrest.Matchers.greaterThanOrEqualTo(1), "tls.enabled", org.hamcrest.Matchers.is(false));
        given().delete("/api/specs/payments").then().statusCode(204);
    }

    @Test
    void badParametersAreClear400s() {
        given().get("/api/tls?from=yesterday").then().statusCode(400).body("error", containsString("ISO-8601"));
        given().get("/api/tls?from=now&to=now-1h").then().statusCode(400).body("error", containsString("must be before"));
        given().get("/api/tls/a.example?step=7s").then().statusCode(400).body("error", containsString("minutes"));
        given().get("/api/tls/a.example?from=now-30d&step=1m").then().statusCode(400).body("error", containsString("points"));
        given().get("/api/tls/a.example?kind=bogus").then().statusCode(400).body("error", containsString("sni, address or other"));
        given().get("/api/tls/a.example?ja4=0").then().statusCode(400).body("error", containsString("ja4"));
        given().get("/api/tls/a.example?ja4=x").then().statusCode(404);
        given().get("/api/tls/" + "a".repeat(600)).then().statusCode(400).body("error", containsString("at most"));
        given().get("/api/tls?spec=x'%20OR%201=1;--").then().statusCode(200);
    }

    private static void assertClose(double expectedMs, double actualMs) {
        assertEquals(expectedMs, actualMs, expectedMs * 0.011, "within the sketch's 1 % (+ rounding)");
    }
}
