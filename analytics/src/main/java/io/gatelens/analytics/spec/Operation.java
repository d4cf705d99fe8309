package io.gatelens.analytics.spec;

import java.util.List;

/**
 * One API operation: a method on a path template.
 *
 * @param method upper case: GET, PUT, POST, DELETE, OPTIONS, HEAD, PATCH or TRACE
 * @param pathTemplate as the spec writes it, e.g. {@code /repos/{owner}/{repo}}
 * @param operationId null when the spec gives none
 * @param summary null when the spec gives none
 * @param servers the operation's own servers (operation- or path-level {@code servers}); empty when
 *     it is served where the whole spec is ({@link ApiSpec#servers()})
 * @param parameters path-level and operation-level parameters (the operation's win by name and place)
 */
public record Operation(String method, String pathTemplate, String operationId, String summary,
                        List<ServerBinding> servers, List<Parameter> parameters) {
    public Operation {
        servers = List.copyOf(servers);
        parameters = List.copyOf(parameters);
    }

    public Operation(String method, String pathTemplate, String operationId, String summary, List<ServerBinding> servers) {
        this(method, pathTemplate, operationId, summary, servers, List.of());
    }

    /** The same operation served where the whole spec is. */
    public Operation withoutServers() {
        return new Operation(method, pathTemplate, operationId, summary, List.of(), parameters);
    }

    @Override
    public String toString() {
        return method + " " + pathTemplate + (operationId == null ? "" : " (" + operationId + ")");
    }
}
