package io.gatelens.collector.tls;

import java.util.Arrays;

/**
 * One whole handshake message (RFC 8446 §4): its type (1 ClientHello, 2 ServerHello, 11
 * Certificate …), its body without the four-byte type and length header, and the version field
 * of the record that carried its first byte. Equality compares the body's contents.
 */
public record HandshakeMessage(int type, byte[] body, int recordVersion) {
    public static final int CLIENT_HELLO = 1;
    public static final int SERVER_HELLO = 2;

    public HandshakeMessage {
        if (type < 0 || type > 0xff) {
            throw new IllegalArgumentException("handshake type " + type + " is not one byte");
        }
        if (body == null) {
            throw new IllegalArgumentException("no body");
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof HandshakeMessage m
                && m.type == type && m.recordVersion == recordVersion && Arrays.equals(m.body, body);
    }

    @Override
    public int hashCode() {
        return (type * 31 + recordVersion) * 31 + Arrays.hashCode(body);
    }

    @Override
    public String toString() {
        return "HandshakeMessage[type=" + type + ", " + body.length + " bytes, record "
                + TlsVersions.name(recordVersion) + "]";
    }
}
