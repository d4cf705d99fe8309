package io.gatelens.analytics.catalog;

/**
 * What a transaction is counted against: a spec operation or a shadow endpoint. Made when the route
 * table is compiled (operations) or the first time a shadow template is seen, then shared.
 *
 * @param id the endpoint's stable id in the statistics store
 * @param spec the spec's name; null for a shadow endpoint
 * @param method upper-case method ({@code _OTHER} for a shadow endpoint of a non-standard method)
 * @param template the path template as the spec writes it ({@code /pets/{petId}}), or the inferred
 *     shadow template including any base path
 * @param operationId null when the spec gives none, and for shadow endpoints
 * @param summary the operation's summary; for a shadow endpoint, why it is one
 * @param shadowHost for a shadow endpoint, the host the traffic named ({@code ""} for none)
 */
public record EndpointRef(int id, String spec, String method, String template, String operationId,
                          String summary, String shadowHost) {

    public boolean isShadow() {
        return spec == null;
    }
}
