package io.gatelens.analytics.route;

import java.util.List;

/**
 * What {@link RouteTrie#find} found for one request. Instances are made when the trie is built and
 * shared by every request that lands on the same route, so {@code find} allocates nothing.
 *
 * <p>Two kinds: {@link #isMatched() matched} (an operation: {@link #payload()} is set) and
 * {@link #isMethodNotAllowed() method not allowed} (the path matches a route but none of its
 * operations has the request's method: {@link #payload()} is null and {@link #allowedMethods()} lists
 * what the path has). No match at all is {@code null} from {@code find}.
 *
 * @param <T> the payload given with each route, typically the spec operation
 */
public final class Match<T> {
    private final boolean matched;
    private final T payload;
    private final String method;
    private final String template;
    private final String basePath;
    private final String host;
    private final List<String> allowedMethods;
    private final String fullTemplate;

    Match(boolean matched, T payload, String method, String template, String basePath, String host,
          List<String> allowedMethods) {
        this.matched = matched;
        this.payload = payload;
        this.method = method;
        this.template = template;
        this.basePath = basePath;
        this.host = host;
        this.allowedMethods = allowedMethods;
        this.fullTemplate = basePath + template; // basePath is "" for the root, never null
    }

    /** {@link #basePath()} followed by {@link #template()}: the route as a request path spells it, made once. */
    public String fullTemplate() {
        return fullTemplate;
    }

    /** True when an operation matched: path and method. */
    public boolean isMatched() {
        return matched;
    }

    /** True when the path matches a route that has no operation for the request's method. */
    public boolean isMethodNotAllowed() {
        return !matched;
    }

    /** The matched route's payload; null when {@link #isMethodNotAllowed()}. */
    public T payload() {
        return payload;
    }

    /** The matched operation's method (upper case); null when {@link #isMethodNotAllowed()}. */
    public String method() {
        return method;
    }

    /** The path template as the route was given, without its base path (e.g. {@code /users/{id}}). */
    public String template() {
        return template;
    }

    /** The base path the route is bound to, {@code ""} for the root. */
    public String basePath() {
        return basePath;
    }

    /** The host[:port] the route is bound to (lower case), null when it is bound to no host. */
    public String host() {
        return host;
    }

    /** The methods the matched path has, in a fixed order (GET, PUT, POST, DELETE, OPTIONS, HEAD, PATCH, TRACE). */
    public List<String> allowedMethods() {
        return allowedMethods;
    }

    @Override
    public String toString() {
        String where = (host == null ? "" : host) + basePath + template;
        return matched ? method + " " + where + " -> " + payload : "405 " + where + " allows " + allowedMethods;
    }
}
