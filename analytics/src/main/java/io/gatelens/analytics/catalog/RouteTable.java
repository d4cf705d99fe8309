package io.gatelens.analytics.catalog;

import io.gatelens.analytics.route.Match;
import io.gatelens.analytics.route.RouteTrie;
import io.gatelens.analytics.spec.Operation;
import io.gatelens.analytics.spec.ServerBinding;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Every spec compiled into one matcher: host → base path → segment trie ({@link RouteTrie}), each
 * route carrying the {@link EndpointRef} its statistics go to. Immutable: the catalog compiles a new
 * table when a spec is added, replaced or deleted and swaps it in whole, so the ingest thread never
 * sees a half-built table and never takes a lock.
 */
public final class RouteTable {
    private final RouteTrie<EndpointRef> trie;
    private final List<NamedSpec> specs;
    private final List<EndpointRef> operations;
    private final Map<Integer, EndpointRef> operationsById;
    private final Map<String, List<ServerBinding>> bindings;
    /** Host without port → the specs bound to it, in spec order. */
    private final Map<String, List<String>> specsByHost;

    private RouteTable(RouteTrie<EndpointRef> trie, List<NamedSpec> specs, List<EndpointRef> operations,
                       Map<String, List<ServerBinding>> bindings) {
        this.trie = trie;
        this.specs = List.copyOf(specs);
        this.operations = Collections.unmodifiableList(operations);
        Map<Integer, EndpointRef> byId = new HashMap<>();
        for (EndpointRef ref : operations) {
            byId.putIfAbsent(ref.id(), ref);
        }
        this.operationsById = Collections.unmodifiableMap(byId);
        this.bindings = Collections.unmodifiableMap(bindings);
        Map<String, List<String>> byHost = new HashMap<>();
        for (NamedSpec named : this.specs) {
            for (ServerBinding b : bindings.getOrDefault(named.name(), List.of())) {
                if (b.host() != null) {
                    List<String> names = byHost.computeIfAbsent(hostWithoutPort(b.host()), h -> new ArrayList<>());
                    if (!names.contains(named.name())) {
                        names.add(named.name());
                    }
                }
            }
        }
        byHost.replaceAll((h, names) -> List.copyOf(names));
        this.specsByHost = Collections.unmodifiableMap(byHost);
    }

    /** A table with no spec: every request goes to a shadow endpoint. */
    public static RouteTable empty() {
        return new RouteTable(RouteTrie.build(List.of()), List.of(), new ArrayList<>(), Map.of());
    }

    /**
     * Compiles specs, in the given order: when two specs claim the same method on the same path of
     * the same host, the first keeps it (see {@link #warnings()}).
     */
    public static RouteTable compile(List<NamedSpec> specs, EndpointIds ids) {
        List<RouteTrie.Entry<EndpointRef>> entries = new ArrayList<>();
        List<EndpointRef> operations = new ArrayList<>();
        Map<String, List<ServerBinding>> bindings = new HashMap<>();
        for (NamedSpec named : specs) {
            List<ServerBinding> specBindings = new ArrayList<>(named.spec().servers());
            int[] opIds = ids.operations(named.name(), named.spec().operations());
            int k = 0;
            for (Operation op : named.spec().operations()) {
                int id = opIds[k++];
                EndpointRef ref = new EndpointRef(id, named.name(), op.method(), op.pathTemplate(),
                    op.operationId(), op.summary(), null);
                operations.add(ref);
                for (ServerBinding server : named.spec().serversOf(op)) {
                    entries.add(new RouteTrie.Entry<>(server.host(), server.basePath(), op.method(),
                        op.pathTemplate(), ref));
                    if (!specBindings.contains(server)) {
                        specBindings.add(server);
                    }
                }
            }
            bindings.put(named.name(), List.copyOf(specBindings));
        }
        return new RouteTable(RouteTrie.build(entries), specs, operations, bindings);
    }

    /** See {@link RouteTrie#find}: the operation, a method-not-allowed match, or null. */
    public Match<EndpointRef> find(String host, String method, String rawPath) {
        return trie.find(host, method, rawPath);
    }

    /** The same, for the request target as UTF-8 bytes {@code path[offset, offset + length)}, as captured. */
    public Match<EndpointRef> find(String host, String method, byte[] path, int offset, int length) {
        return trie.find(host, method, path, offset, length);
    }

    /** The specs compiled, in order. */
    public List<NamedSpec> specs() {
        return specs;
    }

    /** Every operation of every spec, in spec and document order. */
    public List<EndpointRef> operations() {
        return operations;
    }

    /** The operation with this endpoint id, or null when no current spec has it. */
    public EndpointRef operation(int id) {
        return operationsById.get(id);
    }

    /** Where a spec's operations are served (its servers and any operation-level servers). */
    public List<ServerBinding> bindings(String specName) {
        return bindings.getOrDefault(specName, List.of());
    }

    /**
     * The specs whose servers name this host, compared case-insensitively and without ports (a TLS
     * front's SNI or address against the spec's server URLs); hostless specs serve no particular host
     * and are not listed. In spec order; empty when none.
     */
    public List<String> specsServing(String host) {
        return host == null ? List.of() : specsByHost.getOrDefault(hostWithoutPort(host), List.of());
    }

    /**
     * {@code Api.Example.com:8443} → {@code api.example.com}; {@code [::1]:443} → {@code [::1]}; a bare
     * IPv6 address (more than one colon, no brackets) stays whole.
     */
    static String hostWithoutPort(String host) {
        String h = host.strip().toLowerCase(java.util.Locale.ROOT);
        if (h.startsWith("[")) {
            int close = h.indexOf(']');
            return close < 0 ? h : h.substring(0, close + 1);
        }
        int colon = h.indexOf(':');
        return colon >= 0 && colon == h.lastIndexOf(':') ? h.substring(0, colon) : h;
    }

    /** {@link #warningsFor} of every spec, each after its spec's name. */
    public List<String> warnings() {
        List<String> out = new ArrayList<>();
        for (NamedSpec spec : specs) {
            for (String w : warningsFor(spec.name())) {
                out.add("spec '" + spec.name() + "': " + w);
            }
        }
        return out;
    }

    /**
     * The operations of one spec that no request can reach, one sentence each: a path deeper than
     * the route table takes, a method it does not know, a bad host, or a path and method another
     * route (of this spec or of a spec listed before it) already has on the same host.
     */
    public List<String> warningsFor(String spec) {
        List<String> out = new ArrayList<>();
        for (RouteTrie.Skipped<EndpointRef> s : trie.skipped()) {
            EndpointRef ref = s.entry().payload();
            if (!spec.equals(ref.spec())) {
                continue;
            }
            RouteTrie.Entry<EndpointRef> kept = s.keptBy();
            if (kept == null) {
                out.add(s.reason());
            } else {
                String where = s.entry().host() == null ? "" : " on " + s.entry().host();
                String keeper = spec.equals(kept.payload().spec()) ? "this spec's " : "spec '" + kept.payload().spec() + "''s ";
                out.add(ref.method() + " " + ref.template() + where + " never matches: " + keeper + kept.payload().method()
                    + " " + kept.payload().template() + " is the same path and comes first");
            }
        }
        return out;
    }
}
