package io.gatelens.analytics.catalog;

/**
 * Assigns the stable ids that statistics are stored under. The same arguments give the same id for
 * the life of the statistics store, so figures keep flowing when a spec is replaced by a new version.
 */
public interface EndpointIds {
    /** The id of the operation {@code method template} of spec {@code spec}. */
    int operation(String spec, String method, String template, String operationId);

    /** {@link #operation} for every operation of a spec at once (a store registers them in one transaction). */
    default int[] operations(String spec, java.util.List<io.gatelens.analytics.spec.Operation> ops) {
        int[] ids = new int[ops.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = operation(spec, ops.get(i).method(), ops.get(i).pathTemplate(), ops.get(i).operationId());
        }
        return ids;
    }

    /** The id of a shadow endpoint; host is {@code ""} when the traffic named none. */
    int shadow(String host, String method, String template);
}
