package io.gatelens.analytics.catalog;

import io.gatelens.analytics.route.Match;
import io.gatelens.analytics.route.ShadowTemplates;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The endpoints that requests matching no operation are counted against: per host, method and
 * inferred template ({@link ShadowTemplates}). Hosts, methods and paths come off the wire, so every
 * dimension is bounded: at most {@code maxHosts} hosts get templates of their own (the rest share
 * {@value #OTHER_HOSTS}), methods outside the standard set are {@value #OTHER_METHOD}, each host's
 * templates are bounded by its {@link ShadowTemplates}, and past {@code maxEndpoints} endpoints in all
 * every new one folds into the {@link ShadowTemplates#OVERFLOW} endpoint of its host and method (one
 * each, beyond the bound).
 *
 * <p>A path that matches an operation's template but not its method ({@code DELETE} on a path the
 * spec documents for {@code GET} only) becomes a shadow endpoint with that documented template.
 *
 * <p>Thread-safe; a known endpoint is found without a lock or an allocation.
 */
public final class ShadowEndpoints {
    public static final String OTHER_HOSTS = "{other-hosts}";
    public static final String OTHER_METHOD = "_OTHER";
    public static final int DEFAULT_MAX_HOSTS = 64;
    public static final int DEFAULT_MAX_ENDPOINTS = 10_000;
    static final int MAX_HOST_CHARS = 255;

    // the order of RouteTrie's methods plus CONNECT; index = slot in HostShadows.byMethod
    private static final String[] METHODS = {"GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH",
        "TRACE", "CONNECT", OTHER_METHOD};

    private final EndpointIds ids;
    private final int maxHosts;
    private final int maxEndpoints;
    private final ConcurrentMap<String, HostShadows> byRawHost = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, HostShadows> byHost = new ConcurrentHashMap<>();
    private final AtomicInteger endpoints = new AtomicInteger();

    public ShadowEndpoints(EndpointIds ids) {
        this(ids, DEFAULT_MAX_HOSTS, DEFAULT_MAX_ENDPOINTS);
    }

    public ShadowEndpoints(EndpointIds ids, int maxHosts, int maxEndpoints) {
        if (maxHosts < 1 || maxEndpoints < 1) {
            throw new IllegalArgumentException("maxHosts and maxEndpoints must be >= 1");
        }
        this.ids = ids;
        this.maxHosts = maxHosts;
        this.maxEndpoints = maxEndpoints;
    }

    /**
     * The shadow endpoint of a request that matched no operation.
     *
     * @param host the Host header, null when there was none
     * @param rawPath the request target; not read (may be null) when notAllowed is a method-not-allowed match
     * @param notAllowed the trie's method-not-allowed match for this path, or null
     */
    public EndpointRef resolve(String host, String method, String rawPath, Match<EndpointRef> notAllowed) {
        HostShadows shadows = hostShadows(host);
        int m = methodSlot(method);
        String template = notAllowed != null && notAllowed.isMethodNotAllowed()
            ? notAllowed.fullTemplate()
            : shadows.templates.templateFor(rawPath);
        ConcurrentMap<String, EndpointRef> refs = shadows.byMethod[m];
        EndpointRef ref = refs.get(template);
        if (ref != null) {
            return ref;
        }
        if (endpoints.get() >= maxEndpoints) {
            // at the bound every new template goes to the overflow endpoint: once that exists, no lock
            ref = refs.get(ShadowTemplates.OVERFLOW);
            if (ref != null) {
                return ref;
            }
        }
        return create(shadows, m, template, notAllowed);
    }

    /** Shadow endpoints created so far (all hosts). */
    public int endpointCount() {
        return endpoints.get();
    }

    /** Hosts with templates of their own (the shared {@value #OTHER_HOSTS} not counted). */
    public int hostCount() {
        int n = byHost.size();
        return byHost.containsKey(OTHER_HOSTS) ? n - 1 : n;
    }

    /** Every shadow endpoint created so far. */
    public List<EndpointRef> endpoints() {
        List<EndpointRef> all = new ArrayList<>();
        for (HostShadows shadows : byHost.values()) {
            for (ConcurrentMap<String, EndpointRef> refs : shadows.byMethod) {
                all.addAll(refs.values());
            }
        }
        return all;
    }

    private EndpointRef create(HostShadows shadows, int m, String template, Match<EndpointRef> notAllowed) {
        synchronized (shadows) {
            ConcurrentMap<String, EndpointRef> refs = shadows.byMethod[m];
            EndpointRef ref = refs.get(template);
            if (ref != null) {
                return ref;
            }
            String why;
            if (endpoints.get() >= maxEndpoints && !template.equals(ShadowTemplates.OVERFLOW)) {
                template = ShadowTemplates.OVERFLOW;
                ref = refs.get(template);
                if (ref != null) {
                    return ref;
                }
                why = "more than " + maxEndpoints + " shadow endpoints: the rest are counted here";
            } else if (notAllowed != null && notAllowed.isMethodNotAllowed()) {
                why = "the path is documented for " + String.join(", ", notAllowed.allowedMethods())
                    + " only, not for this method";
            } else if (template.equals(ShadowTemplates.OVERFLOW)) {
                why = "more templates than the bound for this host, or a path too deep: the rest are counted here";
            } else {
                why = "no operation of any spec matches";
            }
            String method = METHODS[m];
            ref = new EndpointRef(ids.shadow(shadows.host, method, template), null, method, template, null, why,
                shadows.host);
            refs.put(template, ref);
            endpoints.incrementAndGet();
            return ref;
        }
    }

    private HostShadows hostShadows(String rawHost) {
        String raw = rawHost == null ? "" : rawHost;
        HostShadows shadows = byRawHost.get(raw);
        if (shadows != null) {
            return shadows;
        }
        String host = normalizeHost(raw);
        shadows = byHost.get(host);
        if (shadows == null) {
            synchronized (byHost) {
                shadows = byHost.get(host);
                if (shadows == null) {
                    boolean full = byHost.size() - (byHost.containsKey(OTHER_HOSTS) ? 1 : 0) >= maxHosts;
                    if (full) {
                        host = OTHER_HOSTS;
                        shadows = byHost.computeIfAbsent(host, HostShadows::new);
                    } else {
                        shadows = new HostShadows(host);
                        byHost.put(host, shadows);
                    }
                }
            }
        }
        // remember raw spellings only while they are few: a spray of Host headers costs a lower-casing each
        if (byRawHost.size() < 4 * maxHosts) {
            byRawHost.putIfAbsent(raw, shadows);
        }
        return shadows;
    }

    static String normalizeHost(String raw) {
        String host = raw.length() > MAX_HOST_CHARS ? raw.substring(0, MAX_HOST_CHARS) : raw;
        return host.strip().toLowerCase(Locale.ROOT);
    }

    static int methodSlot(String method) {
        if (method != null) {
            for (int i = 0; i < METHODS.length - 1; i++) {
                if (METHODS[i].equals(method)) {
                    return i;
                }
            }
        }
        return METHODS.length - 1;
    }

    private static final class HostShadows {
        final String host;
        final ShadowTemplates templates = new ShadowTemplates();
        @SuppressWarnings("unchecked")
        final ConcurrentMap<String, EndpointRef>[] byMethod = new ConcurrentMap[METHODS.length];

        HostShadows(String host) {
            this.host = host;
            for (int i = 0; i < byMethod.length; i++) {
                byMethod[i] = new ConcurrentHashMap<>();
            }
        }
    }
}
