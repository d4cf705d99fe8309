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
 * are shown as text. Then TLS: the script serves TLS on a second loopback port with a key and
 * self-signed certificate made here by the JDK's keytool (PKCS#12, which Node reads), connects with
 * TLS 1.3, 1.2, 1.1 and 1.0 clients, and finds the exact handshakes, versions and legacy share in the
 * TLS view, the front's detail and the TLS front of a spec. Screenshots of each view go to
 * {@code target/screenshots}.
 */
class DashboardIT {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path FRONTEND = Path.of("..", "frontend").toAbsolutePath().normalize();

    @TempDir
    Path work;

    private ServiceProcess service;
    private static final String KEYSTORE_PASSWORD = "gatelens-e2e";

    /** An RSA key and a self-signed certificate for tls.e2e.test, valid two days, by the JDK's keytool. */
    private static Path selfSignedKeystore(Path file) throws Exception {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "e2e", "-keyalg", "RSA", "-keysize", "2048",
            "-dname", "CN=tls.e2e.test", "-ext", "SAN=dns:tls.e2e.test", "-validity", "2", "-storetype", "PKCS12",
            "-keystore", file.toString(), "-storepass", KEYSTORE_PASSWORD, "-keypass", KEYSTORE_PASSWORD)
            .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "keytool failed: " + out);
        return file;
    }

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
        int tlsPort = ServiceProcess.freePort();
        Path keystore = selfSignedKeystore(work.resolve("e2e.p12"));
        service = ServiceProcess.start(work, List.of(
            "gatelens.capture.enabled=true",
            "gatelens.capture.interfaces=lo",
            "gatelens.capture.ports=" + trafficPort + "," + tlsPort,
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
        pb.environment().put("GATELENS_TLS_PORT", Integer.toString(tlsPort));
        pb.environment().put("GATELENS_TLS_PFX", keystore.toString());
        pb.environment().put("GATELENS_TLS_PASSPHRASE", KEYSTORE_PASSWORD);
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
            assertTrue(pngs.size() >= 9, "a screenshot of each view, found " + pngs);
            for (Path png : pngs) {
                assertTrue(Files.size(png) > 5_000, png + " is too small to show a rendered view");
            }
        }
    }
}
