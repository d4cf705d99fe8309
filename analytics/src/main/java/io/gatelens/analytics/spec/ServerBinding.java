package io.gatelens.analytics.spec;

/**
 * Where a spec (or one operation) is served: a host and a base path, from an OpenAPI 3 server URL
 * (variables replaced) or Swagger 2.0 {@code host} + {@code basePath}.
 *
 * @param host lower-case host, with {@code :port} only when the URL names a port that is not the
 *     scheme's default; null when the URL is relative (the spec is bound to no host)
 * @param basePath {@code ""} for the root, else {@code /a/b} without a trailing slash
 * @param url the server URL this came from, after variable substitution (for messages and the UI)
 */
public record ServerBinding(String host, String basePath, String url) {
    public ServerBinding {
        basePath = basePath == null ? "" : basePath;
    }

    /** Bound to no host: matched by traffic whose Host no spec claims. */
    public boolean isHostless() {
        return host == null;
    }
}
