package io.gatelens.analytics.api;

import io.gatelens.analytics.catalog.EndpointRef;
import io.gatelens.analytics.catalog.RouteTable;
import io.gatelens.analytics.catalog.SpecCatalog;
import io.gatelens.analytics.route.Match;
import io.gatelens.analytics.route.ShadowTemplates;
import io.gatelens.analytics.spec.ServerBinding;
import io.gatelens.analytics.store.EndpointFigures;
import io.gatelens.analytics.store.EndpointInfo;
import io.gatelens.analytics.store.EndpointKey;
import io.gatelens.analytics.store.Figures;
import io.gatelens.analytics.store.SeriesPoint;
import io.gatelens.analytics.store.StatsStore;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Per-endpoint figures: operations, shadow endpoints, zombies, and series for charts. */
@Path("/api")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "endpoints")
public class EndpointResource {
    static final int MAX_POINTS = 2_000;
    private static final String TIME_DOC = "ISO-8601 instant, epoch ms, 'now' or 'now-15m' (s, m, h, d)";

    @Inject
    StatsStore store;
    @Inject
    SpecCatalog catalog;
    @Inject
    Clock clock;

    public record EndpointList(Instant from, Instant to, List<EndpointView.Row> endpoints) {
    }

    public record Series(EndpointView.Row endpoint, Instant from, Instant to, long stepSeconds,
                         List<EndpointView.Point> points) {
    }

    /** A shadow or zombie endpoint and why it is listed. */
    public record ListedEndpoint(EndpointView.Row endpoint, String method, String path, String why) {
    }

    public record ListedEndpoints(Instant from, Instant to, List<ListedEndpoint> endpoints) {
    }

    @GET
    @Path("/endpoints")
    @Operation(summary = "One row per operation and shadow endpoint: calls, calls/s, error rates, latency percentiles",
        description = "Every operation of the current specs (zero calls included) and every endpoint with traffic in the range.")
    public EndpointList endpoints(@QueryParam("from") @Parameter(description = TIME_DOC + "; default to - 1h") String from,
                                  @QueryParam("to") @Parameter(description = TIME_DOC + "; default now") String to,
                                  @QueryParam("spec") @Parameter(description = "only this spec's operations") String spec,
                                  @QueryParam("host") @Parameter(description = "only traffic to this host") String host) {
        TimeRange range = TimeRange.parse(from, to, clock);
        String hostFilter = host == null || host.isBlank() ? null : host.trim().toLowerCase(java.util.Locale.ROOT);
        RouteTable routes = catalog.routes();
        Map<Integer, Figures> figures = new HashMap<>();
        for (EndpointFigures f : store.endpointFigures(range.from(), range.to(), hostFilter)) {
            figures.put(f.endpointId(), f.figures());
        }
        List<EndpointView.Row> rows = new ArrayList<>();
        Set<Integer> listed = new HashSet<>();
        for (EndpointRef op : routes.operations()) {
            if ((spec != null && !spec.equals(op.spec())) || !listed.add(op.id())) {
                continue;
            }
            if (hostFilter != null && !servesHost(routes, op.spec(), hostFilter) && !figures.containsKey(op.id())) {
                continue;
            }
            rows.add(EndpointView.row(op.id(), "operation", op.spec(), op.method(), op.template(), op.operationId(),
                op.summary(), null, figures.getOrDefault(op.id(), Figures.NONE), range.length()));
        }
        if (!figures.keySet().stream().allMatch(listed::contains)) {
            Map<Integer, EndpointInfo> infos = infos();
            for (Map.Entry<Integer, Figures> e : figures.entrySet()) {
                EndpointInfo info = infos.get(e.getKey());
                if (listed.contains(e.getKey()) || info == null || (spec != null && !spec.equals(info.key().spec()))) {
                    continue;
                }
                rows.add(row(info, e.getValue(), range.length(), routes));
            }
        }
        rows.sort(Comparator.comparingLong(EndpointView.Row::calls).reversed()
            .thenComparing(EndpointView.Row::path).thenComparing(EndpointView.Row::method));
        return new EndpointList(range.from(), range.to(), rows);
    }

    @GET
    @Path("/endpoints/{id}/series")
    @Operation(summary = "The figures of one endpoint per step, for charts (empty steps included)")
    public Series series(@PathParam("id") @Parameter(description = "the endpoint's id, from GET /api/endpoints") String idText,
                         @QueryParam("from") @Parameter(description = TIME_DOC) String from,
                         @QueryParam("to") @Parameter(description = TIME_DOC) String to,
                         @QueryParam("step") @Parameter(description = "60s, 5m, 1h...; default: about 120 points") String step,
                         @QueryParam("host") String host) {
        TimeRange range = TimeRange.parse(from, to, clock);
        Duration s = TimeRange.step(step, range, MAX_POINTS);
        // taken as text: an int parameter that does not parse is a 404 with no body from the framework
        int id = endpointId(idText);
        EndpointInfo info = id < 0 ? null : infos().get(id);
        if (info == null) {
            throw new NotFoundException(ApiErrorMappers.error(404, "no endpoint with id " + idText, List.of()));
        }
        String hostFilter = host == null || host.isBlank() ? null : host.trim().toLowerCase(java.util.Locale.ROOT);
        Figures total = Figures.NONE;
        for (EndpointFigures f : store.endpointFigures(range.from(), range.to(), hostFilter)) {
            if (f.endpointId() == id) {
                total = f.figures();
            }
        }
        List<EndpointView.Point> points = new ArrayList<>();
        for (SeriesPoint p : store.series(id, range.from(), range.to(), s, hostFilter)) {
            points.add(EndpointView.point(p.start().toString(), p.figures(), s));
        }
        return new Series(row(info, total, range.length(), catalog.routes()), range.from(), range.to(),
            s.toSeconds(), points);
    }

    /** The id as a non-negative int; -1 when it is not one (no endpoint has it). */
    static int endpointId(String text) {
        if (text == null || text.isEmpty() || text.length() > 10) {
            return -1;
        }
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) < '0' || text.charAt(i) > '9') {
                return -1;
            }
        }
        long v = Long.parseLong(text);
        return v > Integer.MAX_VALUE ? -1 : (int) v;
    }

    /** All endpoints together over the range and per step. */
    public record Overview(Instant from, Instant to, long stepSeconds, EndpointView.Point total,
                           List<EndpointView.Point> points) {
    }

    /** Calls and p95 latency (ms, null for a step without a measured latency) per step of one endpoint. */
    public record Sparkline(long[] calls, Double[] p95Ms) {
    }

    public record Sparklines(Instant from, Instant to, long stepSeconds, Map<Integer, Sparkline> series) {
    }

    static final int MAX_SPARKLINE_POINTS = 120;

    @GET
    @Path("/overview")
    @Operation(summary = "All endpoints together: calls, calls/s, error rates and latency over the range and per step")
    public Overview overview(@QueryParam("from") @Parameter(description = TIME_DOC + "; default to - 1h") String from,
                             @QueryParam("to") @Parameter(description = TIME_DOC + "; default now") String to,
                             @QueryParam("step") @Parameter(description = "60s, 5m, 1h...; default: about 120 points") String step,
                             @QueryParam("host") @Parameter(description = "only traffic to this host") String host) {
        TimeRange range = TimeRange.parse(from, to, clock);
        Duration s = TimeRange.step(step, range, MAX_POINTS);
        String hostFilter = hostFilter(host);
        List<EndpointView.Point> points = new ArrayList<>();
        Figures total = Figures.NONE;
        List<SeriesPoint> steps = store.seriesOfAll(range.from(), range.to(), s, hostFilter);
        for (SeriesPoint p : steps) {
            points.add(EndpointView.point(p.start().toString(), p.figures(), s));
        }
        // the range's figures merged from the same rows (sketches merge; percentiles are not averaged)
        List<SeriesPoint> whole = store.seriesOfAll(range.from(), range.to(), wholeRangeStep(range), hostFilter);
        if (!whole.isEmpty()) {
            total = whole.get(0).figures();
        }
        return new Overview(range.from(), range.to(), s.toSeconds(),
            EndpointView.point(range.from().toString(), total, range.length()), points);
    }

    @GET
    @Path("/endpoints/sparklines")
    @Operation(summary = "Calls and p95 latency per step of every endpoint with traffic in the range (table sparklines)")
    public Sparklines sparklines(@QueryParam("from") @Parameter(description = TIME_DOC + "; default to - 1h") String from,
                                 @QueryParam("to") @Parameter(description = TIME_DOC + "; default now") String to,
                                 @QueryParam("points") @Parameter(description = "steps, 1.." + MAX_SPARKLINE_POINTS + "; default 24") Integer points,
                                 @QueryParam("host") @Parameter(description = "only traffic to this host") String host) {
        TimeRange range = TimeRange.parse(from, to, clock);
        int n = points == null ? 24 : points;
        if (n < 1 || n > MAX_SPARKLINE_POINTS) {
            throw new BadParameterException("points must be 1.." + MAX_SPARKLINE_POINTS + ", not " + n);
        }
        long minutes = Math.max(1, (range.length().toMinutes() + n - 1) / n);
        Duration s = Duration.ofMinutes(minutes);
        Map<Integer, Sparkline> series = new java.util.TreeMap<>();
        store.seriesByEndpoint(range.from(), range.to(), s, hostFilter(host)).forEach((id, steps) -> {
            long[] calls = new long[steps.size()];
            Double[] p95 = new Double[steps.size()];
            for (int k = 0; k < steps.size(); k++) {
                Figures f = steps.get(k).figures();
                calls[k] = f.calls();
                p95[k] = f.latency() == null || f.latency().samples() == 0 ? null : Math.round(f.latency().p95Ns() / 100.0) / 10_000.0;
            }
            series.put(id, new Sparkline(calls, p95));
        });
        return new Sparklines(range.from(), range.to(), s.toSeconds(), series);
    }

    /** One step that covers the whole range, in whole minutes. */
    private static Duration wholeRangeStep(TimeRange range) {
        return Duration.ofMinutes(Math.max(1, (range.length().toSeconds() + 59) / 60));
    }

    private static String hostFilter(String host) {
        return host == null || host.isBlank() ? null : host.trim().toLowerCase(java.util.Locale.ROOT);
    }

    @GET
    @Path("/shadow-endpoints")
    @Operation(summary = "Traffic that matches no operation of any spec, by inferred template, and why")
    public ListedEndpoints shadowEndpoints(@QueryParam("from") String from, @QueryParam("to") String to) {
        TimeRange range = TimeRange.parse(from, to, clock);
        RouteTable routes = catalog.routes();
        Map<Integer, EndpointInfo> infos = infos();
        List<ListedEndpoint> out = new ArrayList<>();
        for (EndpointFigures f : store.endpointFigures(range.from(), range.to(), null)) {
            EndpointInfo info = infos.get(f.endpointId());
            if (info == null || info.key().kind() != EndpointKey.Kind.SHADOW || f.figures().calls() == 0) {
                continue;
            }
            EndpointView.Row row = row(info, f.figures(), range.length(), routes);
            out.add(new ListedEndpoint(row, row.method(), row.path(), row.summary()));
        }
        out.sort(Comparator.comparingLong((ListedEndpoint l) -> l.endpoint().calls()).reversed()
            .thenComparing(ListedEndpoint::path));
        return new ListedEndpoints(range.from(), range.to(), out);
    }

    @GET
    @Path("/zombie-endpoints")
    @Operation(summary = "Documented operations that received no traffic in the range")
    public ListedEndpoints zombieEndpoints(@QueryParam("from") String from, @QueryParam("to") String to,
                                           @QueryParam("spec") String spec) {
        TimeRange range = TimeRange.parse(from, to, clock);
        Set<Integer> active = store.endpointsWithTraffic(range.from(), range.to());
        List<ListedEndpoint> out = new ArrayList<>();
        Set<Integer> seen = new HashSet<>();
        for (EndpointRef op : catalog.routes().operations()) {
            if (active.contains(op.id()) || (spec != null && !spec.equals(op.spec())) || !seen.add(op.id())) {
                continue;
            }
            EndpointView.Row row = EndpointView.row(op.id(), "operation", op.spec(), op.method(), op.template(),
                op.operationId(), op.summary(), null, Figures.NONE, range.length());
            out.add(new ListedEndpoint(row, op.method(), op.template(), "documented in spec " + op.spec()
                + ", no call captured between " + range.from() + " and " + range.to()));
        }
        return new ListedEndpoints(range.from(), range.to(), out);
    }

    private Map<Integer, EndpointInfo> infos() {
        Map<Integer, EndpointInfo> byId = new HashMap<>();
        for (EndpointInfo info : store.endpoints()) {
            byId.put(info.id(), info);
        }
        return byId;
    }

    private static EndpointView.Row row(EndpointInfo info, Figures f, Duration range, RouteTable routes) {
        EndpointKey k = info.key();
        if (k.kind() == EndpointKey.Kind.OPERATION) {
            EndpointRef current = routes.operation(info.id());
            String summary = current != null ? current.summary()
                : "no longer in spec " + k.spec() + " (deleted or replaced by a version without it)";
            return EndpointView.row(info.id(), "operation", k.spec(), k.method(), k.template(), k.operationId(),
                summary, null, f, range);
        }
        return EndpointView.row(info.id(), "shadow", null, k.method(), k.template(), null,
            whyShadow(k, routes), k.host(), f, range);
    }

    /** Why traffic is a shadow endpoint, judged against the specs as they are now. */
    static String whyShadow(EndpointKey k, RouteTable routes) {
        if (k.template().equals(ShadowTemplates.OVERFLOW)) {
            return "counts the paths past the bound of shadow templates (too many distinct paths, or too deep)";
        }
        String host = k.host() == null || k.host().isEmpty() || k.host().startsWith("{") ? null : k.host();
        Match<EndpointRef> m = routes.find(host, k.method(), k.template());
        if (m != null && m.isMethodNotAllowed()) {
            return "the path is documented for " + String.join(", ", m.allowedMethods()) + " only, not " + k.method();
        }
        if (m != null) {
            return "matches " + m.payload().spec() + " " + m.payload() + " now: the spec was added or changed after this traffic";
        }
        return "no operation of any spec matches " + k.method() + " " + k.template()
            + (host == null ? "" : " on " + host);
    }

    private static boolean servesHost(RouteTable routes, String spec, String host) {
        for (ServerBinding b : routes.bindings(spec)) {
            if (b.host() == null || b.host().equals(host)) {
                return true;
            }
        }
        return false;
    }
}
