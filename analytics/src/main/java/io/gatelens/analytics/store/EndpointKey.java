package io.gatelens.analytics.store;

import java.util.Objects;

/**
 * What an endpoint id stands for. Identity is kind + spec + method + template + host;
 * {@code operationId} is carried along but is not part of it (a spec may rename an operation
 * without making it a new endpoint).
 *
 * @param kind an operation of a spec, or a shadow endpoint inferred from traffic no spec describes
 * @param spec the spec's name; null for SHADOW
 * @param method the HTTP method, as matched
 * @param template the path template including the server's base path, e.g. {@code /v1/pets/{petId}}
 * @param operationId the spec's operationId, if any; null for SHADOW
 * @param host for SHADOW, the host the traffic named (null if none); null for OPERATION
 */
public record EndpointKey(Kind kind, String spec, String method, String template, String operationId, String host) {
    public enum Kind { OPERATION, SHADOW }

    public EndpointKey {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(template, "template");
        if (kind == Kind.OPERATION && (spec == null || host != null)) {
            throw new IllegalArgumentException("an OPERATION endpoint needs a spec and no host: " + spec + ", " + host);
        }
        if (kind == Kind.SHADOW && (spec != null || operationId != null)) {
            throw new IllegalArgumentException("a SHADOW endpoint has no spec or operationId: " + spec + ", " + operationId);
        }
    }

    public static EndpointKey operation(String spec, String method, String template, String operationId) {
        return new EndpointKey(Kind.OPERATION, spec, method, template, operationId, null);
    }

    public static EndpointKey shadow(String method, String template, String host) {
        return new EndpointKey(Kind.SHADOW, null, method, template, null, host);
    }

    /** The fields that make the identity, as a value usable as a map key. */
    Identity identity() {
        return new Identity(kind, spec, method, template, host);
    }

    record Identity(Kind kind, String spec, String method, String template, String host) {
    }
}
