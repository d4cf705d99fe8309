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
 */
public record Operation(String method, String pathTemplate, String operationId, String summary,
                        List<ServerBinding> servers) {
    public Operation {
        servers = List.copyOf(servers);
    }

    @Override
    public String toString() {
        return method + " " + pathTemplate + (operationId == null ? "" : " (" + operationId + ")");
    }
}
