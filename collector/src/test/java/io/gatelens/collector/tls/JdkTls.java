package io.gatelens.collector.tls;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * Real hellos from the JDK's own TLS stack: a client SSLEngine's first wrap() is its
 * ClientHello record; a client and a server engine run against each other in memory give the
 * server's flight and what both sides then agree on. The server's key is an EC key that
 * keytool makes once per JVM in a temp keystore (Java 17 has no public API to make a
 * certificate).
 */
final class JdkTls {
    static final String TLS_1_3 = "TLSv1.3";
    static final String TLS_1_2 = "TLSv1.2";

    /** The suites the tests enable, in this order, with their IANA values. */
    static final List<String> CIPHER_SUITES = List.of(
            "TLS_AES_128_GCM_SHA256",
            "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_EMPTY_RENEGOTIATION_INFO_SCSV");
    static final Map<String, Integer> CIPHER_SUITE_VALUES = Map.of(
            "TLS_AES_128_GCM_SHA256", 0x1301,
            "TLS_AES_256_GCM_SHA384", 0x1302,
            "TLS_CHACHA20_POLY1305_SHA256", 0x1303,
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", 0xc02b,
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", 0xc02c,
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", 0xcca9,
            "TLS_EMPTY_RENEGOTIATION_INFO_SCSV", 0x00ff);
    static final Map<String, Integer> PROTOCOL_VALUES = Map.of(TLS_1_3, 0x0304, TLS_1_2, 0x0303);

    private static final String PASSWORD = "gatelens-test";
    private static SSLContext serverContext;

    private JdkTls() {}

    /** What a test asks of the client: protocols it offers, SNI (or null), ALPN protocols (or none). */
    record ClientConfig(List<String> protocols, String sni, List<String> alpn) {
        @Override
        public String toString() {
            return protocols + (sni == null ? " no SNI" : " SNI " + sni) + (alpn.isEmpty() ? " no ALPN" : " ALPN " + alpn);
        }
    }

    /** Each direction's bytes from the start of the connection, and the session both agreed on. */
    record Handshake(byte[] clientToServer, byte[] serverToClient, String protocol, String cipherSuite,
                     String clientApplicationProtocol) {}

    /** Every combination of TLS 1.3 + 1.2 or 1.2 alone, with and without SNI, with and without ALPN. */
    static List<ClientConfig> configurations() {
        List<ClientConfig> all = new ArrayList<>();
        for (List<String> protocols : List.of(List.of(TLS_1_3, TLS_1_2), List.of(TLS_1_2))) {
            for (String sni : new String[] {"api.example.com", null}) {
                for (List<String> alpn : List.of(List.of("h2", "http/1.1"), List.<String>of())) {
                    all.add(new ClientConfig(protocols, sni, alpn));
                }
            }
        }
        return all;
    }

    /** The client's first wrap(): its ClientHello, as records. */
    static byte[] clientHello(ClientConfig config) throws GeneralSecurityException, SSLException {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, null, null);
        SSLEngine client = client(context, config);
        ByteBuffer out = ByteBuffer.allocate(client.getSession().getPacketBufferSize());
        client.wrap(ByteBuffer.allocate(0), out);
        return bytes(out.flip());
    }

    /** A full handshake between a client with {@code config} and a server that speaks h2 and http/1.1. */
    static Handshake handshake(ClientConfig config) throws Exception {
        SSLContext clientContext = SSLContext.getInstance("TLS");
        clientContext.init(null, TestKey.trustManagers(), null);
        SSLEngine client = client(clientContext, config);
        SSLEngine server = serverContext().createSSLEngine();
        server.setUseClientMode(false);
        SSLParameters serverParameters = server.getSSLParameters();
        serverParameters.setApplicationProtocols(new String[] {"h2", "http/1.1"});
        server.setSSLParameters(serverParameters);

        int packetSize = Math.max(client.getSession().getPacketBufferSize(), server.getSession().getPacketBufferSize());
        ByteBuffer toServer = ByteBuffer.allocate(packetSize * 4);
        ByteBuffer toClient = ByteBuffer.allocate(packetSize * 4);
        ByteBuffer clientApp = ByteBuffer.allocate(packetSize * 2);
        ByteBuffer serverApp = ByteBuffer.allocate(packetSize * 2);
        ByteArrayOutputStream clientSent = new ByteArrayOutputStream();
        ByteArrayOutputStream serverSent = new ByteArrayOutputStream();
        ByteBuffer empty = ByteBuffer.allocate(0);
        client.beginHandshake();
        server.beginHandshake();
        for (int round = 0; round < 50 && !(done(client) && done(server)); round++) {
            wrapInto(client, empty, toServer, clientSent);
            wrapInto(server, empty, toClient, serverSent);
            toServer.flip();
            server.unwrap(toServer, serverApp);
            runTasks(server);
            toServer.compact();
            toClient.flip();
            client.unwrap(toClient, clientApp);
            runTasks(client);
            toClient.compact();
        }
        if (!(done(client) && done(server))) {
            throw new IllegalStateException("the in-memory handshake did not finish: client "
                    + client.getHandshakeStatus() + ", server " + server.getHandshakeStatus());
        }
        SSLSession session = client.getSession();
        return new Handshake(clientSent.toByteArray(), serverSent.toByteArray(), session.getProtocol(),
                session.getCipherSuite(), client.getApplicationProtocol());
    }

    private static SSLEngine client(SSLContext context, ClientConfig config) {
        SSLEngine client = context.createSSLEngine(); // no peer host: SNI only when set below
        client.setUseClientMode(true);
        SSLParameters parameters = client.getSSLParameters();
        parameters.setProtocols(config.protocols().toArray(String[]::new));
        parameters.setCipherSuites(CIPHER_SUITES.toArray(String[]::new));
        if (config.sni() != null) {
            parameters.setServerNames(List.of(new SNIHostName(config.sni())));
        }
        parameters.setApplicationProtocols(config.alpn().toArray(String[]::new));
        client.setSSLParameters(parameters);
        return client;
    }

    private static boolean done(SSLEngine engine) {
        SSLEngineResult.HandshakeStatus status = engine.getHandshakeStatus();
        return status == SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING
                || status == SSLEngineResult.HandshakeStatus.FINISHED;
    }

    private static void wrapInto(SSLEngine engine, ByteBuffer empty, ByteBuffer wire, ByteArrayOutputStream sent)
            throws SSLException {
        int before = wire.position();
        engine.wrap(empty, wire);
        runTasks(engine);
        sent.write(wire.array(), before, wire.position() - before);
    }

    private static void runTasks(SSLEngine engine) {
        Runnable task;
        while ((task = engine.getDelegatedTask()) != null) {
            task.run();
        }
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }

    private static synchronized SSLContext serverContext() throws Exception {
        if (serverContext == null) {
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(TestKey.keyStore(), PASSWORD.toCharArray());
            serverContext = SSLContext.getInstance("TLS");
            serverContext.init(keys.getKeyManagers(), null, null);
        }
        return serverContext;
    }

    /** The keystore made once, and a trust manager that trusts its one certificate. */
    private static final class TestKey {
        private static KeyStore keyStore;

        static synchronized KeyStore keyStore() throws Exception {
            if (keyStore == null) {
                keyStore = generateKeyStore();
            }
            return keyStore;
        }

        static TrustManager[] trustManagers() throws Exception {
            KeyStore trusted = KeyStore.getInstance("PKCS12");
            trusted.load(null, null);
            trusted.setCertificateEntry("server", keyStore().getCertificate("server"));
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trusted);
            return factory.getTrustManagers();
        }

        private static KeyStore generateKeyStore() throws Exception {
            Path directory = Files.createTempDirectory("gatelens-tls-test");
            Path file = directory.resolve("server.p12");
            Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
            Process process = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "server",
                    "-keyalg", "EC", "-groupname", "secp256r1", "-sigalg", "SHA256withECDSA",
                    "-dname", "CN=api.example.com", "-validity", "2", "-storetype", "PKCS12",
                    "-keystore", file.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD)
                    .redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes());
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IOException("keytool could not make the test key: " + output);
            }
            KeyStore store = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(file)) {
                store.load(in, PASSWORD.toCharArray());
            } finally {
                Files.deleteIfExists(file);
                Files.deleteIfExists(directory);
            }
            return store;
        }
    }
}
