package io.gatelens.analytics.spec;

import java.util.List;

/**
 * An upload that is not a usable spec: too large, not YAML or JSON, not an OpenAPI document, or one
 * with no operations. The service answers it with 400 and {@link #messages()}; never a 500.
 */
public final class SpecException extends Exception {
    private static final long serialVersionUID = 1L;
    private final List<String> messages;

    public SpecException(String summary, List<String> messages) {
        super(messages.isEmpty() ? summary : summary + ": " + String.join("; ", messages));
        this.messages = List.copyOf(messages);
    }

    public SpecException(String summary) {
        this(summary, List.of());
    }

    /** What the parser (or the loader) said, one message each; may be empty when the summary says it all. */
    public List<String> messages() {
        return messages;
    }
}
