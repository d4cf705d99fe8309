package io.gatelens.collector.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * HTTP/1.1 over plain sockets, byte-exact on both ends: building requests and responses, reading
 * them back with their exact sizes, a scripted server ({@link Server}) and free-port picking.
 */
public final class RawHttp {
    private RawHttp() {}

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** "METHOD target HTTP/1.1", Host first, the extra header lines, then body (Content-Length when non-null). */
    public static byte[] request(String method, String target, String host, byte[] body, String... headers) {
        StringBuilder sb = new StringBuilder();
        sb.append(method).append(' ').append(target).append(" HTTP/1.1\r\n");
        if (host != null) {
            sb.append("Host: ").append(host).append("\r\n");
        }
        for (String h : headers) {
            sb.append(h).append("\r\n");
        }
        if (body != null) {
            sb.append("Content-Length: ").append(body.length).append("\r\n");
        }
        sb.append("\r\n");
        return concat(ascii(sb.toString()), body == null ? new byte[0] : body);
    }

    /** A status line, the header lines as given, an empty line and the body (no header is added). */
    public static byte[] response(int status, String reason, byte[] body, String... headers) {
        StringBuilder sb = new StringBuilder();
        sb.append("HTTP/1.1 ").append(status).append(' ').append(reason).append("\r\n");
        for (String h : headers) {
            sb.append(h).append("\r\n");
        }
        sb.append("\r\n");
        return concat(ascii(sb.toString()), body == null ? new byte[0] : body);
    }

    /** A response with Content-Length framing. */
    public static byte[] fixed(int status, String reason, byte[] body) {
        return response(status, reason, body, "Content-Length: " + body.length, "Content-Type: text/plain");
    }

    /** A response with chunked framing, the body cut in chunks of chunkSize. */
    public static byte[] chunked(int status, String reason, byte[] body, int chunkSize) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(response(status, reason, null, "Transfer-Encoding: chunked"));
        for (int i = 0; i < body.length; i += chunkSize) {
            int n = Math.min(chunkSize, body.length - i);
            out.writeBytes(ascii(Integer.toHexString(n) + "\r\n"));
            out.write(body, i, n);
            out.writeBytes(ascii("\r\n"));
        }
        out.writeBytes(ascii("0\r\n\r\n"));
        return out.toByteArray();
    }

    public static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    public static byte[] filled(int n, char c) {
        byte[] b = new byte[n];
        java.util.Arrays.fill(b, (byte) c);
        return b;
    }

    // ---------------------------------------------------------------- reading messages

    /** A message as read off the wire: its first line, headers (lower-case names), body and exact size. */
    public record Message(String firstLine, Map<String, String> headers, byte[] body, long wireBytes) {
        public int status() {
            return Integer.parseInt(firstLine.split(" ")[1]);
        }

        public String method() {
            return firstLine.split(" ")[0];
        }

        public String target() {
            return firstLine.split(" ")[1];
        }
    }

    private static final class Counting {
        final InputStream in;
        long n;

        Counting(InputStream in) {
            this.in = in;
        }

        int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                n++;
            }
            return b;
        }

        String line() throws IOException {
            StringBuilder sb = new StringBuilder();
            int b;
            while ((b = read()) != '\n') {
                if (b < 0) {
                    if (sb.length() == 0) {
                        return null;
                    }
                    throw new EOFException("connection closed inside a line: " + sb);
                }
                sb.append((char) b);
            }
            int len = sb.length();
            if (len > 0 && sb.charAt(len - 1) == '\r') {
                sb.setLength(len - 1);
            }
            return sb.toString();
        }

        byte[] exactly(long len) throws IOException {
            byte[] b = new byte[Math.toIntExact(len)];
            int off = 0;
            while (off < b.length) {
                int r = in.read(b, off, b.length - off);
                if (r < 0) {
                    throw new EOFException("connection closed after " + off + " of " + len + " body bytes");
                }
                off += r;
            }
            n += len;
            return b;
        }
    }

    /**
     * Reads one message head and body: a request when request is true, otherwise a response to
     * a request with method requestMethod (HEAD, 1xx, 204 and 304 have no body). Returns null at
     * a clean end of stream before the first byte. Interim 1xx responses are skipped (their bytes
     * counted in the final one).
     */
    public static Message read(InputStream in, boolean request, String requestMethod) throws IOException {
        Counting c = new Counting(in);
        while (true) {
            String first = c.line();
            if (first == null) {
                return null;
            }
            Map<String, String> headers = new LinkedHashMap<>();
            String h;
            while (!(h = c.line()).isEmpty()) {
                int colon = h.indexOf(':');
                headers.putIfAbsent(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
            }
            int status = request ? 0 : Integer.parseInt(first.split(" ")[1]);
            if (!request && status >= 100 && status < 200 && status != 101) {
                continue;
            }
            boolean noBody = !request && ("HEAD".equals(requestMethod) || status == 204 || status == 304);
            byte[] body;
            if (noBody) {
                body = new byte[0];
            } else if ("chunked".equalsIgnoreCase(headers.getOrDefault("transfer-encoding", ""))) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                while (true) {
                    String size = c.line();
                    int semi = size.indexOf(';');
                    long n = Long.parseLong((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
                    if (n == 0) {
                        while (!c.line().isEmpty()) {
                            // trailers
                        }
                        break;
                    }
                    out.writeBytes(c.exactly(n));
                    c.line();
                }
                body = out.toByteArray();
            } else if (headers.containsKey("content-length")) {
                body = c.exactly(Long.parseLong(headers.get("content-length")));
            } else if (request) {
                body = new byte[0];
            } else {
                body = in.readAllBytes();
                c.n += body.length;
            }
            return new Message(first, Collections.unmodifiableMap(headers), body, c.n);
        }
    }

    public static Message readResponse(InputStream in, String requestMethod) throws IOException {
        Message m = read(in, false, requestMethod);
        if (m == null) {
            throw new EOFException("the server closed the connection instead of answering " + requestMethod);
        }
        return m;
    }

    // ---------------------------------------------------------------- free ports

    /**
     * n distinct TCP ports free on every address, below the ephemeral range so that no client
     * connection of the test run is handed one of them before its server binds it.
     */
    public static int[] freePorts(int n) {
        int[] out = new int[n];
        int found = 0;
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        for (int attempt = 0; found < n && attempt < 10_000; attempt++) {
            int p = rnd.nextInt(20_000, 32_000);
            boolean dup = false;
            for (int i = 0; i < found; i++) {
                dup |= out[i] == p;
            }
            if (!dup && bindable(p)) {
                out[found++] = p;
            }
        }
        if (found < n) {
            throw new IllegalStateException("no " + n + " free ports in 20000..31999");
        }
        return out;
    }

    private static boolean bindable(int port) {
        // the wildcard of a dual-stack socket: free there means free on every v4 and v6 address
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    // ---------------------------------------------------------------- scripted server

    /** Answers one request; writes whatever it wants (or nothing) to out and flushes it. */
    @FunctionalInterface
    public interface Handler {
        void handle(Message request, OutputStream out) throws Exception;
    }

    /**
     * A thread-per-connection HTTP/1.1 server that reads requests one after another (pipelined
     * ones included: they wait in the connection's buffer) and lets a {@link Handler} write the
     * exact response bytes. A handler that writes nothing leaves the request unanswered; the
     * server goes on reading. Connections close when the client closes, or after the handler
     * when the request said "Connection: close".
     */
    public static final class Server implements AutoCloseable {
        private final ServerSocket listener;
        private final Handler handler;
        private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "raw-http-conn");
            t.setDaemon(true);
            return t;
        });
        private final List<Socket> sockets = Collections.synchronizedList(new ArrayList<>());
        private final List<Message> received = Collections.synchronizedList(new ArrayList<>());
        private final Thread acceptor;
        private volatile boolean closed;

        public Server(InetAddress bind, int port, Handler handler) throws IOException {
            this.listener = new ServerSocket();
            this.listener.setReuseAddress(true);
            this.listener.bind(new InetSocketAddress(bind, port), 64);
            this.handler = handler;
            this.acceptor = new Thread(this::acceptLoop, "raw-http-accept-" + port);
            this.acceptor.setDaemon(true);
            this.acceptor.start();
        }

        public int port() {
            return listener.getLocalPort();
        }

        /** Requests the server read so far, in order. */
        public List<Message> received() {
            synchronized (received) {
                return List.copyOf(received);
            }
        }

        private void acceptLoop() {
            while (!closed) {
                try {
                    Socket s = listener.accept();
                    sockets.add(s);
                    pool.execute(() -> serve(s));
                } catch (IOException e) {
                    if (!closed) {
                        e.printStackTrace();
                    }
                    return;
                }
            }
        }

        private void serve(Socket s) {
            try (s) {
                s.setTcpNoDelay(true);
                InputStream in = new BufferedInputStream(s.getInputStream(), 1 << 16);
                OutputStream out = s.getOutputStream();
                Message m;
                while ((m = read(in, true, null)) != null) {
                    received.add(m);
                    handler.handle(m, out);
                    out.flush();
                    if ("close".equalsIgnoreCase(m.headers().getOrDefault("connection", ""))) {
                        break;
                    }
                }
            } catch (SocketException | EOFException e) {
                // client went away
            } catch (Exception e) {
                if (!closed) {
                    e.printStackTrace();
                }
            } finally {
                sockets.remove(s);
            }
        }

        @Override
        public void close() throws IOException {
            closed = true;
            listener.close();
            synchronized (sockets) {
                for (Socket s : sockets) {
                    try {
                        s.close();
                    } catch (IOException e) {
                        // closing anyway
                    }
                }
            }
            pool.shutdownNow();
            try {
                pool.awaitTermination(5, TimeUnit.SECONDS);
                acceptor.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
