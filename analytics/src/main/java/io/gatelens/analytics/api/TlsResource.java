package io.gatelens.analytics.api;

import io.gatelens.analytics.catalog.RouteTable;
import io.gatelens.analytics.catalog.SpecCatalog;
import io.gatelens.analytics.store.StatsStore;
import io.gatelens.analytics.store.TlsFrontCounts;
import io.gatelens.analytics.store.TlsPoint;
import io.gatelens.analytics.tls.TlsCounts;
import io.gatelens.analytics.tls.TlsFront;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
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
import java.util.List;

/** TLS handshakes per front (SNI, or server address without SNI): versions, ALPN, ciphers, JA4, handshake times. */
@Path("/api/tls")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "tls")
public class TlsResource {
    static final int MAX_POINTS = EndpointResource.MAX_POINTS;
    static final int MAX_JA4 = 1_000;
    private static final String TIME_DOC = "ISO-8601 instant, epoch ms, 'now' or 'now-15m' (s, m, h, d)";
    private static final String KIND_DOC = "what the name is: sni (default), address (a server without SNI, as "
        + "10.0.0.1:443 or [::1]:443) or other (the fronts past the per-minute bound, name {other-fronts})";

    @Inject
    StatsStore store;
    @Inject
    SpecCatalog catalog;
    @Inject
    Clock clock;

    public record FrontList(Instant from, Instant to, List<TlsView.Row> fronts) {
    }

    /**
     * @param offered each version offered; shares of all handshakes
     * @param ja4     fingerprints, most frequent first, up to the limit; shares of the fingerprinted
     *               handshakes; counts past each stored row's 32 kept ones are in {@code other}
     */
    public record FrontDetail(TlsView.Row front, Instant from, Instant to, long stepSeconds, List<TlsView.Point> points,
                              TlsView.Mix offered, TlsView.Mix ja4) {
    }

    @GET
    @Operation(summary = "One row per TLS front (SNI, or server address without SNI): handshakes, versions, legacy share, ALPN, "
        + "top ciphers, handshake time, failures, the specs it serves",
        description = "Fronts with handshakes in the range, most handshakes first. Versions: negotiated (highest offered in "
            + "offeredMax, GREASE excluded); legacy = TLS 1.1 or older. Handshake time: ClientHello to ServerHello, percentiles "
            + "merged from DDSketch bins (1 % relative accuracy).")
    public FrontList fronts(@QueryParam("from") @Parameter(description = TIME_DOC + "; default to - 1h") String from,
                            @QueryParam("to") @Parameter(description = TIME_DOC + "; default now") String to,
                            @QueryParam("spec") @Parameter(description = "only the fronts serving this spec's hosts") String spec) {
        TimeRange range = TimeRange.parse(from, to, clock);
        RouteTable routes = catalog.routes();
        List<TlsView.Row> rows = new ArrayList<>();
        for (TlsFrontCounts f : store.tlsFronts(range.from(), range.to())) {
            List<String> specs = routes.specsServing(f.front().host());
            if (spec == null || spec.isBlank() || specs.contains(spec)) {
                rows.add(TlsView.row(f.front(), f.counts(), range.length(), specs, TlsView.ROW_CIPHERS));
            }
        }
        rows.sort(Comparator.comparingLong(TlsView.Row::handshakes).reversed().thenComparing(TlsView.Row::kind)
            .thenComparing(TlsView.Row::name));
        return new FrontList(range.from(), range.to(), rows);
    }

    @GET
    @Path("/{name}")
    @Operation(summary = "One TLS front: its figures over the range, a series per step (versions, handshake time), "
        + "the JA4, ALPN and cipher tables",
        description = "A front without handshakes in the range answers with zeros. The name as the list gives it, URL-encoded.")
    public FrontDetail front(@PathParam("name") @Parameter(description = "SNI (any case) or address:port") String name,
                             @QueryParam("kind") @Parameter(description = KIND_DOC) String kind,
                             @QueryParam("from") @Parameter(description = TIME_DOC + "; default to - 1h") String from,
                             @QueryParam("to") @Parameter(description = TIME_DOC + "; default now") String to,
                             @QueryParam("step") @Parameter(description = "60s, 5m, 1h...; default: about 120 points") String step,
                             @QueryParam("ja4") @Parameter(description = "JA4 rows, 1.." + MAX_JA4 + "; default 100") Integer ja4Limit) {
        TimeRange range = TimeRange.parse(from, to, clock);
        Duration s = TimeRange.step(step, range, MAX_POINTS);
        int limit = ja4Limit == null ? 100 : ja4Limit;
        if (limit < 1 || limit > MAX_JA4) {
            throw new BadParameterException("ja4 must be 1.." + MAX_JA4 + ", not " + limit);
        }
        TlsFront front = front(name, kind);
        TlsCounts total = store.tlsFront(front, range.from(), range.to());
        List<TlsView.Point> points = new ArrayList<>();
        for (TlsPoint p : store.tlsSeries(front, range.from(), range.to(), s)) {
            points.add(TlsView.point(p.start().toString(), p.counts(), s));
        }
        TlsView.Row row = TlsView.row(front, total, range.length(), catalog.routes().specsServing(front.host()), Integer.MAX_VALUE);
        return new FrontDetail(row, range.from(), range.to(), s.toSeconds(), points, TlsView.offered(total),
            TlsView.strings(total.ja4(), total.ja4().total(), limit));
    }

    private static TlsFront front(String name, String kind) {
        if (name == null || name.isEmpty()) {
            throw new BadParameterException("a front name is required");
        }
        if (name.length() > TlsFront.MAX_NAME_CHARS) {
            throw new BadParameterException("a front name has at most " + TlsFront.MAX_NAME_CHARS + " characters, not " + name.length());
        }
        TlsFront.Kind k;
        try {
            k = kind == null || kind.isBlank() ? TlsFront.Kind.SNI : TlsFront.Kind.of(kind.trim());
        } catch (IllegalArgumentException e) {
            throw new BadParameterException(e.getMessage());
        }
        return switch (k) {
            case SNI -> TlsFront.sni(name);
            case ADDRESS -> new TlsFront(TlsFront.Kind.ADDRESS, name.trim().toLowerCase(java.util.Locale.ROOT));
            case OTHER -> TlsFront.OTHER;
        };
    }
}
