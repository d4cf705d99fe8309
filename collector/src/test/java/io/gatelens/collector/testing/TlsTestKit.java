package io.gatelens.collector.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;

/**
 * Real TLS bytes for tests, from the JDK's own TLS stack: a self-signed key made once per JVM by
 * {@code keytool} in a temporary keystore, server and client SSLContexts over it, and complete
 * handshakes run between two SSLEngines in memory, recording what each side sent.
 */
public final class TlsTestKit {
    public static final char[] PASSWORD = "gatelens".toCharArray();

    private static Path keystore;
    private static SSLContext server;
    private static SSLContext client;

    private TlsTestKit() {}

    /** The keystore (PKCS12, EC P-256, CN=localhost), made by keytool on first use. */
    public static synchronized Path keystore() {
        if (keystore == null) {
            try {
                Path dir = Files.createTempDirectory("gatelens-tls");
                dir.toFile().deleteOnExit();
                Path ks = dir.resolve("server.p12");
                Process p = new ProcessBuilder("keytool", "-genkeypair", "-alias", "gatelens", "-keyalg", "EC",
                        "-groupname", "secp256r1", "-validity", "2", "-dname", "CN=localhost",
                        "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-keystore", ks.toString(),
                        "-storetype", "PKCS12", "-storepass", new String(PASSWORD), "-keypass",
                        new String(PASSWORD)).redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes());
                if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                    throw new IllegalStateException("keytool failed: " + out);
                }
                ks.toFile().deleteOnExit();
                keystore = ks;
            } catch (IOException e) {
                throw new IllegalStateException("keytool could not be run (is a JDK installed?)", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        return keystore;
    }

    public static synchronized SSLContext serverContext() {
        if (server == null) {
            server = context(true);
        }
        return server;
    }

    /** A client context that trusts the test key (and nothing else). */
    public static synchronized SSLContext clientContext() {
        if (client == null) {
            client = context(false);
        }
        return client;
    }

    /** A new client context (its own session cache: nothing to resume from earlier clients). */
    public static SSLContext freshClientContext() {
        return context(false);
    }

    private static SSLContext context(boolean withKey) {
        try (InputStream in = Files.newInputStream(keystore())) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, PASSWORD);
            SSLContext ctx = SSLContext.getInstance("TLS");
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            if (withKey) {
                KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(ks, PASSWORD);
                ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            } else {
                ctx.init(null, tmf.getTrustManagers(), null);
            }
            return ctx;
        } catch (Exception e) {
            throw new IllegalStateException("cannot build an SSLContext from " + keystore, e);
        }
    }

    /** What a client asks for. sni null: no server_name; alpn empty: no ALPN; protocol null: 1.2 and 1.3. */
    public record Hello(String sni, List<String> alpn, String protocol) {
        public Hello {
            alpn = List.copyOf(alpn);
        }

        public static Hello of(String sni, String protocol, String... alpn) {
            return new Hello(sni, Arrays.asList(alpn), protocol);
        }
    }

    /**
     * A whole handshake's bytes: everything the client sent and everything the server sent during
     * the handshake, and what it negotiated (alpn "" when none).
     */
    public record Transcript(byte[] client, byte[] server, String protocol, String cipher, String alpn) {
        /** The first TLS record the client sent: its ClientHello. */
        public byte[] clientHello() {
            return Arrays.copyOf(client, 5 + recordLength(client, 0));
        }
    }

    /** A client engine configured for hello (the server name given even when not sent). */
    public static SSLEngine clientEngine(Hello hello) {
        return clientEngine(clientContext(), hello);
    }

    public static SSLEngine clientEngine(SSLContext context, Hello hello) {
        SSLEngine c = context.createSSLEngine(hello.sni() == null ? "localhost" : hello.sni(), 443);
        c.setUseClientMode(true);
        SSLParameters p = c.getSSLParameters();
        if (hello.protocol() != null) {
            p.setProtocols(new String[] {hello.protocol()});
        }
        p.setApplicationProtocols(hello.alpn().toArray(String[]::new));
        List<SNIServerName> names = new ArrayList<>();
        if (hello.sni() != null) {
            names.add(new SNIHostName(hello.sni()));
        }
        p.setServerNames(names);
        c.setSSLParameters(p);
        return c;
    }

    /** A server engine that answers ALPN with the first protocol the client offers. */
    public static SSLEngine serverEngine() {
        SSLEngine s = serverContext().createSSLEngine();
        s.setUseClientMode(false);
        s.setHandshakeApplicationProtocolSelector((e, offered) -> offered.isEmpty() ? null : offered.get(0));
        return s;
    }

    /** The ClientHello record a client configured for hello sends first. */
    public static byte[] clientHello(Hello hello) {
        try {
            SSLEngine c = clientEngine(hello);
            c.beginHandshake();
            ByteBuffer out = ByteBuffer.allocate(c.getSession().getPacketBufferSize() * 4);
            c.wrap(ByteBuffer.allocate(0), out);
            out.flip();
            byte[] b = new byte[out.remaining()];
            out.get(b);
            return b;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs a whole handshake between a client engine for hello and a server engine, in memory. */
    public static Transcript handshake(Hello hello) {
        try {
            SSLEngine c = clientEngine(hello);
            SSLEngine s = serverEngine();
            int size = Math.max(c.getSession().getPacketBufferSize(), s.getSession().getPacketBufferSize()) * 4;
            ByteBuffer c2s = ByteBuffer.allocate(size);
            ByteBuffer s2c = ByteBuffer.allocate(size);
            ByteBuffer app = ByteBuffer.allocate(size);
            ByteArrayOutputStream fromClient = new ByteArrayOutputStream();
            ByteArrayOutputStream fromServer = new ByteArrayOutputStream();
            c.beginHandshake();
            s.beginHandshake();
            for (int round = 0; round < 100; round++) {
                boolean cDone = done(c), sDone = done(s);
                if (cDone && sDone) {
                    break;
                }
                step(c, c2s, s2c, app, fromClient);
                step(s, s2c, c2s, app, fromServer);
            }
            if (!done(c) || !done(s)) {
                throw new IllegalStateException("the in-memory handshake did not finish: client "
                        + c.getHandshakeStatus() + ", server " + s.getHandshakeStatus());
            }
            String alpn = c.getApplicationProtocol();
            return new Transcript(fromClient.toByteArray(), fromServer.toByteArray(), c.getSession().getProtocol(),
                    c.getSession().getCipherSuite(), alpn == null ? "" : alpn);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean done(SSLEngine e) {
        HandshakeStatus h = e.getHandshakeStatus();
        return h == HandshakeStatus.NOT_HANDSHAKING || h == HandshakeStatus.FINISHED;
    }

    /** One engine: wrap what it wants to send (recorded), then unwrap what the peer sent. */
    private static void step(SSLEngine e, ByteBuffer out, ByteBuffer in, ByteBuffer app, ByteArrayOutputStream sent)
            throws IOException {
        for (int i = 0; i < 20; i++) {
            HandshakeStatus h = e.getHandshakeStatus();
            if (h == HandshakeStatus.NEED_TASK) {
                Runnable t;
                while ((t = e.getDelegatedTask()) != null) {
                    t.run();
                }
            } else if (h == HandshakeStatus.NEED_WRAP) {
                int before = out.position();
                SSLEngineResult r = e.wrap(ByteBuffer.allocate(0), out);
                sent.write(out.array(), before, out.position() - before);
                if (r.getStatus() != SSLEngineResult.Status.OK) {
                    break;
                }
            } else if (h == HandshakeStatus.NEED_UNWRAP || h == HandshakeStatus.NEED_UNWRAP_AGAIN) {
                in.flip();
                SSLEngineResult r = e.unwrap(in, app);
                in.compact();
                app.clear();
                if (r.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW) {
                    break;
                }
            } else {
                break;
            }
        }
    }

    /** The record length field of the TLS record at b[at]. */
    public static int recordLength(byte[] b, int at) {
        return ((b[at + 3] & 0xFF) << 8) | (b[at + 4] & 0xFF);
    }

    /** ALPN names that make a ClientHello about `bytes` longer (for multi-segment hellos). */
    public static String[] paddingAlpn(int bytes) {
        List<String> names = new ArrayList<>();
        int n = 0;
        while (n < bytes) {
            String name = "x-pad-" + names.size() + "-" + "p".repeat(180);
            names.add(name);
            n += name.length() + 1;
        }
        return names.toArray(String[]::new);
    }
}
