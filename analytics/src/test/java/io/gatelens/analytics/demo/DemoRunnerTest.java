package io.gatelens.analytics.demo;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** With {@code gatelens.demo.enabled}, the application starts the demo server and its client. */
@QuarkusTest
@TestProfile(DemoRunnerTest.DemoEnabled.class)
class DemoRunnerTest {

    public static class DemoEnabled implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("gatelens.demo.enabled", "true", "gatelens.demo.port", "0",
                "gatelens.demo.rate-per-second", "50", "gatelens.demo.virtual-users", "3");
        }
    }

    @Inject
    DemoRunner runner;

    @Test
    void demoRunsBesideTheService() throws InterruptedException {
        DemoApi api = runner.api().orElseThrow(() -> new AssertionError("demo not started"));
        DemoClient client = runner.client().orElseThrow(() -> new AssertionError("demo client not started"));
        assertEquals(50.0, client.ratePerSecond());
        assertEquals(3, client.virtualUsers());
        assertEquals("http://localhost:" + api.port() + "/api/v1", client.baseUri());
        long deadline = System.currentTimeMillis() + 10_000;
        while (client.sentCount() < 20) {
            assertTrue(System.currentTimeMillis() < deadline, "the demo client sent " + client.sentCount() + " requests in 10 s");
            Thread.sleep(50);
        }
        assertEquals(0, client.failedCount());
        assertTrue(api.requestCounts().values().stream().mapToLong(Long::longValue).sum() >= 20, api.requestCounts().toString());
        given().when().get("/api/status").then().statusCode(200); // the service's own port is untouched
    }
}
