package io.gatelens.analytics.spec;

import io.gatelens.analytics.route.RouteTrie;
import java.util.ArrayList;
import java.util.List;

/**
 * An uploaded spec as the analytics uses it: what it is called, where it is served and its operations.
 * Immutable.
 *
 * @param title {@code info.title}
 * @param version {@code info.version}
 * @param specVersion the OpenAPI or Swagger version the document declares ({@code 3.1.0}, {@code 2.0})
 * @param servers where the spec is served; never empty (a spec without servers is served at {@code /},
 *     bound to no host, as OpenAPI says)
 * @param operations in document order
 * @param messages what the parser and the loader noted without refusing the spec: warnings, remote
 *     {@code $ref}s that were not fetched
 */
public record ApiSpec(String title, String version, String specVersion, List<ServerBinding> servers,
                      List<Operation> operations, List<String> messages) {
    public ApiSpec {
        servers = List.copyOf(servers);
        operations = List.copyOf(operations);
        messages = List.copyOf(messages);
    }

    /** Where one operation is served: its own servers, else the spec's. */
    public List<ServerBinding> serversOf(Operation op) {
        return op.servers().isEmpty() ? servers : op.servers();
    }

    /**
     * The same spec served elsewhere (a gateway that rewrites hosts or paths): every operation, those
     * with servers of their own included, is bound to {@code overrides} instead.
     */
    public ApiSpec withServers(List<ServerBinding> overrides) {
        if (overrides.isEmpty()) {
            throw new IllegalArgumentException("a spec must be bound to at least one server");
        }
        List<Operation> ops = new ArrayList<>(operations.size());
        for (Operation op : operations) {
            ops.add(op.servers().isEmpty() ? op : op.withoutServers());
        }
        return new ApiSpec(title, version, specVersion, overrides, ops, messages);
    }

    /** How many entries {@link #routeEntries} has: operations times the servers each is bound to. */
    public long routeCount() {
        long n = 0;
        for (Operation op : operations) {
            n += serversOf(op).size();
        }
        return n;
    }

    /** One route per operation and server it is bound to, for {@link RouteTrie#build}. */
    public List<RouteTrie.Entry<Operation>> routeEntries() {
        List<RouteTrie.Entry<Operation>> entries = new ArrayList<>(operations.size() * servers.size());
        for (Operation op : operations) {
            for (ServerBinding s : serversOf(op)) {
                entries.add(new RouteTrie.Entry<>(s.host(), s.basePath(), op.method(), op.pathTemplate(), op));
            }
        }
        return entries;
    }
}
