package io.gatelens.analytics.metrics;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.hamcrest.Matchers.startsWith;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * What {@link TrafficMetrics} publishes at {@code /q/metrics}, line by line, as Quarkus's Prometheus
 * registry (Micrometer over simpleclient) prints it in both formats it serves: OpenMetrics 1.0 (the
 * default, e.g. for curl) and text 0.0.4 (when the Accept header names text/plain), which ends each
 * label with a comma. Labels are sorted by name. The cap test runs last: past the cap every new series
 * folds into {@code _OTHER}.
 */
@QuarkusTest
@io.quarkus.test.junit.TestProfile(TrafficMetricsTest.OwnRegistry.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TrafficMetricsTest {
    /** An application of its own: other tests' ingested transactions must not add to these series. */
    public static class OwnRegistry implements io.quarkus.test.junit.QuarkusTestProfile {
    }

    private static final String SERVER = "http_server_request_duration_seconds";
    private static final String CLIENT = "http_client_request_duration_seconds";
    private static final long MS = 1_000_000L;
    private static final String[] LE = {"0.005", "0.01", "0.025", "0.05", "0.075", "0.1", "0.25", "0.5", "0.75",
        "1.0", "2.5", "5.0", "7.5", "10.0", "+Inf"};

    @Inject
    TrafficMetrics metrics;

    /** /q/metrics in both formats. */
    private record Pages(String openMetrics, String text004) {
        static Pages fetch() {
            String om = given().header("Accept", "*/*").when().get("/q/metrics").then().statusCode(200)
                .contentType(startsWith("application/openmetrics-text")).extract().asString();
            String text = given().header("Accept", "text/plain").when().get("/q/metrics").then().statusCode(200)
                .contentType(startsWith("text/plain; version=0.0.4")).extract().asString();
            return new Pages(om, text);
        }

        /** A sample line, its labels given as {@code a="1",b="2"}. */
        void assertLine(String metric, String labels, String value) {
            assertHas(openMetrics, metric + "{" + labels + "} " + value);
            assertHas(text004, metric + "{" + labels + ",} " + value);
        }

        void assertComment(String line) {
            assertHas(openMetrics, line);
            assertHas(text004, line);
        }

        /** Lines of either page, without the 0.0.4 trailing comma; filtered by the caller. */
        long countSamples(String prefix, String contains) {
            long om = openMetrics.lines().filter(l -> l.startsWith(prefix) && l.contains(contains)).count();
            long text = text004.lines().filter(l -> l.startsWith(prefix) && l.contains(contains)).count();
            assertEquals(om, text, "the two formats have the same samples");
            return om;
        }

        boolean contains(String text) {
            return openMetrics.contains(text) || text004.contains(text);
        }

        void assertWellFormed() {
            TrafficMetricsTest.assertWellFormed(openMetrics);
            assertTrue(openMetrics.endsWith("# EOF\n"), "OpenMetrics ends with # EOF");
            TrafficMetricsTest.assertWellFormed(text004);
        }

        private static void assertHas(String page, String line) {
            assertTrue(page.lines().anyMatch(line::equals), "no line\n  " + line + "\nin\n" + excerpt(page));
        }
    }

    /** The label set of one series, route escaped by the caller. */
    private static String labels(String method, String status, String route) {
        return "http_request_method=\"" + method + "\",http_response_status_code=\"" + status + "\",http_route=\"" + route + "\"";
    }

    private static String excerpt(String page) {
        StringBuilder sb = new StringBuilder();
        page.lines().filter(l -> l.contains("request_duration")).limit(60).forEach(l -> sb.append("  ").append(l).append('\n'));
        return sb.toString();
    }

    @Test
    @Order(1)
    void servedAndCalledTransactionsAreOtelHistograms() {
        given().when().get("/api/status").then().statusCode(200); // Quarkus's own HTTP metrics must not show it
        metrics.record(1, "/pets/{petId}", "GET", 200, 3 * MS);
        metrics.record(0, "/pets/{petId}", "GET", 200, 40 * MS); // direction unknown: served
        metrics.record(2, "/v1/charges", "POST", 201, 120 * MS);
        Pages page = Pages.fetch();

        String pet = labels("GET", "200", "/pets/{petId}");
        page.assertComment("# TYPE " + SERVER + " histogram");
        page.assertComment("# HELP " + SERVER + " Duration of HTTP server requests.");
        page.assertLine(SERVER + "_count", pet, "2.0");
        page.assertLine(SERVER + "_sum", pet, "0.043");
        int[] petBuckets = {1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2};
        for (int i = 0; i < LE.length; i++) {
            page.assertLine(SERVER + "_bucket", pet + ",le=\"" + LE[i] + "\"", petBuckets[i] + ".0");
        }
        assertEquals(LE.length, page.countSamples(SERVER + "_bucket{" + pet + ",", ""), "the OTel boundaries and +Inf, no others");

        String charge = labels("POST", "201", "/v1/charges");
        page.assertComment("# TYPE " + CLIENT + " histogram");
        page.assertLine(CLIENT + "_count", charge, "1.0");
        page.assertLine(CLIENT + "_bucket", charge + ",le=\"0.1\"", "0.0");
        page.assertLine(CLIENT + "_bucket", charge + ",le=\"0.25\"", "1.0");
        assertFalse(page.contains(SERVER + "_count{" + charge), "a call is not a served request");

        assertFalse(page.contains("http_server_requests_seconds"), "Quarkus's HTTP-server binder is off");
        assertFalse(page.contains("_seconds_seconds"), "the registry adds the unit once");
        page.assertWellFormed();
    }

    @Test
    @Order(2)
    void methodsAndStatusesOutsideTheStandardSetsFold() {
        metrics.record(1, "/orders", "get", 200, MS); // methods are case-sensitive
        metrics.record(1, "/orders", "PROPFIND", 200, MS);
        metrics.record(1, "/orders", "GE\"T\n", 200, MS);
        metrics.record(1, "/orders", null, 200, MS);
        metrics.record(1, "/orders", "PATCH", 0, MS); // no response
        metrics.record(1, "/orders", "PATCH", 999, MS);
        metrics.record(1, "/orders", "PATCH", 99, MS);
        metrics.record(1, "/orders", "PATCH", -1, MS);
        metrics.record(1, "/orders", "PATCH", 600, MS);
        metrics.record(1, "/orders", "PATCH", 599, MS);
        metrics.record(1, "/orders", "PATCH", 100, MS);
        Pages page = Pages.fetch();

        page.assertLine(SERVER + "_count", labels("_OTHER", "200", "/orders"), "4.0");
        page.assertLine(SERVER + "_count", labels("PATCH", "0", "/orders"), "1.0");
        page.assertLine(SERVER + "_count", labels("PATCH", "_OTHER", "/orders"), "4.0");
        page.assertLine(SERVER + "_count", labels("PATCH", "599", "/orders"), "1.0");
        page.assertLine(SERVER + "_count", labels("PATCH", "100", "/orders"), "1.0");
        assertEquals(5, page.countSamples(SERVER + "_count{", "http_route=\"/orders\""), "series of /orders");
        page.assertWellFormed();
    }

    @Test
    @Order(3)
    void hostileRoutesAreEscapedOrFolded() {
        String hostile = "/x\"} 1\n# TYPE evil counter\nevil_total{a=\"b\\";
        metrics.record(1, hostile, "DELETE", 204, 2 * MS);
        metrics.record(1, "/" + "a".repeat(TrafficMetrics.MAX_ROUTE_CHARS), "DELETE", 204, MS);
        metrics.record(1, null, "DELETE", 204, MS);
        metrics.record(1, "", "DELETE", 204, MS);
        metrics.record(1, "_OTHER", "DELETE", 204, MS);
        metrics.record(1, "/" + "b".repeat(TrafficMetrics.MAX_ROUTE_CHARS - 1), "DELETE", 204, MS); // exactly the limit
        Pages page = Pages.fetch();

        String escaped = "/x\\\"} 1\\n# TYPE evil counter\\nevil_total{a=\\\"b\\\\";
        page.assertLine(SERVER + "_count", labels("DELETE", "204", escaped), "1.0");
        page.assertLine(SERVER + "_count", labels("DELETE", "204", "_OTHER"), "4.0");
        page.assertLine(SERVER + "_count", labels("DELETE", "204", "/" + "b".repeat(TrafficMetrics.MAX_ROUTE_CHARS - 1)), "1.0");
        assertEquals(0, page.countSamples("evil_total", ""));
        assertFalse(page.contains("\n# TYPE evil counter\n"));
        page.assertWellFormed();
    }

    @Test
    @Order(4)
    void seriesPastTheCapFoldIntoOtherRoute() {
        int before = metrics.seriesCount();
        int room = metrics.maxSeries() - before;
        assertEquals(200, metrics.maxSeries(), "%test.gatelens.metrics.max-series");
        assertTrue(room > 0, "series before the cap test: " + before);
        int routes = room + 150;
        for (int i = 0; i < routes; i++) {
            metrics.record(2, "/cap/r" + i, "PUT", 202, 5 * MS);
            metrics.record(2, "/cap/r" + i, "PUT", 202, 5 * MS); // a known series again: no new one
        }
        metrics.record(1, "/pets/{petId}", "GET", 404, MS); // a known route, a new status: folds too
        Pages page = Pages.fetch();

        assertEquals(metrics.maxSeries(), metrics.seriesCount());
        assertEquals(room, page.countSamples(CLIENT + "_count{", "http_route=\"/cap/r"));
        page.assertLine(CLIENT + "_count", labels("PUT", "202", "/cap/r0"), "2.0");
        page.assertLine(CLIENT + "_count", labels("PUT", "202", "/cap/r" + (room - 1)), "2.0");
        assertFalse(page.contains("http_route=\"/cap/r" + room + "\""));
        page.assertLine(CLIENT + "_count", labels("PUT", "202", "_OTHER"), 2 * (routes - room) + ".0");
        page.assertLine(SERVER + "_count", labels("GET", "404", "_OTHER"), "1.0");
        page.assertLine(SERVER + "_count", labels("GET", "200", "/pets/{petId}"), "2.0"); // existing series go on
        page.assertWellFormed();
    }

    // ---------------------------------------------------------------- the text format

    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern COMMENT = Pattern.compile("# (HELP|TYPE|UNIT) (" + NAME + ") .*|# EOF");
    /** One label: name, then a value in which quote, backslash and newline appear only escaped. */
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\\\n]|\\\\[\"\\\\n])*)\",?");
    private static final Pattern SAMPLE = Pattern.compile("(" + NAME + ")(?:\\{(.*)})? (\\S+)(?: -?\\d+)?");
    private static final Pattern VALUE = Pattern.compile("[-+]?(?:\\d+(?:\\.\\d*)?(?:[eE][-+]?\\d+)?|Inf|NaN)");

    /** Every line is a comment or a sample whose labels parse, and every sample's metric was declared. */
    private static void assertWellFormed(String page) {
        List<String> declared = new ArrayList<>();
        for (String line : page.split("\n", -1)) {
            if (line.isEmpty()) {
                continue;
            }
            Matcher c = COMMENT.matcher(line);
            if (c.matches()) {
                if ("TYPE".equals(c.group(1))) {
                    declared.add(c.group(2));
                }
                continue;
            }
            Matcher s = SAMPLE.matcher(line);
            if (!s.matches()) {
                fail("not a sample line: " + line);
            }
            if (s.group(2) != null) {
                Matcher l = LABEL.matcher(s.group(2));
                int end = 0;
                while (l.find() && l.start() == end) {
                    end = l.end();
                }
                assertEquals(s.group(2).length(), end, "labels do not parse: " + line);
            }
            assertTrue(VALUE.matcher(s.group(3)).matches(), "value: " + line);
            String name = s.group(1);
            assertTrue(declared.stream().anyMatch(d -> name.equals(d) || name.startsWith(d + "_")), "undeclared: " + line);
        }
    }
}
