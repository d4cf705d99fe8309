package io.gatelens.analytics.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Prometheus histograms of the <b>captured</b> HTTP traffic, under the OpenTelemetry semantic-convention
 * names: {@code http_server_request_duration_seconds} for transactions this host served and
 * {@code http_client_request_duration_seconds} for calls it made, labelled {@code http_route},
 * {@code http_request_method} and {@code http_response_status_code}, with the OTel-recommended buckets
 * (5 ms to 10 s). Published at {@code /q/metrics} by Quarkus's Prometheus registry, which names a
 * Timer {@code http.server.request.duration} {@code http_server_request_duration_seconds} and adds
 * a {@code _max} gauge of its own. (Quarkus's binder for this service's own REST API is switched off
 * in application.properties: its {@code http_server_requests_seconds} would read like these.)
 *
 * <p>Everything here comes off the wire, so every label is bounded:
 * <ul>
 *   <li>{@code http_request_method}: the eight methods of RFC 9110 and PATCH (RFC 5789), case-sensitive; anything
 *       else is {@code _OTHER} (the OTel rule).</li>
 *   <li>{@code http_response_status_code}: the code when it is 100 to 599; {@code "0"} when there was no
 *       response (the collector's status 0: timeout, connection closed); {@code _OTHER} for any other
 *       value (a malformed status line). OTel would leave the label out when there was no response;
 *       the registry wants one set of label names per metric, and "0" is what the collector records.</li>
 *   <li>{@code http_route}: the route template the caller gives (from a spec, or the bounded shadow
 *       inference); {@code _OTHER} when it is null, empty or longer than {@value #MAX_ROUTE_CHARS}
 *       characters, and for every new series once {@code gatelens.metrics.max-series} series exist.
 *       Quotes, backslashes and newlines are escaped by the registry.</li>
 * </ul>
 * So there are at most {@code max-series} series with a route of their own, plus the {@code _OTHER}
 * route's, which are bounded by direction x method x status (2 x 10 x 502).
 *
 * <p>{@link #record} is on the ingest path of every transaction: a known series costs a map lookup on
 * the route and a scan of that route's few series, no allocation; a lock is taken only to create one.
 */
@ApplicationScoped
public class TrafficMetrics {
    public static final String SERVER_DURATION = "http.server.request.duration";
    public static final String CLIENT_DURATION = "http.client.request.duration";
    public static final String OTHER = "_OTHER";
    /** Longer route labels fold into {@link #OTHER}; the collector keeps at most 256 bytes of a path. */
    public static final int MAX_ROUTE_CHARS = 256;
    /** The direction of a transaction this host made (egress); any other value is one it served. */
    public static final int DIRECTION_CALLED = 2;

    /** OTel's recommended boundaries for HTTP durations, in seconds. */
    static final double[] BUCKET_SECONDS = {0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10};
    /** Label values by method index; {@link #methodIndex} gives the index. */
    private static final String[] METHODS = {"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH", OTHER};
    private static final int OTHER_METHOD = METHODS.length - 1;
    /** Status slot for a status outside 100..599 other than 0; slots 0 and 100..599 are the code itself. */
    private static final int OTHER_STATUS = 1;

    private final MeterRegistry registry;
    private final int maxSeries;
    private final Duration[] buckets;
    private final Direction served;
    private final Direction called;
    /** Series with a route of their own; guarded by {@code this} (only creation counts). */
    private int seriesCount;

    public TrafficMetrics(MeterRegistry registry, @ConfigProperty(name = "gatelens.metrics.max-series") int maxSeries) {
        if (maxSeries < 0) {
            throw new IllegalArgumentException("gatelens.metrics.max-series must be >= 0, got " + maxSeries);
        }
        this.registry = registry;
        this.maxSeries = maxSeries;
        this.buckets = new Duration[BUCKET_SECONDS.length];
        for (int i = 0; i < buckets.length; i++) {
            buckets[i] = Duration.ofNanos(Math.round(BUCKET_SECONDS[i] * 1e9));
        }
        this.served = new Direction(SERVER_DURATION, "Duration of HTTP server requests.");
        this.called = new Direction(CLIENT_DURATION, "Duration of HTTP client requests.");
    }

    /**
     * Counts one transaction.
     *
     * @param direction 2: this host called it; 1 (served), 0 (unknown, e.g. offline analysis) or any
     *     other value: this host served it
     * @param routeTemplate the operation's path template ({@code /pets/{petId}}) or a shadow template;
     *     null when there is none
     * @param method the request method as captured
     * @param status the response status; 0 when there was no response
     * @param latencyNs request start to response end; negative values are not recorded (Micrometer drops them)
     */
    public void record(int direction, String routeTemplate, String method, int status, long latencyNs) {
        Direction d = direction == DIRECTION_CALLED ? called : served;
        int key = methodIndex(method) << 10 | statusSlot(status);
        Timer timer = null;
        if (routeTemplate != null) {
            Route route = d.routes.get(routeTemplate);
            if (route != null) {
                timer = route.find(key);
            }
        }
        if (timer == null) {
            timer = create(d, routeTemplate, key);
        }
        timer.record(latencyNs, TimeUnit.NANOSECONDS);
    }

    /** Series with a route of their own so far (the {@code _OTHER} route's are not counted). */
    public synchronized int seriesCount() {
        return seriesCount;
    }

    public int maxSeries() {
        return maxSeries;
    }

    /** The slow path: a series not seen before, or one that folds into the {@code _OTHER} route. */
    private synchronized Timer create(Direction d, String routeTemplate, int key) {
        boolean ownRoute = routeTemplate != null && !routeTemplate.isEmpty() && routeTemplate.length() <= MAX_ROUTE_CHARS
            && !routeTemplate.equals(OTHER);
        if (ownRoute) {
            Route route = d.routes.get(routeTemplate);
            Timer existing = route == null ? null : route.find(key);
            if (existing != null) {
                return existing; // made by another thread meanwhile
            }
            if (seriesCount < maxSeries) {
                if (route == null) {
                    route = new Route();
                    d.routes.put(routeTemplate, route);
                }
                seriesCount++;
                return route.add(key, register(d, routeTemplate, key));
            }
        }
        Timer other = d.other.find(key);
        return other != null ? other : d.other.add(key, register(d, OTHER, key));
    }

    private Timer register(Direction d, String route, int key) {
        int slot = key & 0x3ff;
        String status = slot == OTHER_STATUS ? OTHER : Integer.toString(slot);
        return Timer.builder(d.name)
            .description(d.description)
            .tags("http.route", route, "http.request.method", METHODS[key >>> 10], "http.response.status_code", status)
            .serviceLevelObjectives(buckets)
            .register(registry);
    }

    /** Index into {@link #METHODS}; case-sensitive, as methods are (RFC 9110). */
    static int methodIndex(String method) {
        if (method == null) {
            return OTHER_METHOD;
        }
        switch (method) {
            case "GET": return 0;
            case "HEAD": return 1;
            case "POST": return 2;
            case "PUT": return 3;
            case "DELETE": return 4;
            case "CONNECT": return 5;
            case "OPTIONS": return 6;
            case "TRACE": return 7;
            case "PATCH": return 8;
            default: return OTHER_METHOD;
        }
    }

    /** The status code for 0 and 100..599, else {@link #OTHER_STATUS}; fits in 10 bits. */
    static int statusSlot(int status) {
        return status == 0 || status >= 100 && status <= 599 ? status : OTHER_STATUS;
    }

    /** One metric (served or called): its routes and its {@code _OTHER} route. */
    private static final class Direction {
        final String name;
        final String description;
        final ConcurrentHashMap<String, Route> routes = new ConcurrentHashMap<>();
        final Route other = new Route();

        Direction(String name, String description) {
            this.name = name;
            this.description = description;
        }
    }

    /**
     * The series of one route, keyed by method index and status slot ({@code method << 10 | slot}).
     * A route has a handful (a few methods times a few statuses), so a scan of an int array beats a
     * map and allocates nothing. The arrays are replaced together when a series is added (under the
     * outer lock), so a reader always sees a matching pair.
     */
    private static final class Route {
        private record Table(int[] keys, Timer[] timers) {
        }

        private volatile Table table = new Table(new int[0], new Timer[0]);

        Timer find(int key) {
            Table t = table;
            int[] keys = t.keys;
            for (int i = 0; i < keys.length; i++) {
                if (keys[i] == key) {
                    return t.timers[i];
                }
            }
            return null;
        }

        Timer add(int key, Timer timer) {
            Table t = table;
            int n = t.keys.length;
            int[] keys = Arrays.copyOf(t.keys, n + 1);
            keys[n] = key;
            Timer[] timers = Arrays.copyOf(t.timers, n + 1);
            timers[n] = timer;
            table = new Table(keys, timers);
            return timer;
        }
    }
}
