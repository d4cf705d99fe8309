package io.gatelens.analytics.catalog;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Endpoint ids by first use, for one process without a store (the offline report, tests). */
public final class InMemoryEndpointIds implements EndpointIds {
    private final Map<List<String>, Integer> ids = new HashMap<>();

    @Override
    public synchronized int operation(String spec, String method, String template, String operationId) {
        return ids.computeIfAbsent(List.of("operation", spec, method, template), k -> ids.size() + 1);
    }

    @Override
    public synchronized int shadow(String host, String method, String template) {
        return ids.computeIfAbsent(List.of("shadow", host, method, template), k -> ids.size() + 1);
    }

    /** Ids handed out so far. */
    public synchronized int size() {
        return ids.size();
    }
}
