package io.gatelens.analytics.api;

/** A query parameter the API cannot use: a 400 with this message. */
public final class BadParameterException extends RuntimeException {
    public BadParameterException(String message) {
        super(message);
    }
}
