package io.gatelens.collector.tls;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Big-endian reads over one slice of a byte array that never leave the slice: each read checks
 * what is left first and throws {@link TlsParseException} naming the field otherwise. A
 * length-prefixed vector is returned as a reader over exactly its bytes, so nested lengths are
 * bounded by their parent, never by the whole array.
 */
final class WireReader {
    private final String structure;
    private final byte[] bytes;
    private final int end;
    private int position;

    /** {@code structure} starts every error message, e.g. "ClientHello". */
    WireReader(String structure, byte[] bytes) {
        this(structure, bytes, 0, bytes.length);
    }

    private WireReader(String structure, byte[] bytes, int from, int end) {
        this.structure = structure;
        this.bytes = bytes;
        this.position = from;
        this.end = end;
    }

    int remaining() {
        return end - position;
    }

    boolean atEnd() {
        return position == end;
    }

    int u8(String field) throws TlsParseException {
        need(1, field);
        return bytes[position++] & 0xff;
    }

    int u16(String field) throws TlsParseException {
        need(2, field);
        int value = (bytes[position] & 0xff) << 8 | (bytes[position + 1] & 0xff);
        position += 2;
        return value;
    }

    void skip(int count, String field) throws TlsParseException {
        need(count, field);
        position += count;
    }

    byte[] bytes(int count, String field) throws TlsParseException {
        need(count, field);
        byte[] copy = Arrays.copyOfRange(bytes, position, position + count);
        position += count;
        return copy;
    }

    /** A vector with a one-byte length prefix (TLS {@code <0..2^8-1>}). */
    WireReader vector8(String field) throws TlsParseException {
        return vector(u8(field + " length"), field);
    }

    /** A vector with a two-byte length prefix (TLS {@code <0..2^16-1>}). */
    WireReader vector16(String field) throws TlsParseException {
        return vector(u16(field + " length"), field);
    }

    private WireReader vector(int length, String field) throws TlsParseException {
        if (length > remaining()) {
            throw error(field + " length " + length + " runs past the " + remaining() + " bytes left");
        }
        WireReader inner = new WireReader(structure, bytes, position, position + length);
        position += length;
        return inner;
    }

    /** Reads the rest as a list of two-byte values (cipher suites, signature schemes, versions). */
    List<Integer> u16List(String field) throws TlsParseException {
        if (remaining() % 2 != 0) {
            throw error(field + " length " + remaining() + " is odd; its entries are two bytes each");
        }
        List<Integer> values = new ArrayList<>(remaining() / 2);
        while (!atEnd()) {
            values.add(u16(field));
        }
        return values;
    }

    void expectEnd(String field) throws TlsParseException {
        if (!atEnd()) {
            throw error(remaining() + " bytes left over after " + field);
        }
    }

    TlsParseException error(String what) {
        return new TlsParseException(structure + ": " + what);
    }

    private void need(int count, String field) throws TlsParseException {
        if (count > remaining()) {
            throw error(field + " needs " + count + " bytes but " + remaining() + " are left");
        }
    }
}
