package io.gatelens.analytics.spec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.swagger.parser.Swagger20Parser;
import io.swagger.parser.util.SwaggerDeserializationResult;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.Paths;
import io.swagger.v3.oas.models.servers.Server;
import io.swagger.v3.oas.models.servers.ServerVariable;
import io.swagger.v3.parser.converter.SwaggerConverter;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import io.swagger.v3.parser.util.OpenAPIDeserializer;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.representer.Representer;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * Reads an uploaded spec (YAML or JSON; Swagger 2.0, OpenAPI 3.0 or 3.1) into an {@link ApiSpec}.
 *
 * <p>How, and why this way:
 * <ol>
 *   <li>The size limit is checked on the bytes, before anything is parsed.</li>
 *   <li>The document is read into a tree here, not by swagger-parser: its YAML reader caps documents
 *       at 3 MiB of code points by default (a global setting; Stripe's spec is 4 MB), and its
 *       {@code readContents} entry points can fetch. SnakeYAML reads with the loader's own limits;
 *       aliases are kept shared and their expanded size is counted, so a "billion laughs" document is
 *       refused instead of expanded.</li>
 *   <li>swagger-parser's deserializers turn the tree into its model ({@code OpenAPIDeserializer} for
 *       3.x; {@code Swagger20Parser} and {@code SwaggerConverter} for 2.0). Reference resolution is
 *       never run, so nothing is ever fetched: no remote {@code $ref} (http, https, file or a relative
 *       file) can make this process open a connection or read a file (server-side request forgery).
 *       Routing needs only paths, operations and servers; the one reference it follows, a path item's
 *       {@code $ref} into the same document, is resolved here. Every {@code $ref} that points outside
 *       the upload is reported in {@link ApiSpec#messages()}.</li>
 * </ol>
 *
 * <p>Thread-safe; one instance can serve every upload.
 */
public final class SpecLoader {
    /** 25 MiB. */
    public static final long DEFAULT_MAX_BYTES = 25L * 1024 * 1024;
    /** Nodes of a YAML document with every alias expanded: bounds what the deserializer walks. */
    static final long MAX_YAML_NODES = 5_000_000;
    static final int MAX_YAML_DEPTH = 1_000;
    /** Server variables with enums: more combinations than this and only the defaults are bound. */
    static final int MAX_SERVER_URLS = 32;
    static final int MAX_MESSAGES = 50;
    static final int MAX_LISTED_REMOTE_REFS = 10;

    private static final ObjectMapper JSON = new ObjectMapper()
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final Pattern SERVER_VARIABLE = Pattern.compile("\\{([^{}]*)}");

    /**
     * Heap a parse takes per byte of upload, measured on a generated 23.7 MB spec (the tree, then
     * swagger-parser's model; -XX:+UseSerialGC): as YAML (12,800 operations) it ran out of memory
     * with -Xmx352m and passed with -Xmx384m (SnakeYAML's objects and the tree they become are live
     * at once); as JSON (16,000 operations) it failed with -Xmx160m and passed with -Xmx192m.
     */
    static final int YAML_HEAP_PER_BYTE = 15;
    static final int JSON_HEAP_PER_BYTE = 8;

    private final long maxBytes;
    private final java.util.function.LongUnaryOperator freeHeap;

    public SpecLoader() {
        this(DEFAULT_MAX_BYTES);
    }

    /** @param maxBytes the largest upload accepted, in bytes */
    public SpecLoader(long maxBytes) {
        this(maxBytes, SpecLoader::freeHeap);
    }

    /**
     * @param maxBytes the largest upload accepted, in bytes
     * @param freeHeap given the heap a parse needs, the heap it may take: an upload that needs more is
     *     refused before parsing, with a message that says so, instead of running the JVM out of
     *     memory (which could fail other work, the ingest, at that moment)
     */
    SpecLoader(long maxBytes, java.util.function.LongUnaryOperator freeHeap) {
        if (maxBytes < 1) {
            throw new IllegalArgumentException("maxBytes must be positive, got " + maxBytes);
        }
        this.maxBytes = maxBytes;
        this.freeHeap = freeHeap;
    }

    /**
     * The heap free for a parse, an eighth of the maximum kept back for the rest of the service.
     * Garbage counts as used until it is collected, so when too little looks free the heap is
     * collected once before the answer (a full collection: only for a spec near the size limit, or
     * a heap already full of specs).
     */
    static long freeHeap(long needed) {
        Runtime rt = Runtime.getRuntime();
        long reserve = rt.maxMemory() / 8;
        long free = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory()) - reserve;
        if (free < needed) {
            System.gc();
            free = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory()) - reserve;
        }
        return Math.max(0, free);
    }

    public long maxBytes() {
        return maxBytes;
    }

    /** Reads a spec file; its size is checked before it is read. */
    public ApiSpec load(Path file) throws SpecException, IOException {
        checkSize(Files.size(file));
        return load(Files.readAllBytes(file));
    }

    /** Reads an upload stream; no more than the limit plus one byte is ever buffered. */
    public ApiSpec load(InputStream in) throws SpecException, IOException {
        byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
        checkSize(bytes.length + (bytes.length > maxBytes ? in.available() : 0L));
        return load(bytes);
    }

    /** Reads an upload. */
    public ApiSpec load(byte[] upload) throws SpecException {
        return load(upload, true);
    }

    /**
     * A spec accepted before (stored), loaded at start: without the heap check, which could turn
     * away, on a heap still full of the specs loaded before it, a spec the service once took.
     */
    public ApiSpec loadAccepted(byte[] content) throws SpecException {
        return load(content, false);
    }

    private ApiSpec load(byte[] upload, boolean checkHeap) throws SpecException {
        checkSize(upload.length);
        JsonNode root = readTree(upload, checkHeap);
        if (!root.isObject()) {
            throw new SpecException("not an OpenAPI document: the top level is " + kind(root)
                + ", expected a mapping with an 'openapi' or 'swagger' field");
        }
        List<String> notes = new ArrayList<>();
        remoteRefs(root, notes);
        JsonNode openapi = root.get("openapi");
        JsonNode swagger = root.get("swagger");
        if (openapi != null && openapi.isValueNode() && openapi.asText().startsWith("3.")) {
            return fromOpenApi3(root, openapi.asText(), notes);
        }
        if (swagger != null && swagger.isValueNode() && swagger.asText().equals("2.0")) {
            return fromSwagger2(root, notes);
        }
        if (openapi != null || swagger != null) {
            throw new SpecException("unsupported version: " + (openapi != null ? "openapi: " + openapi : "swagger: " + swagger)
                + "; supported are OpenAPI 3.0 and 3.1 and Swagger 2.0");
        }
        throw new SpecException("not an OpenAPI document: no 'openapi: 3.x' or 'swagger: \"2.0\"' field at the top level");
    }

    private void checkSize(long size) throws SpecException {
        if (size > maxBytes) {
            throw new SpecException("spec too large: " + size + " bytes, the limit is " + maxBytes
                + " bytes (" + humanBytes(maxBytes) + "); split the spec or raise the limit");
        }
        if (size == 0) {
            throw new SpecException("empty upload: expected an OpenAPI document in YAML or JSON");
        }
    }

    // ---------------------------------------------------------------- reading the tree

    private void checkHeap(long size, boolean json) throws SpecException {
        long need = size * (json ? JSON_HEAP_PER_BYTE : YAML_HEAP_PER_BYTE);
        long free = freeHeap.applyAsLong(need);
        if (need > free) {
            throw new SpecException("spec too large for this service's memory: parsing " + mib(size) + " of "
                + (json ? "JSON" : "YAML") + " takes about " + mib(need) + " of heap, " + mib(free) + " is free of the service's "
                + mib(Runtime.getRuntime().maxMemory()) + " (the specs already loaded hold the rest)"
                + (json ? "" : "; the same spec as JSON takes about half")
                + "; split the spec, delete specs, or raise -Xmx (scripts/service-java-opts)");
        }
    }

    private JsonNode readTree(byte[] bytes, boolean checkHeap) throws SpecException {
        int start = 0;
        if (bytes.length >= 3 && (bytes[0] & 0xff) == 0xEF && (bytes[1] & 0xff) == 0xBB && (bytes[2] & 0xff) == 0xBF) {
            start = 3; // UTF-8 byte order mark
        }
        int first = start;
        while (first < bytes.length && (bytes[first] == ' ' || bytes[first] == '\t' || bytes[first] == '\r' || bytes[first] == '\n')) {
            first++;
        }
        if (first == bytes.length) {
            throw new SpecException("empty upload: expected an OpenAPI document in YAML or JSON");
        }
        if (checkHeap) {
            checkHeap(bytes.length, bytes[first] == '{');
        }
        if (bytes[first] == '{') {
            try {
                return JSON.readTree(bytes, start, bytes.length - start);
            } catch (JsonProcessingException e) {
                throw new SpecException("invalid JSON", List.of(e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")")));
            } catch (IOException e) {
                throw new SpecException("invalid JSON", List.of(String.valueOf(e.getMessage())));
            }
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes, start, bytes.length - start))
                .toString();
        } catch (CharacterCodingException e) {
            throw new SpecException("not UTF-8 text: YAML and JSON uploads must be UTF-8");
        }
        Object doc;
        try {
            doc = yaml(bytes.length).load(text);
        } catch (YAMLException e) {
            throw new SpecException("invalid YAML", List.of(String.valueOf(e.getMessage()).strip()));
        } catch (RuntimeException | StackOverflowError e) {
            throw new SpecException("invalid YAML", List.of(e.getClass().getSimpleName() + ": " + e.getMessage()));
        }
        return new YamlToTree().convert(doc);
    }

    private static Yaml yaml(int length) {
        LoaderOptions options = new LoaderOptions();
        options.setCodePointLimit(Math.max(length, 3 * 1024 * 1024));
        // aliases are counted as expanded in YamlToTree; this only bounds the parser's own bookkeeping
        options.setMaxAliasesForCollections(10_000);
        options.setAllowRecursiveKeys(false);
        options.setAllowDuplicateKeys(false);
        options.setNestingDepthLimit(MAX_YAML_DEPTH);
        DumperOptions dumper = new DumperOptions();
        return new Yaml(new SafeConstructor(options), new Representer(dumper), dumper, options, new NoTimestampResolver());
    }

    /** YAML 1.1 resolution without timestamps: {@code 2024-01-31} stays text, as JSON would have it. */
    private static final class NoTimestampResolver extends Resolver {
        @Override
        protected void addImplicitResolvers() {
            addImplicitResolver(Tag.BOOL, BOOL, "yYnNtTfFoO");
            addImplicitResolver(Tag.INT, INT, "-+0123456789");
            addImplicitResolver(Tag.FLOAT, FLOAT, "-+0123456789.");
            addImplicitResolver(Tag.MERGE, MERGE, "<");
            addImplicitResolver(Tag.NULL, NULL, "~nN\0");
            addImplicitResolver(Tag.NULL, EMPTY, null);
        }
    }

    /**
     * SnakeYAML objects to a Jackson tree. An alias is the same Java object as its anchor: it becomes
     * the same tree node (no copy), and its expanded size is counted against {@link #MAX_YAML_NODES}.
     * A cycle (an alias inside its own anchor) is refused.
     */
    private static final class YamlToTree {
        private final IdentityHashMap<Object, JsonNode> converted = new IdentityHashMap<>();
        private final IdentityHashMap<Object, Long> expandedSize = new IdentityHashMap<>();
        private final IdentityHashMap<Object, Boolean> inProgress = new IdentityHashMap<>();

        JsonNode convert(Object doc) throws SpecException {
            JsonNode root = node(doc, 0);
            long size = size(doc);
            if (size > MAX_YAML_NODES) {
                throw new SpecException("YAML too large once aliases are expanded: " + size + " nodes, the limit is " + MAX_YAML_NODES);
            }
            return root;
        }

        private JsonNode node(Object o, int depth) throws SpecException {
            JsonNodeFactory f = JsonNodeFactory.instance;
            if (o == null) {
                return f.nullNode();
            }
            if (o instanceof String s) {
                return f.textNode(s);
            }
            if (o instanceof Boolean b) {
                return f.booleanNode(b);
            }
            if (o instanceof Integer i) {
                return f.numberNode(i);
            }
            if (o instanceof Long l) {
                return f.numberNode(l);
            }
            if (o instanceof BigInteger b) {
                return f.numberNode(b);
            }
            if (o instanceof Double d) {
                return f.numberNode(d);
            }
            if (o instanceof BigDecimal b) {
                return f.numberNode(b);
            }
            if (o instanceof byte[] b) {
                return f.binaryNode(b);
            }
            if (!(o instanceof Map) && !(o instanceof Collection)) {
                return f.textNode(String.valueOf(o));
            }
            JsonNode done = converted.get(o);
            if (done != null) {
                return done;
            }
            if (depth > MAX_YAML_DEPTH) {
                throw new SpecException("YAML nested deeper than " + MAX_YAML_DEPTH + " levels");
            }
            if (inProgress.put(o, Boolean.TRUE) != null) {
                throw new SpecException("invalid YAML", List.of("an alias refers to a node that contains it (a cycle)"));
            }
            JsonNode out;
            if (o instanceof Map<?, ?> map) {
                ObjectNode obj = f.objectNode();
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    obj.set(String.valueOf(e.getKey()), node(e.getValue(), depth + 1));
                }
                out = obj;
            } else {
                ArrayNode arr = f.arrayNode();
                for (Object v : (Collection<?>) o) {
                    arr.add(node(v, depth + 1));
                }
                out = arr;
            }
            inProgress.remove(o);
            converted.put(o, out);
            return out;
        }

        /** Nodes under {@code o} with aliases expanded; memoised, so linear in the distinct nodes. */
        private long size(Object o) {
            if (!(o instanceof Map) && !(o instanceof Collection)) {
                return 1;
            }
            Long known = expandedSize.get(o);
            if (known != null) {
                return known;
            }
            long n = 1;
            if (o instanceof Map<?, ?> map) {
                for (Object v : map.values()) {
                    n = Math.min(Long.MAX_VALUE / 4, n + 1 + size(v));
                }
            } else {
                for (Object v : (Collection<?>) o) {
                    n = Math.min(Long.MAX_VALUE / 4, n + size(v));
                }
            }
            expandedSize.put(o, n);
            return n;
        }
    }

    private static String kind(JsonNode n) {
        if (n.isArray()) {
            return "a list";
        }
        if (n.isTextual()) {
            return "a string";
        }
        if (n.isNull() || n.isMissingNode()) {
            return "empty";
        }
        return "a " + n.getNodeType().name().toLowerCase(Locale.ROOT);
    }

    /** Notes every {@code $ref} that points outside the upload; such references are never fetched. */
    private static void remoteRefs(JsonNode root, List<String> notes) {
        List<String> found = new ArrayList<>();
        int[] count = {0};
        walkRefs(root, new ArrayDeque<>(), found, count, new IdentityHashMap<>());
        if (count[0] > 0) {
            notes.add(count[0] + " remote $ref" + (count[0] == 1 ? "" : "s") + " not fetched (only references inside"
                + " the upload are resolved; upload a bundled spec to include them): " + String.join(", ", found)
                + (count[0] > found.size() ? ", and " + (count[0] - found.size()) + " more" : ""));
        }
    }

    private static void walkRefs(JsonNode node, Deque<String> path, List<String> found, int[] count,
                                 IdentityHashMap<JsonNode, Boolean> seen) {
        if (!node.isContainerNode() || seen.put(node, Boolean.TRUE) != null) {
            return; // a shared YAML alias is looked at once
        }
        if (node.isObject()) {
            JsonNode ref = node.get("$ref");
            if (ref != null && ref.isTextual() && !ref.asText().startsWith("#")) {
                if (found.size() < MAX_LISTED_REMOTE_REFS) {
                    found.add("'" + ref.asText() + "' at " + pointer(path));
                }
                count[0]++;
            }
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                if (isLiteralData(path, e.getKey(), e.getValue())) {
                    continue;
                }
                path.addLast(e.getKey());
                walkRefs(e.getValue(), path, found, count, seen);
                path.removeLast();
            }
        } else {
            for (int i = 0; i < node.size(); i++) {
                path.addLast(Integer.toString(i));
                walkRefs(node.get(i), path, found, count, seen);
                path.removeLast();
            }
        }
    }

    /**
     * Fields whose content is data, not spec: a {@code $ref} key in there is not a reference (GitHub's
     * SCIM examples carry {@code "$ref": "https://api.github.com/scim/..."} member links).
     */
    private static boolean isLiteralData(Deque<String> path, String key, JsonNode value) {
        String parent = path.peekLast();
        if ("properties".equals(parent) || "patternProperties".equals(parent) || "definitions".equals(parent)
            || "$defs".equals(parent)) {
            return false; // key is a property or schema name
        }
        if (key.startsWith("x-") || key.equals("example") || key.equals("default") || key.equals("enum") || key.equals("const")) {
            return true;
        }
        if (key.equals("examples") && value.isArray()) {
            return true; // JSON Schema examples: a list of values
        }
        if (key.equals("value") && path.size() >= 2) {
            // Example Object: .../examples/<name>/value
            Iterator<String> up = path.descendingIterator();
            up.next();
            return "examples".equals(up.next());
        }
        return false;
    }

    private static String pointer(Deque<String> path) {
        if (path.isEmpty()) {
            return "/";
        }
        StringBuilder sb = new StringBuilder();
        for (String p : path) {
            sb.append('/').append(p.replace("~", "~0").replace("/", "~1"));
        }
        return sb.toString();
    }

    // ---------------------------------------------------------------- the model

    private static ApiSpec fromOpenApi3(JsonNode root, String declared, List<String> notes) throws SpecException {
        ParseOptions options = new ParseOptions();
        options.setResolve(false);
        SwaggerParseResult result;
        try {
            result = new OpenAPIDeserializer().deserialize(root, null, options);
        } catch (RuntimeException e) {
            throw new SpecException("the OpenAPI parser failed on this document", List.of(String.valueOf(e.getMessage())));
        }
        return toSpec(result.getOpenAPI(), declared, messages(result.getMessages()), notes, null);
    }

    private static ApiSpec fromSwagger2(JsonNode root, List<String> notes) throws SpecException {
        SwaggerDeserializationResult v2;
        SwaggerParseResult result;
        try {
            v2 = new Swagger20Parser().readWithInfo(root);
            if (v2.getSwagger() == null) {
                throw new SpecException("not a valid Swagger 2.0 document", messages(v2.getMessages()));
            }
            result = new SwaggerConverter().convert(v2);
        } catch (RuntimeException e) {
            throw new SpecException("the Swagger 2.0 parser failed on this document", List.of(String.valueOf(e.getMessage())));
        }
        // host + basePath from the 2.0 model itself: the converter makes one URL per scheme of them
        io.swagger.models.Swagger sw = v2.getSwagger();
        List<String> schemes = new ArrayList<>();
        if (sw.getSchemes() != null) {
            sw.getSchemes().forEach(s -> schemes.add(s.toValue()));
        }
        String host = sw.getHost() == null || sw.getHost().isBlank() ? null : sw.getHost().trim();
        String basePath = sw.getBasePath() == null ? "" : sw.getBasePath();
        ServerBinding binding;
        if (host == null) {
            binding = new ServerBinding(null, normaliseBasePath(basePath), basePath.isEmpty() ? "/" : basePath);
        } else {
            String scheme = schemes.isEmpty() ? "http" : schemes.get(0);
            binding = parseServerUrl(scheme + "://" + host + (basePath.startsWith("/") ? "" : "/") + basePath, notes);
            if (schemes.size() > 1) {
                // a port is dropped only when it is the default of every scheme the spec lists
                for (String s : schemes.subList(1, schemes.size())) {
                    ServerBinding other = parseServerUrl(s + "://" + host + (basePath.startsWith("/") ? "" : "/") + basePath, notes);
                    if (other.host() != null && !other.host().equals(binding.host())) {
                        binding = other.host().length() > binding.host().length() ? other : binding;
                    }
                }
            }
        }
        List<String> parserMessages = new ArrayList<>(messages(v2.getMessages()));
        parserMessages.addAll(messages(result.getMessages()));
        return toSpec(result.getOpenAPI(), "2.0", parserMessages, notes, List.of(binding));
    }

    private static ApiSpec toSpec(OpenAPI api, String declared, List<String> parserMessages, List<String> notes,
                                  List<ServerBinding> servers) throws SpecException {
        if (api == null) {
            throw new SpecException("not a valid OpenAPI document", withNotes(parserMessages, notes));
        }
        Paths paths = api.getPaths();
        if (paths == null || paths.isEmpty()) {
            throw new SpecException("the spec has no paths: there is nothing to match traffic against", withNotes(parserMessages, notes));
        }
        if (servers == null) {
            servers = bindings(api.getServers(), notes);
            if (servers.isEmpty()) {
                servers = List.of(new ServerBinding(null, "", "/")); // OpenAPI: no servers means "/"
            }
        }
        List<Operation> operations = new ArrayList<>();
        for (Map.Entry<String, PathItem> e : paths.entrySet()) {
            String template = e.getKey();
            PathItem item = resolvePathItem(template, e.getValue(), api, notes);
            if (item == null) {
                continue;
            }
            List<ServerBinding> pathServers = bindings(item.getServers(), notes);
            for (Map.Entry<PathItem.HttpMethod, io.swagger.v3.oas.models.Operation> oe : item.readOperationsMap().entrySet()) {
                io.swagger.v3.oas.models.Operation op = oe.getValue();
                List<ServerBinding> opServers = bindings(op.getServers(), notes);
                operations.add(new Operation(oe.getKey().name().toUpperCase(Locale.ROOT), template, op.getOperationId(),
                    op.getSummary(), opServers.isEmpty() ? pathServers : opServers,
                    parameters(item.getParameters(), op.getParameters(), api)));
            }
        }
        if (operations.isEmpty()) {
            throw new SpecException("the spec's paths have no operations: there is nothing to match traffic against",
                withNotes(parserMessages, notes));
        }
        String title = api.getInfo() == null ? null : api.getInfo().getTitle();
        String version = api.getInfo() == null ? null : api.getInfo().getVersion();
        return new ApiSpec(title, version, declared, servers, operations, withNotes(parserMessages, notes));
    }

    /**
     * The operation's parameters: the path item's, then the operation's, an operation parameter
     * replacing a path one of the same name and place (OpenAPI's rule). {@code $ref}s to
     * {@code #/components/parameters} are followed; others (remote, broken) are left out.
     */
    private static List<Parameter> parameters(List<io.swagger.v3.oas.models.parameters.Parameter> pathLevel,
                                              List<io.swagger.v3.oas.models.parameters.Parameter> opLevel, OpenAPI api) {
        Map<String, Parameter> byKey = new java.util.LinkedHashMap<>();
        for (List<io.swagger.v3.oas.models.parameters.Parameter> list : java.util.Arrays.asList(pathLevel, opLevel)) {
            if (list == null) {
                continue;
            }
            for (io.swagger.v3.oas.models.parameters.Parameter p : list) {
                p = resolveParameter(p, api);
                if (p == null || p.getName() == null || p.getIn() == null) {
                    continue;
                }
                String type = p.getSchema() == null ? null
                    : p.getSchema().getType() != null ? p.getSchema().getType()
                    : p.getSchema().getTypes() != null && !p.getSchema().getTypes().isEmpty()
                        ? String.join("|", new java.util.TreeSet<>(p.getSchema().getTypes())) : null;
                byKey.put(p.getIn() + ":" + p.getName(), new Parameter(p.getName(), p.getIn(),
                    "path".equals(p.getIn()) || Boolean.TRUE.equals(p.getRequired()), type, p.getDescription()));
            }
        }
        return List.copyOf(byKey.values());
    }

    private static io.swagger.v3.oas.models.parameters.Parameter resolveParameter(
            io.swagger.v3.oas.models.parameters.Parameter p, OpenAPI api) {
        String prefix = "#/components/parameters/";
        for (int hops = 0; p != null && p.get$ref() != null; hops++) {
            String ref = p.get$ref();
            if (hops == 8 || !ref.startsWith(prefix) || api.getComponents() == null
                    || api.getComponents().getParameters() == null) {
                return null;
            }
            p = api.getComponents().getParameters().get(ref.substring(prefix.length()));
        }
        return p;
    }

    /** A path item, following a {@code $ref} inside the document (components.pathItems or another path). */
    private static PathItem resolvePathItem(String template, PathItem item, OpenAPI api, List<String> notes) {
        for (int hops = 0; item != null && item.get$ref() != null; hops++) {
            String ref = item.get$ref();
            if (hops == 8) {
                notes.add("path " + template + ": $ref chain longer than 8 ('" + ref + "'); its operations are not loaded");
                return null;
            }
            PathItem target = null;
            if (ref.startsWith("#/components/pathItems/") && api.getComponents() != null && api.getComponents().getPathItems() != null) {
                target = api.getComponents().getPathItems().get(unescapePointer(ref.substring("#/components/pathItems/".length())));
            } else if (ref.startsWith("#/paths/")) {
                target = api.getPaths().get(unescapePointer(ref.substring("#/paths/".length())));
            } else if (!ref.startsWith("#")) {
                notes.add("path " + template + ": its $ref '" + ref + "' is outside the upload and was not fetched; its operations are not loaded");
                return null;
            }
            if (target == null) {
                notes.add("path " + template + ": $ref '" + ref + "' does not resolve inside the document; its operations are not loaded");
                return null;
            }
            item = target;
        }
        return item;
    }

    private static String unescapePointer(String s) {
        return s.replace("~1", "/").replace("~0", "~");
    }

    /** Parser messages, capped: a sprawling spec can produce thousands of warnings. */
    private static List<String> messages(List<String> messages) {
        if (messages == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (String m : messages) {
            if (m == null) {
                continue;
            }
            if (out.size() == MAX_MESSAGES) {
                out.add("... and " + (messages.size() - MAX_MESSAGES) + " more parser messages");
                break;
            }
            out.add(m);
        }
        return out;
    }

    private static List<String> withNotes(List<String> parserMessages, List<String> notes) {
        List<String> all = new ArrayList<>(notes);
        all.addAll(parserMessages);
        return all;
    }

    // ---------------------------------------------------------------- servers

    /** OpenAPI 3 servers to bindings, variables replaced by their defaults and enum values; deduplicated. */
    static List<ServerBinding> bindings(List<Server> servers, List<String> notes) {
        if (servers == null || servers.isEmpty()) {
            return List.of();
        }
        Map<String, ServerBinding> out = new LinkedHashMap<>();
        for (Server s : servers) {
            if (s == null || s.getUrl() == null) {
                notes.add("a server without a url was ignored");
                continue;
            }
            for (String url : expandVariables(s.getUrl(), s.getVariables() == null ? Map.of() : s.getVariables(), notes)) {
                ServerBinding b = parseServerUrl(url, notes);
                out.putIfAbsent(b.host() + "\n" + b.basePath(), b);
            }
        }
        return List.copyOf(out.values());
    }

    /** Every URL the server's variables allow: defaults, and each enum value, up to {@link #MAX_SERVER_URLS}. */
    static List<String> expandVariables(String url, Map<String, ServerVariable> variables, List<String> notes) {
        List<String> urls = new ArrayList<>(List.of(url));
        List<String> defaults = new ArrayList<>(List.of(url));
        Matcher m = SERVER_VARIABLE.matcher(url);
        List<String> names = new ArrayList<>();
        while (m.find()) {
            if (!names.contains(m.group(1))) {
                names.add(m.group(1));
            }
        }
        boolean capped = false; // past the bound: only the defaults are substituted from then on
        for (String name : names) {
            ServerVariable v = variables.get(name);
            List<String> values = new ArrayList<>();
            if (v != null && v.getDefault() != null) {
                values.add(v.getDefault());
            }
            if (v != null && v.getEnum() != null) {
                for (String e : v.getEnum()) {
                    if (e != null && !values.contains(e)) {
                        values.add(e);
                    }
                }
            }
            if (values.isEmpty()) {
                notes.add("server " + url + ": variable {" + name + "} has no default; left as a template parameter");
                continue;
            }
            String token = "{" + name + "}";
            defaults.replaceAll(u -> u.replace(token, values.get(0)));
            if (capped) {
                continue;
            }
            List<String> next = new ArrayList<>();
            for (String u : urls) {
                for (String value : values) {
                    next.add(u.replace(token, value));
                }
            }
            urls = next;
            if (urls.size() > MAX_SERVER_URLS) {
                notes.add("server " + url + ": its variables allow more than " + MAX_SERVER_URLS
                    + " URLs; only the defaults are bound (override the servers to bind others)");
                capped = true;
            }
        }
        return capped ? defaults : urls;
    }

    /**
     * A server URL a user gives to bind a spec elsewhere than its own servers say (a gateway that
     * rewrites hosts or paths), e.g. {@code https://gw.example.com/petstore} or {@code /petstore}.
     *
     * @throws SpecException when the URL is blank, too long or names no usable host or port
     */
    public static ServerBinding serverOverride(String url) throws SpecException {
        if (url == null || url.isBlank() || url.length() > 2048) {
            throw new SpecException("a server URL must be 1 to 2048 characters");
        }
        List<String> notes = new ArrayList<>();
        ServerBinding binding = parseServerUrl(url, notes);
        if (!notes.isEmpty()) {
            throw new SpecException("unusable server URL", notes);
        }
        return binding;
    }

    /**
     * host[:port] and base path of a server URL. Absolute ({@code https://h:8443/v1}) and
     * protocol-relative ({@code //h/v1}) URLs name a host; the scheme's default port is dropped. A
     * relative URL ({@code /v1}, {@code v1}) is bound to no host.
     */
    static ServerBinding parseServerUrl(String url, List<String> notes) {
        String u = url.trim();
        String scheme = null;
        String rest;
        int sep = u.indexOf("://");
        if (sep > 0 && u.substring(0, sep).matches("[A-Za-z][A-Za-z0-9+.-]*")) {
            scheme = u.substring(0, sep).toLowerCase(Locale.ROOT);
            rest = u.substring(sep + 3);
        } else if (u.startsWith("//")) {
            rest = u.substring(2);
        } else {
            return new ServerBinding(null, normaliseBasePath(stripQuery(u)), url);
        }
        int pathAt = rest.length();
        for (int i = 0; i < rest.length(); i++) {
            char c = rest.charAt(i);
            if (c == '/' || c == '?' || c == '#') {
                pathAt = i;
                break;
            }
        }
        String authority = rest.substring(0, pathAt);
        String basePath = normaliseBasePath(stripQuery(rest.substring(pathAt)));
        authority = authority.substring(authority.lastIndexOf('@') + 1).toLowerCase(Locale.ROOT);
        String name = authority;
        String port = null;
        int colon = authority.startsWith("[") ? authority.indexOf(':', Math.max(0, authority.indexOf(']'))) : authority.lastIndexOf(':');
        if (colon >= 0) {
            name = authority.substring(0, colon);
            port = authority.substring(colon + 1);
        }
        if (name.isEmpty() || name.contains("{") || (name.startsWith("[") && !name.endsWith("]"))) {
            notes.add("server " + url + ": no usable host; bound to no host");
            return new ServerBinding(null, basePath, url);
        }
        if (!HOST_NAME.matcher(name).matches()) {
            // a Host header never carries it: binding it would only hide the routes
            notes.add("server " + url + ": '" + name + "' is not a host name (letters, digits, '-', '_' and '.'; an"
                + " international name in its xn-- form; IPv6 in brackets); bound to no host");
            return new ServerBinding(null, basePath, url);
        }
        if (scheme != null && defaultPort(scheme) == null) {
            notes.add("server " + url + ": scheme '" + scheme + "' is not HTTP; bound to its host all the same");
        }
        if (port != null && !port.isEmpty() && (!port.matches("\\d{1,5}") || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535)) {
            notes.add("server " + url + ": port '" + port + "' is not a TCP port (1 to 65535); any port is accepted");
            port = null;
        }
        if (port != null && (port.isEmpty() || port.equals(defaultPort(scheme)))) {
            port = null;
        }
        return new ServerBinding(port == null ? name : name + ":" + Integer.parseInt(port), basePath, url);
    }

    /** A DNS name (lower-cased by then), IPv4 address or bracketed IPv6 literal, as a Host header carries it. */
    private static final java.util.regex.Pattern HOST_NAME =
        java.util.regex.Pattern.compile("[a-z0-9_](?:[a-z0-9_.-]*[a-z0-9_.])?|\\[[0-9a-f:.]+(?:%[a-z0-9._~-]+)?\\]");

    private static String defaultPort(String scheme) {
        if (scheme == null) {
            return null;
        }
        return switch (scheme) {
            case "http", "ws" -> "80";
            case "https", "wss" -> "443";
            default -> null;
        };
    }

    private static String stripQuery(String s) {
        int q = s.indexOf('?');
        int f = s.indexOf('#');
        int end = s.length();
        if (q >= 0) {
            end = q;
        }
        if (f >= 0 && f < end) {
            end = f;
        }
        return s.substring(0, end);
    }

    /** {@code ""} or {@code /a/b}: empty and {@code .} segments dropped, {@code ..} applied. */
    static String normaliseBasePath(String path) {
        Deque<String> segments = new ArrayDeque<>();
        for (String seg : path.split("/")) {
            if (seg.isEmpty() || seg.equals(".")) {
                continue;
            }
            if (seg.equals("..")) {
                segments.pollLast();
            } else {
                segments.addLast(seg);
            }
        }
        return segments.isEmpty() ? "" : "/" + String.join("/", segments);
    }

    private static String mib(long n) {
        return ((n + (1 << 19)) >> 20) + " MiB";
    }

    private static String humanBytes(long n) {
        if (n % (1024 * 1024) == 0) {
            return n / (1024 * 1024) + " MiB";
        }
        if (n % 1024 == 0) {
            return n / 1024 + " KiB";
        }
        return n + " B";
    }
}
