package io.gatelens.collector.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatelens.collector.bpf.CaptureConfig;
import io.gatelens.collector.bpf.KernelCounters;
import io.gatelens.collector.handshake.TlsChunk;
import io.gatelens.collector.handshake.TlsHandshake;
import io.gatelens.collector.handshake.TlsHandshakes;
import io.gatelens.collector.record.TlsChunkLayout;
import io.gatelens.collector.testing.KernelAndCorpus;
import io.gatelens.collector.testing.TlsTestKit;
import io.gatelens.collector.testing.TlsTestKit.Hello;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.Test;

/**
 * Live: a real TLS server (the JDK's SSLServerSocket, a self-signed key made by keytool) on
 * loopback, clients negotiating TLS 1.2 and 1.3 with and without ALPN and SNI, and a ClientHello
 * forced over two TCP segments (a raw socket with TCP_NODELAY writes the first 100 bytes of a
 * real ClientHello from a client SSLEngine, sleeps, writes the rest, then finishes the handshake).
 * Each connection must produce exactly one handshake record with the client's SNI and ALPN, the
 * version the server's SSLSession negotiated, and a handshake time. Every client has a context of
 * its own: a resumed TLS session's ClientHello carries the first session's server name.
 */
class LiveTlsTest {
    record Client(String name, Hello hello, boolean split) {}

    @Test
    void everyHandshakeOnLoopbackIsRecordedOnce() throws Exception {
        KernelAndCorpus.requireBpf();
        List<Client> clients = List.of(
                new Client("1.3 + ALPN + SNI", Hello.of("tls13.example", "TLSv1.3", "h2", "http/1.1"), false),
                new Client("1.3, nothing", Hello.of(null, "TLSv1.3"), false),
                new Client("1.2 + ALPN + SNI", Hello.of("tls12.example", "TLSv1.2", "http/1.1"), false),
                new Client("1.2, SNI only", Hello.of("plain12.example", "TLSv1.2"), false),
                new Client("default + ALPN, no SNI", Hello.of(null, null, "h2"), false),
                new Client("split ClientHello (1.3)", Hello.of("split.example", "TLSv1.3", "h2", "http/1.1"), true),
                new Client("split ClientHello (1.2)", Hello.of("split12.example", "TLSv1.2"), true));

        List<TlsHandshake> records = java.util.Collections.synchronizedList(new ArrayList<>());
        Map<Integer, String> negotiated = new ConcurrentHashMap<>(); // client port -> server's SSLSession
        Map<Integer, String> chosenAlpn = new ConcurrentHashMap<>();
        try (RootAllocator allocator = new RootAllocator();
             SSLServerSocket server = (SSLServerSocket) TlsTestKit.serverContext().getServerSocketFactory()
                     .createServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int port = server.getLocalPort();
            Thread acceptor = new Thread(() -> serve(server, negotiated, chosenAlpn), "tls-test-server");
            acceptor.setDaemon(true);
            acceptor.start();

            TlsHandshakes tls = new TlsHandshakes(allocator, 30_000_000_000L, 1, 50, batch -> {
                try (VectorSchemaRoot b = batch) {
                    records.addAll(TlsHandshake.readAll(b));
                }
            });
            List<TlsChunk> chunks = java.util.Collections.synchronizedList(new ArrayList<>());
            LiveCapture capture = LiveCapture.start(CaptureConfig.defaults().withPorts(Set.of(port)), List.of("lo"),
                    (buf, n, offset) -> TlsChunk.forEach(buf, 0, n, chunks::add), null, tls);
            long startNs = System.currentTimeMillis() * 1_000_000L;
            List<Integer> ports = new ArrayList<>();
            try {
                for (Client c : clients) {
                    ports.add(c.split ? splitClient(port, c.hello) : socketClient(port, c.hello));
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (records.stream().filter(r -> r.dport() == port).count() < clients.size()
                        && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                Thread.sleep(300); // extra records would show now
                KernelCounters k = capture.counters();
                List<TlsHandshake> ours = records.stream().filter(r -> r.dport() == port).toList();
                String all = ours.size() + " records:\n  " + String.join("\n  ", ours.stream().map(Object::toString).toList())
                        + "\nkernel " + k.asMap();
                assertEquals(clients.size(), ours.size(), "one record per connection: " + all);
                assertEquals(0, k.ringbufDrops(), all);
                for (int i = 0; i < clients.size(); i++) {
                    Client c = clients.get(i);
                    int cport = ports.get(i);
                    TlsHandshake h = ours.stream().filter(r -> r.sport() == cport).findFirst().orElse(null);
                    assertNotNull(h, c.name + ": no record for client port " + cport + "; " + all);
                    String where = c.name + ": " + h + ": ";
                    assertEquals(0, h.flags(), where + "flags");
                    assertEquals(TlsHandshake.escape(c.hello.sni()), h.sni(), where + "SNI");
                    assertEquals(TlsHandshake.alpn(c.hello.alpn()), h.clientAlpn(), where + "ALPN offered");
                    String session = negotiated.get(cport);
                    assertNotNull(session, where + "the server saw no handshake");
                    assertEquals(session.replace("TLSv", "TLS "), h.serverVersion(), where + "negotiated version");
                    String alpn = chosenAlpn.getOrDefault(cport, "");
                    if (session.equals("TLSv1.2") && !alpn.isEmpty()) {
                        assertEquals(alpn, h.serverAlpn(), where + "ALPN chosen, in the clear in TLS 1.2");
                    } else {
                        assertNull(h.serverAlpn(), where + "no ALPN in the clear");
                    }
                    assertTrue(h.clientVersions() == null || h.clientVersions().contains(h.serverVersion()),
                            where + "the negotiated version was offered");
                    assertNotNull(h.ja4(), where);
                    assertTrue(h.ja4().startsWith("t1"), where + "JA4 of TCP TLS");
                    assertNotNull(h.handshakeNs(), where);
                    assertTrue(h.handshakeNs() > 0 && h.handshakeNs() < 5_000_000_000L, where + "handshake time");
                    assertTrue(Math.abs(h.tsNs() - startNs) < 60_000_000_000L, where + "wall-clock ts_ns near "
                            + Instant.ofEpochSecond(0, startNs));
                    assertEquals(1, h.direction(), where + "lo is watched on ingress: the ClientHello arrived, served");
                    assertEquals("127.0.0.1", h.client().getHostAddress());
                    assertEquals(4, h.family());
                    List<TlsChunk> mine = chunks.stream().filter(x -> x.clientPort() == cport && x.hsType() == 1).toList();
                    if (c.split) {
                        assertEquals(2, mine.size(), where + "the ClientHello came in two segments: " + mine);
                        assertEquals(100, mine.get(0).data().length, where);
                        assertTrue(mine.get(0).has(TlsChunkLayout.FLAG_FIRST) && !mine.get(0).has(TlsChunkLayout.FLAG_LAST));
                        assertTrue(mine.get(1).has(TlsChunkLayout.FLAG_LAST), where);
                    } else {
                        assertEquals(1, mine.size(), where + "one segment: " + mine);
                    }
                }
                assertTrue(k.tlsActive() == 0, "no hello left in flight: " + k.asMap());
            } finally {
                capture.close();
                tls.close();
            }
            assertEquals(clients.size(), records.stream().filter(r -> r.dport() == port).count(),
                    "stopping reported nothing more");
        }
    }

    private static void serve(SSLServerSocket server, Map<Integer, String> negotiated, Map<Integer, String> alpn) {
        while (!server.isClosed()) {
            try {
                SSLSocket s = (SSLSocket) server.accept();
                Thread t = new Thread(() -> {
                    try (s) {
                        s.setHandshakeApplicationProtocolSelector((sock, offered) -> offered.isEmpty() ? null : offered.get(0));
                        s.startHandshake();
                        negotiated.put(s.getPort(), s.getSession().getProtocol());
                        String a = s.getApplicationProtocol();
                        if (a != null && !a.isEmpty()) {
                            alpn.put(s.getPort(), a);
                        }
                        BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
                        in.readLine();
                        s.getOutputStream().write("ok\n".getBytes(StandardCharsets.UTF_8));
                        s.getOutputStream().flush();
                    } catch (IOException e) {
                        // the client went away: the test's assertions say what is missing
                    }
                });
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    /** An SSLSocket client; returns its local port. */
    private static int socketClient(int port, Hello hello) throws IOException {
        try (SSLSocket s = (SSLSocket) TlsTestKit.freshClientContext().getSocketFactory()
                .createSocket(InetAddress.getLoopbackAddress(), port)) {
            SSLParameters p = s.getSSLParameters();
            if (hello.protocol() != null) {
                p.setProtocols(new String[] {hello.protocol()});
            }
            p.setApplicationProtocols(hello.alpn().toArray(String[]::new));
            p.setServerNames(hello.sni() == null ? List.of() : List.of(new SNIHostName(hello.sni())));
            s.setSSLParameters(p);
            s.startHandshake();
            s.getOutputStream().write("hi\n".getBytes(StandardCharsets.UTF_8));
            s.getOutputStream().flush();
            new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)).readLine();
            return s.getLocalPort();
        }
    }

    /**
     * A plain socket with TCP_NODELAY driving a client SSLEngine: the ClientHello goes out as its
     * first 100 bytes, then (after a pause, so they are two segments) the rest.
     */
    private static int splitClient(int port, Hello hello) throws Exception {
        try (Socket s = new Socket()) {
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            SSLEngine e = TlsTestKit.clientEngine(TlsTestKit.freshClientContext(), hello);
            int size = e.getSession().getPacketBufferSize() * 4;
            ByteBuffer net = ByteBuffer.allocate(size);
            ByteBuffer in = ByteBuffer.allocate(size);
            ByteBuffer app = ByteBuffer.allocate(size);
            OutputStream os = s.getOutputStream();
            InputStream is = s.getInputStream();
            e.beginHandshake();
            e.wrap(ByteBuffer.allocate(0), net);
            byte[] hello1 = Arrays.copyOf(net.array(), net.position());
            assertTrue(hello1.length > 200, "a whole ClientHello: " + hello1.length);
            os.write(hello1, 0, 100);
            os.flush();
            Thread.sleep(300);
            os.write(hello1, 100, hello1.length - 100);
            os.flush();
            net.clear();
            byte[] chunk = new byte[16384];
            for (int i = 0; i < 200; i++) {
                HandshakeStatus st = e.getHandshakeStatus();
                if (st == HandshakeStatus.FINISHED || st == HandshakeStatus.NOT_HANDSHAKING) {
                    break;
                }
                if (st == HandshakeStatus.NEED_TASK) {
                    Runnable t;
                    while ((t = e.getDelegatedTask()) != null) {
                        t.run();
                    }
                } else if (st == HandshakeStatus.NEED_WRAP) {
                    net.clear();
                    e.wrap(ByteBuffer.allocate(0), net);
                    os.write(net.array(), 0, net.position());
                    os.flush();
                } else {
                    in.flip();
                    SSLEngineResult r = e.unwrap(in, app);
                    in.compact();
                    app.clear();
                    if (r.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW) {
                        int n = is.read(chunk);
                        if (n < 0) {
                            throw new IOException("the server closed during the handshake");
                        }
                        in.put(chunk, 0, n);
                    }
                }
            }
            net.clear();
            e.wrap(ByteBuffer.wrap("hi\n".getBytes(StandardCharsets.UTF_8)), net);
            os.write(net.array(), 0, net.position());
            os.flush();
            // read until the server's reply arrives (it may send session tickets first)
            s.setSoTimeout(5000);
            for (int i = 0; i < 20; i++) {
                in.flip();
                SSLEngineResult r = e.unwrap(in, app);
                in.compact();
                if (app.position() > 0) {
                    break;
                }
                if (r.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW || r.bytesConsumed() == 0) {
                    int n = is.read(chunk);
                    if (n < 0) {
                        break;
                    }
                    in.put(chunk, 0, n);
                }
            }
            return s.getLocalPort();
        }
    }
}
