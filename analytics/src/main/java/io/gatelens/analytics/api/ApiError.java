package io.gatelens.analytics.api;

import java.util.List;

/** The body of every 4xx: what went wrong, and the parser's messages when a spec was refused. */
public record ApiError(int status, String error, List<String> messages) {
}
