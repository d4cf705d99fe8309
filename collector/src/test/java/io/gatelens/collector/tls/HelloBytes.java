package io.gatelens.collector.tls;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds hellos byte by byte for the cases the JDK will not send: the FoxIO example's exact
 * lists, GREASE, empty lists, lying lengths, HelloRetryRequest. Extensions are written in the
 * order they are added; each length is computed, and can be made to lie with a delta.
 */
final class HelloBytes {
    private HelloBytes() {}

    static final class ClientHelloBuilder {
        private int legacyVersion = 0x0303;
        private byte[] sessionId = new byte[32];
        private final List<Integer> cipherSuites = new ArrayList<>();
        private byte[] compressionMethods = {0};
        private final ByteArrayOutputStream extensions = new ByteArrayOutputStream();
        private boolean withExtensionsBlock = true;
        private int cipherSuitesLengthDelta;
        private int extensionsLengthDelta;

        ClientHelloBuilder legacyVersion(int version) {
            legacyVersion = version;
            return this;
        }

        ClientHelloBuilder sessionId(byte[] id) {
            sessionId = id;
            return this;
        }

        ClientHelloBuilder compressionMethods(byte... methods) {
            compressionMethods = methods;
            return this;
        }

        ClientHelloBuilder cipherSuites(int... suites) {
            for (int suite : suites) {
                cipherSuites.add(suite);
            }
            return this;
        }

        ClientHelloBuilder cipherSuitesLengthDelta(int delta) {
            cipherSuitesLengthDelta = delta;
            return this;
        }

        /** No extensions block at all, as SSL 3.0 and early TLS 1.0 clients send. */
        ClientHelloBuilder withoutExtensionsBlock() {
            withExtensionsBlock = false;
            return this;
        }

        ClientHelloBuilder extensionsLengthDelta(int delta) {
            extensionsLengthDelta = delta;
            return this;
        }

        ClientHelloBuilder extension(int type, byte[] data) {
            return extension(type, data, 0);
        }

        ClientHelloBuilder extension(int type, byte[] data, int lengthDelta) {
            u16(extensions, type);
            u16(extensions, data.length + lengthDelta);
            extensions.writeBytes(data);
            return this;
        }

        ClientHelloBuilder sni(String host) {
            return extension(0x0000, serverNameData(host));
        }

        ClientHelloBuilder alpn(String... protocols) {
            return extension(0x0010, protocolNameList(protocols));
        }

        ClientHelloBuilder supportedVersions(int... versions) {
            return extension(0x002b, vector8(u16s(versions)));
        }

        ClientHelloBuilder signatureAlgorithms(int... schemes) {
            return extension(0x000d, vector16(u16s(schemes)));
        }

        /** Extensions whose content does not matter to the parser, with empty data. */
        ClientHelloBuilder emptyExtensions(int... types) {
            for (int type : types) {
                extension(type, new byte[0]);
            }
            return this;
        }

        byte[] body() {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            u16(out, legacyVersion);
            out.writeBytes(new byte[32]); // random
            out.write(sessionId.length);
            out.writeBytes(sessionId);
            u16(out, cipherSuites.size() * 2 + cipherSuitesLengthDelta);
            for (int suite : cipherSuites) {
                u16(out, suite);
            }
            out.write(compressionMethods.length);
            out.writeBytes(compressionMethods);
            if (withExtensionsBlock) {
                u16(out, extensions.size() + extensionsLengthDelta);
                out.writeBytes(extensions.toByteArray());
            }
            return out.toByteArray();
        }

        HandshakeMessage message() {
            return new HandshakeMessage(HandshakeMessage.CLIENT_HELLO, body(), 0x0301);
        }
    }

    static ClientHelloBuilder clientHello() {
        return new ClientHelloBuilder();
    }

    /** A ServerHello body: version, random, a 32-byte session id echo, suite, method 0, extensions. */
    static byte[] serverHelloBody(int legacyVersion, byte[] random, int cipherSuite, byte[] extensionsBlock) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        u16(out, legacyVersion);
        out.writeBytes(random);
        out.write(32);
        out.writeBytes(new byte[32]);
        u16(out, cipherSuite);
        out.write(0);
        if (extensionsBlock != null) {
            u16(out, extensionsBlock.length);
            out.writeBytes(extensionsBlock);
        }
        return out.toByteArray();
    }

    /** One extension: type, length, data. */
    static byte[] extensionBytes(int type, byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        u16(out, type);
        u16(out, data.length);
        out.writeBytes(data);
        return out.toByteArray();
    }

    /** The four-byte handshake header (type, 24-bit length) followed by the body. */
    static byte[] handshake(int type, byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(type);
        out.write(body.length >>> 16);
        out.write(body.length >>> 8);
        out.write(body.length);
        out.writeBytes(body);
        return out.toByteArray();
    }

    /** {@code payload} cut into records of at most {@code maxFragment} bytes. */
    static byte[] records(int contentType, int recordVersion, byte[] payload, int maxFragment) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int from = 0; from < payload.length; from += maxFragment) {
            int length = Math.min(maxFragment, payload.length - from);
            out.write(contentType);
            u16(out, recordVersion);
            u16(out, length);
            out.write(payload, from, length);
        }
        return out.toByteArray();
    }

    static byte[] serverNameData(String host) {
        byte[] name = host.getBytes(StandardCharsets.ISO_8859_1);
        ByteArrayOutputStream entry = new ByteArrayOutputStream();
        entry.write(0); // host_name
        u16(entry, name.length);
        entry.writeBytes(name);
        return vector16(entry.toByteArray());
    }

    static byte[] protocolNameList(String... protocols) {
        ByteArrayOutputStream names = new ByteArrayOutputStream();
        for (String protocol : protocols) {
            byte[] name = protocol.getBytes(StandardCharsets.ISO_8859_1);
            names.write(name.length);
            names.writeBytes(name);
        }
        return vector16(names.toByteArray());
    }

    static byte[] u16s(int... values) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int value : values) {
            u16(out, value);
        }
        return out.toByteArray();
    }

    static byte[] vector8(byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(content.length);
        out.writeBytes(content);
        return out.toByteArray();
    }

    static byte[] vector16(byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        u16(out, content.length);
        out.writeBytes(content);
        return out.toByteArray();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static void u16(ByteArrayOutputStream out, int value) {
        out.write(value >>> 8);
        out.write(value);
    }
}
