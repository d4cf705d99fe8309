package io.gatelens.collector.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * com.sun.net.httpserver.HttpServer with a thread pool and one handler that answers by path:
 * <ul>
 *   <li>/status/NNN — status NNN; 204 and 304 without body (304 carries "Content-Length: 777",
 *       the length of the representation, as RFC 9110 allows), others with a short body</li>
 *   <li>/sleep/MS — waits MS ms, then 200 with a short body</li>
 *   <li>/chunked/N — N bytes, chunked (sendResponseHeaders(200, 0)), written in 4 KiB pieces</li>
 *   <li>/fixed/N — N bytes with Content-Length</li>
 *   <li>anything else — reads the request body, 200 with "METHOD target (N body bytes)"</li>
 * </ul>
 * HEAD requests get the headers of the GET (Content-Length included) and no body.
 */
public final class JdkHttpServer implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService pool;
    private final AtomicInteger handled = new AtomicInteger();

    public JdkHttpServer(InetAddress bind, int port) throws IOException {
        server = HttpServer.create(new InetSocketAddress(bind, port), 128);
        pool = Executors.newFixedThreadPool(16, r -> {
            Thread t = new Thread(r, "jdk-http-" + port);
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(pool);
        server.createContext("/", this::handle);
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** Requests answered so far. */
    public int handled() {
        return handled.get();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            byte[] reqBody;
            try (InputStream in = ex.getRequestBody()) {
                reqBody = in.readAllBytes();
            }
            String path = ex.getRequestURI().getRawPath();
            boolean head = "HEAD".equals(ex.getRequestMethod());
            String[] parts = path.split("/");
            if (path.startsWith("/status/")) {
                int status = Integer.parseInt(parts[2]);
                if (status == 204) {
                    ex.sendResponseHeaders(204, -1);
                } else if (status == 304) {
                    ex.getResponseHeaders().set("ETag", "\"v1\"");
                    ex.getResponseHeaders().set("Content-Length", "777");
                    ex.sendResponseHeaders(304, -1);
                } else {
                    send(ex, status, ("status " + status + "\n").getBytes(StandardCharsets.US_ASCII), head);
                }
            } else if (path.startsWith("/sleep/")) {
                Thread.sleep(Long.parseLong(parts[2]));
                send(ex, 200, "slept\n".getBytes(StandardCharsets.US_ASCII), head);
            } else if (path.startsWith("/chunked/")) {
                int n = Integer.parseInt(parts[2]);
                ex.sendResponseHeaders(200, 0);
                try (OutputStream out = ex.getResponseBody()) {
                    byte[] piece = new byte[4096];
                    Arrays.fill(piece, (byte) 'c');
                    for (int i = 0; i < n; i += piece.length) {
                        out.write(piece, 0, Math.min(piece.length, n - i));
                        out.flush();
                    }
                }
            } else if (path.startsWith("/fixed/")) {
                byte[] body = new byte[Integer.parseInt(parts[2])];
                Arrays.fill(body, (byte) 'f');
                send(ex, 200, body, head);
            } else {
                String text = ex.getRequestMethod() + " " + ex.getRequestURI() + " (" + reqBody.length + " body bytes)\n";
                send(ex, 200, text.getBytes(StandardCharsets.UTF_8), head);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            handled.incrementAndGet();
        }
    }

    private static void send(HttpExchange ex, int status, byte[] body, boolean head) throws IOException {
        if (head) {
            ex.getResponseHeaders().set("Content-Length", Integer.toString(body.length));
            ex.sendResponseHeaders(status, -1);
            return;
        }
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
        try {
            pool.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
