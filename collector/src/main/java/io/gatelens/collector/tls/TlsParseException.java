package io.gatelens.collector.tls;

/**
 * Bytes off the wire that are not the TLS structure they claim to be: a length that runs past
 * its enclosing field, a list whose size is not a whole number of entries, trailing bytes, a
 * handshake message of the wrong type. The message names the field.
 *
 * <p>Checked on purpose: everything this package parses is attacker-controlled, so a caller
 * cannot forget that a hello may be refused. It is the only exception the parsers throw on bad
 * input; an exception of another type is a bug in this package.
 */
public final class TlsParseException extends Exception {
    private static final long serialVersionUID = 1L;

    public TlsParseException(String message) {
        super(message);
    }
}
