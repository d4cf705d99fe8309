package io.gatelens.analytics.api;

import io.gatelens.analytics.catalog.EndpointRef;
import io.gatelens.analytics.catalog.SpecCatalog;
import io.gatelens.analytics.spec.ServerBinding;
import io.gatelens.analytics.spec.SpecException;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.multipart.FileUpload;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Upload, list, fetch, replace, rebind and delete OpenAPI specs. */
@Path("/api/specs")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "specs")
public class SpecResource {
    private static final String[] RAW_TYPES = {"application/yaml", "application/x-yaml", "text/yaml",
        "application/json", "text/plain", "application/octet-stream"};

    @Inject
    SpecCatalog catalog;

    /** What the API says of a spec. */
    public record SpecSummary(String name, int version, String title, String apiVersion, String specVersion,
                              String source, Instant uploadedAt, int operations, boolean serversOverridden,
                              List<Binding> servers, List<String> messages) {
    }

    /** Where a spec is served: host (null: bound to no host) and base path. */
    public record Binding(String url, String host, String basePath) {
    }

    public record SpecOperation(int endpointId, String method, String path, String operationId, String summary,
                                List<io.gatelens.analytics.spec.Parameter> parameters) {
    }

    public record SpecDetail(SpecSummary spec, List<SpecOperation> operations) {
    }

    @GET
    @Operation(summary = "Every spec, with the hosts and base paths it is bound to")
    public List<SpecSummary> list() {
        return catalog.list().stream().map(this::summary).toList();
    }

    @GET
    @Path("/{name}")
    @Operation(summary = "One spec and its operations (with the endpoint ids their statistics are under)")
    public SpecDetail get(@PathParam("name") String name) {
        SpecCatalog.Entry e = entry(name);
        Map<String, List<io.gatelens.analytics.spec.Parameter>> parameters = new HashMap<>();
        for (io.gatelens.analytics.spec.Operation op : e.spec().operations()) {
            parameters.putIfAbsent(op.method() + " " + op.pathTemplate(), op.parameters());
        }
        List<SpecOperation> ops = new ArrayList<>();
        for (EndpointRef ref : catalog.routes().operations()) {
            if (ref.spec().equals(e.name())) {
                ops.add(new SpecOperation(ref.id(), ref.method(), ref.template(), ref.operationId(), ref.summary(),
                    parameters.getOrDefault(ref.method() + " " + ref.template(), List.of())));
            }
        }
        return new SpecDetail(summary(e), ops);
    }

    @GET
    @Path("/{name}/content")
    @Produces({"application/yaml", MediaType.APPLICATION_JSON})
    @Operation(summary = "The spec as uploaded")
    public Response content(@PathParam("name") String name) {
        byte[] content = catalog.content(name).orElseThrow(() -> new NotFoundException(
            ApiErrorMappers.error(404, "no spec named " + name, List.of())));
        String type = looksLikeJson(content) ? MediaType.APPLICATION_JSON : "application/yaml";
        return Response.ok(content, type).build();
    }

    @POST
    @Consumes({"application/yaml", "application/x-yaml", "text/yaml", MediaType.APPLICATION_JSON,
        MediaType.TEXT_PLAIN, MediaType.APPLICATION_OCTET_STREAM})
    @Operation(summary = "Add a spec from a raw YAML/JSON body, or replace the spec of that name with a new version")
    public Response upload(@QueryParam("name") @Parameter(description = "defaults to the spec's title") String name,
                           @QueryParam("server") @Parameter(description = "bind to these server URLs instead of the spec's (repeatable)") List<String> servers,
                           byte[] body) throws SpecException {
        return store(name, servers, body, null);
    }

    @POST
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Operation(summary = "Add or replace a spec from a multipart upload (field 'file'; optional 'name' and 'server')")
    public Response uploadForm(@RestForm("file") FileUpload file, @RestForm("name") String name,
                               @RestForm("server") List<String> servers) throws SpecException, IOException {
        if (file == null) {
            throw new BadParameterException("a multipart upload needs a part named 'file'");
        }
        byte[] body = Files.readAllBytes(file.uploadedFile());
        return store(name, servers, body, file.fileName());
    }

    @PUT
    @Path("/{name}")
    @Consumes({"application/yaml", "application/x-yaml", "text/yaml", MediaType.APPLICATION_JSON,
        MediaType.TEXT_PLAIN, MediaType.APPLICATION_OCTET_STREAM})
    @Operation(summary = "Replace (or add) the spec of this name; its statistics keep flowing")
    public Response replace(@PathParam("name") String name, @QueryParam("server") List<String> servers,
                            byte[] body) throws SpecException {
        return store(name, servers, body, null);
    }

    @PUT
    @Path("/{name}/servers")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Bind the spec to other server URLs (a gateway that rewrites hosts); [] restores its own")
    public SpecSummary rebind(@PathParam("name") String name, List<String> servers) throws SpecException {
        return summary(catalog.rebind(name, servers == null ? List.of() : servers)
            .orElseThrow(() -> notFound(name)));
    }

    @DELETE
    @Path("/{name}")
    @Operation(summary = "Delete a spec; the statistics of its operations stay")
    public Response delete(@PathParam("name") String name) {
        if (!catalog.delete(name)) {
            throw notFound(name);
        }
        return Response.noContent().build();
    }

    private Response store(String name, List<String> servers, byte[] body, String fileName) throws SpecException {
        if (body == null || body.length == 0) {
            throw new BadParameterException("the request has no spec in its body");
        }
        List<String> urls = servers == null ? List.of() : servers.stream().filter(s -> !s.isBlank()).toList();
        String resolved = name != null && !name.isBlank() ? name.trim() : nameFromFile(fileName);
        SpecCatalog.Entry entry = catalog.put(resolved, body, urls, "upload");
        return Response.status(entry.record().version() == 1 ? 201 : 200)
            .location(URI.create("/api/specs/" + entry.name()))
            .entity(summary(entry)).build();
    }

    private SpecSummary summary(SpecCatalog.Entry e) {
        List<Binding> bindings = new ArrayList<>();
        for (ServerBinding b : catalog.routes().bindings(e.name())) {
            bindings.add(new Binding(b.url(), b.host(), b.basePath()));
        }
        // the parser's messages, then what the route table could not take of this spec
        List<String> messages = new ArrayList<>(e.spec().messages());
        messages.addAll(catalog.routes().warningsFor(e.name()));
        return new SpecSummary(e.name(), e.record().version(), e.spec().title(), e.spec().version(),
            e.spec().specVersion(), e.record().source(), e.record().uploadedAt(), e.spec().operations().size(),
            !e.record().serversOverride().isEmpty(), bindings, messages);
    }

    private SpecCatalog.Entry entry(String name) {
        return catalog.get(name).orElseThrow(() -> notFound(name));
    }

    private static NotFoundException notFound(String name) {
        return new NotFoundException(ApiErrorMappers.error(404, "no spec named '" + TimeRange.shorten(name) + "'",
            List.of()));
    }

    private static String nameFromFile(String fileName) {
        if (fileName == null || fileName.isBlank()) {
            return null;
        }
        String base = fileName.replaceAll(".*[/\\\\]", "");
        int dot = base.lastIndexOf('.');
        String stem = dot > 0 ? base.substring(0, dot) : base;
        return stem.replaceAll("[^A-Za-z0-9._-]+", "-").replaceAll("^[-._]+", "");
    }

    private static boolean looksLikeJson(byte[] content) {
        for (byte b : content) {
            if (!Character.isWhitespace(b)) {
                return b == '{';
            }
        }
        return false;
    }
}
