package io.gatelens.analytics.metrics;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatelens.analytics.tls.Handshakes;
import io.gatelens.analytics.tls.TlsBatches;
import io.gatelens.analytics.tls.TlsHandshakeFacts;
import io.gatelens.analytics.tls.TlsIngest;
import io.gatelens.analytics.tls.TlsNames;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;
import org.junit.jupiter.api.Test;

/**
 * Handshakes sent as the collector sends them (Arrow batches on the {@code tls-handshakes} channel)
 * come out at {@code /q/metrics} as {@link TlsMetrics}' counters and histogram, exactly, with every
 * label bounded.
 */
@QuarkusTest
@io.quarkus.test.junit.TestProfile(TlsMetricsTest.OwnRegistry.class)
class TlsMetricsTest {
    /** An application of its own: other tests' handshakes must not add to these series. */
    public static class OwnRegistry implements io.quarkus.test.junit.QuarkusTestProfile {
    }

    private static final String COUNT = "gatelens_tls_handshakes_total";
    private static final String DURATION = "gatelens_tls_handshake_duration_seconds";

    @Inject
    @Channel("tls-handshakes")
    @OnOverflow(OnOverflow.Strategy.UNBOUNDED_BUFFER) // every emitter of a channel must be configured alike
    Emitter<byte[]> channel;
    @Inject
    TlsIngest ingest;

    @Test
    void handshakesAreCountedByProtocolAndOutcomeWithTheirTimes() throws Exception {
        long t0 = System.currentTimeMillis() * 1_000_000L;
        List<TlsHandshakeFacts> facts = new ArrayList<>();
        for (int i = 0; i < 7; i++) { // TLS 1.3 in 1..7 ms
            facts.add(Handshakes.at(t0).handshakeNs((i + 1) * 1_000_000L).build());
        }
        for (int i = 0; i < 2; i++) { // TLS 1.0, 30 ms
            facts.add(Handshakes.at(t0).offered().clientVersion(TlsNames.TLS_1_0).negotiated(TlsNames.TLS_1_0, 0x002f, null)
                .handshakeNs(30_000_000L).build());
        }
        facts.add(Handshakes.at(t0).noServerHello().build());
        facts.add(Handshakes.at(t0).noServerHello().build());
        facts.add(Handshakes.at(t0).unparseable().noServerHello().build());
        facts.add(Handshakes.at(t0).unparseable().negotiated(TlsNames.TLS_1_2, 0xc02f, null).handshakeNs(-1).build());
        // a "version" no TLS has (GREASE in a lying ServerHello), and one from the label-less SSL 2 era
        facts.add(Handshakes.at(t0).negotiated(0x7a7a, 0x1301, null).handshakeNs(500_000L).build());
        facts.add(Handshakes.at(t0).negotiated(0x0002, 0x1301, null).handshakeNs(500_000L).build());
        long before = ingest.handshakes();
        channel.send(TlsBatches.payload(facts.stream().map(TlsBatches::row).toList()));
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (ingest.handshakes() < before + facts.size() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(before + facts.size(), ingest.handshakes());

        String page = given().header("Accept", "*/*").when().get("/q/metrics").then().statusCode(200)
            .contentType(startsWith("application/openmetrics-text")).extract().asString();
        assertLine(page, COUNT, "outcome=\"ok\",tls_protocol_name=\"tls\",tls_protocol_version=\"1.3\"", "7.0");
        assertLine(page, COUNT, "outcome=\"ok\",tls_protocol_name=\"tls\",tls_protocol_version=\"1.0\"", "2.0");
        // no ServerHello: nothing negotiated; an unparseable hello counts as unparseable, answered or not
        assertLine(page, COUNT, "outcome=\"no_server_hello\",tls_protocol_name=\"none\",tls_protocol_version=\"none\"", "2.0");
        assertLine(page, COUNT, "outcome=\"unparseable\",tls_protocol_name=\"none\",tls_protocol_version=\"none\"", "1.0");
        assertLine(page, COUNT, "outcome=\"unparseable\",tls_protocol_name=\"tls\",tls_protocol_version=\"1.2\"", "1.0");
        assertLine(page, COUNT, "outcome=\"ok\",tls_protocol_name=\"_OTHER\",tls_protocol_version=\"_OTHER\"", "2.0");
        assertEquals(6, page.lines().filter(l -> l.startsWith(COUNT + "{")).count(), "one series per protocol and outcome seen:\n" + page);

        String v13 = "tls_protocol_name=\"tls\",tls_protocol_version=\"1.3\"";
        assertLine(page, DURATION + "_count", v13, "7.0");
        assertLine(page, DURATION + "_sum", v13, "0.028");
        assertLine(page, DURATION + "_bucket", v13 + ",le=\"0.001\"", "1.0");
        assertLine(page, DURATION + "_bucket", v13 + ",le=\"0.0025\"", "2.0");
        assertLine(page, DURATION + "_bucket", v13 + ",le=\"0.005\"", "5.0");
        assertLine(page, DURATION + "_bucket", v13 + ",le=\"0.01\"", "7.0");
        assertLine(page, DURATION + "_bucket", v13 + ",le=\"+Inf\"", "7.0");
        assertLine(page, DURATION + "_count", "tls_protocol_name=\"tls\",tls_protocol_version=\"1.0\"", "2.0");
        assertLine(page, DURATION + "_count", "tls_protocol_name=\"_OTHER\",tls_protocol_version=\"_OTHER\"", "2.0");
        // a handshake without a measured time (or without an answer) is counted but not timed
        assertFalse(page.contains(DURATION + "_count{tls_protocol_name=\"none\""), "no time without a ServerHello");
        assertFalse(page.contains(DURATION + "_count{tls_protocol_name=\"tls\",tls_protocol_version=\"1.2\""),
            "no time when none was measured");
        assertTrue(page.contains("# TYPE " + DURATION + " histogram"));
    }

    private static void assertLine(String page, String metric, String labels, String value) {
        String line = metric + "{" + labels + "} " + value;
        assertTrue(page.lines().anyMatch(line::equals), "no line\n  " + line + "\nin\n"
            + String.join("\n", page.lines().filter(l -> l.startsWith("gatelens_tls")).toList()));
    }
}
