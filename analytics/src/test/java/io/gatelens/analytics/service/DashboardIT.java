package io.gatelens.analytics.service;

import static org.junit.jupiter.api.Assertions.*;

import io.gatelens.collector.testing.KernelAndCorpus;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard end to end in a real browser: the packaged service with eBPF capture on loopback
 * serves the built frontend at {@code /}; {@code frontend/e2e/dashboard.e2e.mjs} drives Debian's
 * chromium (playwright-core) through it: uploads a spec in the UI, sends real HTTP traffic on
 * loopback that the kernel captures, finds the exact call counts in the endpoints table, opens the
 * detail chart, has a broken spec rejected with the parser's message, and checks that hostile paths
 * are shown as text. Screenshots of each view go to {@code target/screenshots}.
 */
class DashboardIT {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path FRONTEND = Path.of("..", "frontend").toAbsolutePath().normalize();

    @TempDir
    Path work;

    private ServiceProcess service;

    @AfterEach
    void tearDown() throws Exception {
        if (service != null) {
            service.close();
        }
    }

    @Test
    void dashboardInARealBrowser() throws Exception {
        KernelAndCorpus.requireBpf();
        assertTrue(Files.isExecutable(CHROMIUM), CHROMIUM + " is missing: scripts/install-deps installs Debian's chromium");
        assertTrue(Files.isDirectory(FRONTEND.resolve("node_modules/playwright-core")),
            "frontend/node_modules is missing playwright-core: the frontend module's npm install runs before this");
        int trafficPort = ServiceProcess.freePort();
        service = ServiceProcess.start(work, List.of(
            "gatelens.capture.enabled=true",
            "gatelens.capture.interfaces=lo",
            "gatelens.capture.ports=" + trafficPort,
            "gatelens.capture.batch-age=100MS",
            "gatelens.specs.dir=",
            "gatelens.store.file=" + work.resolve("data/gatelens.duckdb"),
            "gatelens.store.flush-interval=1S"));
        assertTrue(service.json("/api/status").path("capture").path("running").asBoolean(),
            "capture must run:\n" + service.log());

        // the service itself serves the built app at /
        HttpResponse<String> index = service.get("/");
        assertEquals(200, index.statusCode(), "GET / must serve the dashboard");
        assertTrue(index.headers().firstValue("content-type").orElse("").startsWith("text/html"), "GET / is HTML");
        assertTrue(index.body().contains("<script"), "the dashboard's index.html loads its bundle: " + index.body());
        assertEquals("no-cache", index.headers().firstValue("cache-control").orElse(""),
            "index.html is revalidated, so an upgraded dashboard reaches every browser");

        Path screenshots = Path.of("target", "screenshots").toAbsolutePath();
        Files.createDirectories(screenshots);
        try (Stream<Path> old = Files.list(screenshots)) {
            for (Path p : old.toList()) {
                Files.delete(p);
            }
        }
        Path log = work.resolve("e2e.log");
        ProcessBuilder pb = new ProcessBuilder("node", "e2e/dashboard.e2e.mjs").directory(FRONTEND.toFile())
            .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("GATELENS_URL", service.uri("").toString());
        pb.environment().put("GATELENS_SCREENSHOTS", screenshots.toString());
        pb.environment().put("GATELENS_TRAFFIC_PORT", Integer.toString(trafficPort));
        Process e2e = pb.start();
        boolean done = e2e.waitFor(5, TimeUnit.MINUTES);
        if (!done) {
            e2e.destroyForcibly();
        }
        String output = Files.readString(log);
        System.out.println(output);
        assertTrue(done, "the browser test did not finish within 5 minutes:\n" + output);
        assertEquals(0, e2e.exitValue(), "the browser test failed:\n" + output + "\n--- service log ---\n" + service.log());
        try (Stream<Path> shots = Files.list(screenshots)) {
            List<Path> pngs = shots.filter(p -> p.toString().endsWith(".png")).toList();
            assertTrue(pngs.size() >= 6, "a screenshot of each view, found " + pngs);
            for (Path png : pngs) {
                assertTrue(Files.size(png) > 5_000, png + " is too small to show a rendered view");
            }
        }
    }
}
