package io.gatelens.collector.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatelens.collector.bpf.CaptureConfig;
import io.gatelens.collector.bpf.KernelCounters;
import io.gatelens.collector.testing.KernelAndCorpus;
import io.gatelens.collector.testing.JdkHttpServer;
import io.gatelens.collector.testing.RawHttp;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * A sink slower than the traffic, with a tiny ring buffer: the kernel drops records (it cannot
 * wait), counts every one, and the collector says so, with what to do, while it runs.
 */
class LiveCaptureSlowSinkTest {
    @Test
    void dropsAreCountedAndReported() throws Exception {
        KernelAndCorpus.requireBpf();
        InetAddress lo = InetAddress.getByName("127.0.0.1");
        int port = RawHttp.freePorts(1)[0];
        List<String> warnings = new ArrayList<>();
        Logger jul = Logger.getLogger("gatelens.capture");
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord r) {
                synchronized (warnings) {
                    warnings.add(new java.util.logging.SimpleFormatter().formatMessage(r));
                }
            }

            @Override
            public void flush() { }

            @Override
            public void close() { }
        };
        jul.addHandler(handler);
        AtomicLong delivered = new AtomicLong();
        int requests = 300;
        try (JdkHttpServer server = new JdkHttpServer(lo, port);
             LiveCapture capture = LiveCapture.start(
                     CaptureConfig.defaults().withPorts(Set.of(port)).withRingBytes(4096), List.of("lo"),
                     (buf, n, offset) -> {
                         delivered.addAndGet(n / 432);
                         try {
                             Thread.sleep(300); // a sink far slower than the traffic
                         } catch (InterruptedException e) {
                             Thread.currentThread().interrupt();
                         }
                     }, null)) {
            // 32 callers at once: the transactions complete far faster than the sink drains
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            java.util.concurrent.ExecutorService callers = java.util.concurrent.Executors.newFixedThreadPool(32);
            List<java.util.concurrent.Future<?>> calls = new ArrayList<>();
            for (int i = 0; i < requests; i++) {
                URI uri = URI.create("http://127.0.0.1:" + port + "/slow/" + i);
                calls.add(callers.submit(() -> client.send(HttpRequest.newBuilder(uri).build(),
                        HttpResponse.BodyHandlers.discarding())));
            }
            for (var call : calls) {
                call.get();
            }
            callers.shutdown();
            long deadline = System.currentTimeMillis() + 10_000;
            while (System.currentTimeMillis() < deadline) {
                synchronized (warnings) {
                    if (!warnings.isEmpty()) {
                        break;
                    }
                }
                Thread.sleep(100);
            }
            capture.stop();
            KernelCounters c = capture.counters();
            assertEquals(requests, c.records() + c.ringbufDrops(), "every transaction written or counted: " + c.asMap());
            assertTrue(c.ringbufDrops() > 0, "a 4 KiB ring cannot hold " + requests + " records: " + c.asMap());
            assertEquals(c.records(), delivered.get(), "what was written was delivered, however slowly");
            synchronized (warnings) {
                assertTrue(warnings.stream().anyMatch(w -> w.contains("records dropped") && w.contains("sampling")),
                        "a warning says records were dropped and what to do: " + warnings);
            }
        } finally {
            jul.removeHandler(handler);
        }
    }
}
