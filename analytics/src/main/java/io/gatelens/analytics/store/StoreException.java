package io.gatelens.analytics.store;

/** A storage failure (DuckDB reported an error); the operation had no effect if it was a write. */
public class StoreException extends RuntimeException {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
