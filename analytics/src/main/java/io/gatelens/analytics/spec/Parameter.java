package io.gatelens.analytics.spec;

/**
 * One documented parameter of an operation, as the dashboard shows it beside the endpoint's figures.
 *
 * @param name as the spec names it
 * @param in path, query, header or cookie
 * @param required whether the spec requires it (path parameters always are)
 * @param type the schema's type ({@code string}, {@code integer}, {@code array}...), null when the spec gives none
 * @param description at most {@link #MAX_DESCRIPTION} characters; null when the spec gives none
 */
public record Parameter(String name, String in, boolean required, String type, String description) {
    /** Specs like Stripe's carry page-long descriptions; the dashboard needs a line or two. */
    public static final int MAX_DESCRIPTION = 500;

    public Parameter {
        if (description != null && description.length() > MAX_DESCRIPTION) {
            description = description.substring(0, MAX_DESCRIPTION - 1) + "…";
        }
    }
}
