package io.gatelens.analytics.catalog;

import io.gatelens.analytics.spec.ApiSpec;
import io.gatelens.analytics.spec.ServerBinding;
import io.gatelens.analytics.spec.SpecException;
import io.gatelens.analytics.spec.SpecLoader;
import io.gatelens.analytics.store.SpecRecord;
import io.gatelens.analytics.store.StatsStore;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The specs the service knows, kept in the statistics store (so uploads survive restarts) and
 * compiled into the {@link RouteTable} the ingest reads. Every change compiles a new table and swaps
 * it in; endpoint ids come from the store, so a replaced spec keeps the statistics of every
 * operation it still has.
 *
 * <p>Writers are serialised; {@link #routes()} is a volatile read.
 */
public final class SpecCatalog {
    /** Spec names are URL path segments and file names: keep them boring. */
    public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

    /** A spec as the catalog holds it. */
    public record Entry(SpecRecord record, ApiSpec spec) {
        public String name() {
            return record.name();
        }
    }

    private static final System.Logger LOG = System.getLogger("gatelens.specs");

    private final StatsStore store;
    private final SpecLoader loader;
    private final EndpointIds ids;
    private final Clock clock;
    private final Map<String, Entry> entries = new LinkedHashMap<>();
    private volatile RouteTable routes = RouteTable.empty();

    public SpecCatalog(StatsStore store, SpecLoader loader, EndpointIds ids, Clock clock) {
        this.store = store;
        this.loader = loader;
        this.ids = ids;
        this.clock = clock;
    }

    /**
     * Loads the specs kept in the store, then every {@code .yaml}, {@code .yml} and {@code .json}
     * file of folder (when it exists) under its file name without extension; a folder file whose
     * content changed since it was stored becomes a new version. A spec that fails to load is
     * logged and skipped: one broken file must not keep the service from starting.
     */
    public synchronized void start(Path folder) {
        Map<String, byte[]> storedContent = new HashMap<>();
        for (SpecRecord rec : store.specs()) {
            try {
                entries.put(rec.name(), new Entry(rec.withoutContent(), parse(rec.content(), rec.serversOverride(), true)));
                storedContent.put(rec.name(), rec.content());
            } catch (SpecException e) {
                LOG.log(System.Logger.Level.ERROR, "stored spec " + rec.name() + " no longer loads: "
                    + e.getMessage() + " " + e.messages());
            }
        }
        if (folder != null && Files.isDirectory(folder)) {
            List<Path> files;
            try (Stream<Path> list = Files.list(folder)) {
                files = list.filter(SpecCatalog::isSpecFile).sorted().toList();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.ERROR, "cannot list spec folder " + folder + ": " + e.getMessage());
                files = List.of();
            }
            for (Path file : files) {
                String name = nameOf(file);
                try {
                    byte[] content = Files.readAllBytes(file);
                    Entry known = entries.get(name);
                    if (known != null && Arrays.equals(storedContent.get(name), content)) {
                        continue;
                    }
                    putLocked(name, content, known == null ? List.of() : known.record().serversOverride(), "folder");
                    LOG.log(System.Logger.Level.INFO, "spec " + name + " loaded from " + file);
                } catch (SpecException e) {
                    LOG.log(System.Logger.Level.ERROR, "spec file " + file + " does not load: "
                        + e.getMessage() + " " + e.messages());
                } catch (IOException | IllegalArgumentException e) {
                    LOG.log(System.Logger.Level.ERROR, "spec file " + file + ": " + e.getMessage());
                }
            }
        }
        compile();
    }

    /**
     * Adds a spec, or replaces the one of that name with a new version.
     *
     * @param name null: the spec's title, as a {@link #NAME}
     * @param servers server URLs to bind it to instead of its own; empty keeps its own
     * @throws SpecException the parser's or loader's messages when the spec is refused
     * @throws IllegalArgumentException when the name is not a {@link #NAME}
     */
    public synchronized Entry put(String name, byte[] content, List<String> servers, String source)
            throws SpecException {
        Entry entry = putLocked(name, content, servers, source);
        compile();
        return entry;
    }

    /** Binds a stored spec to other servers (empty: back to its own), as a new version. */
    public synchronized Optional<Entry> rebind(String name, List<String> servers) throws SpecException {
        Entry known = entries.get(name);
        if (known == null) {
            return Optional.empty();
        }
        Entry entry = putLocked(name, storedContent(name), servers, known.record().source());
        compile();
        return Optional.of(entry);
    }

    public synchronized boolean delete(String name) {
        if (entries.remove(name) == null) {
            return false;
        }
        store.deleteSpec(name);
        compile();
        return true;
    }

    /**
     * The spec as uploaded, byte for byte, read from the store (entries do not hold it). Under the
     * catalog's lock, as replace and delete are: the content file read is the current one.
     */
    public synchronized Optional<byte[]> content(String name) {
        return entries.containsKey(name) ? store.spec(name).map(SpecRecord::content) : Optional.empty();
    }

    private byte[] storedContent(String name) throws SpecException {
        return store.spec(name).map(SpecRecord::content).orElseThrow(() -> new SpecException(
            "the stored content of spec " + name + " cannot be read (see the service log); upload it again"));
    }

    public synchronized List<Entry> list() {
        return List.copyOf(entries.values());
    }

    public synchronized Optional<Entry> get(String name) {
        return Optional.ofNullable(entries.get(name));
    }

    /** The current route table (every spec compiled). */
    public RouteTable routes() {
        return routes;
    }

    public static void checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("a spec name is 1 to 100 letters, digits, '.', '_' or '-',"
                + " starting with a letter or digit");
        }
    }

    /** Server URLs a spec may be bound to instead of its own. */
    public static final int MAX_SERVER_OVERRIDES = 1_000;
    /**
     * Routes (operations times the servers each is bound to) per spec and for all specs: every host a
     * spec is bound to gets a trie of its own, ~250 bytes a route (GitHub's 771 operations bound to
     * 2,000 hosts ran a 512 MB heap out of memory). 100,000 is GitHub's spec on 129 hosts.
     */
    public static final long MAX_ROUTES_PER_SPEC = 100_000;
    public static final long MAX_ROUTES = 400_000;

    private Entry putLocked(String name, byte[] content, List<String> servers, String source)
            throws SpecException {
        if (name != null) {
            checkName(name);
        }
        if (servers.size() > MAX_SERVER_OVERRIDES) {
            throw new SpecException("at most " + MAX_SERVER_OVERRIDES + " server URLs may be given, not " + servers.size());
        }
        ApiSpec spec = parse(content, servers, false);
        if (name == null) {
            name = slug(spec.title());
        }
        Entry known = entries.get(name);
        long routes = spec.routeCount();
        long others = 0;
        for (Entry e : entries.values()) {
            others += e == known ? 0 : e.spec().routeCount();
        }
        if (routes > MAX_ROUTES_PER_SPEC || others + routes > MAX_ROUTES) {
            throw new SpecException("too many routes: the spec binds " + routes + " (its operations times the servers each"
                + " is bound to), the other specs " + others + "; at most " + MAX_ROUTES_PER_SPEC + " per spec and "
                + MAX_ROUTES + " in all, as every host bound gets a route table of its own: bind fewer servers"
                + " or split the spec");
        }
        int version = known == null ? 1 : known.record().version() + 1;
        SpecRecord rec = new SpecRecord(name, version, clock.instant(), source, content, List.copyOf(servers));
        store.saveSpec(rec);
        Entry entry = new Entry(rec.withoutContent(), spec);
        entries.put(name, entry);
        return entry;
    }

    /** @param stored a spec the store kept: loaded without the heap check ({@link SpecLoader#loadAccepted}) */
    private ApiSpec parse(byte[] content, List<String> servers, boolean stored) throws SpecException {
        ApiSpec spec = stored ? loader.loadAccepted(content) : loader.load(content);
        // remote schemas only cost validation detail; a remote path item would silently drop routes
        List<String> droppedPaths = spec.messages().stream()
            .filter(m -> m.startsWith("path ") && m.contains("outside the upload and was not fetched")).toList();
        if (!droppedPaths.isEmpty()) {
            throw new SpecException("the spec's paths refer to documents outside the upload; remote $refs are"
                + " never fetched (include them in the upload)", spec.messages());
        }
        if (servers.isEmpty()) {
            return spec;
        }
        List<ServerBinding> bindings = new ArrayList<>(servers.size());
        for (String url : servers) {
            bindings.add(SpecLoader.serverOverride(url));
        }
        return spec.withServers(bindings);
    }

    private void compile() {
        List<NamedSpec> specs = new ArrayList<>(entries.size());
        for (Entry e : entries.values()) {
            specs.add(new NamedSpec(e.name(), e.record().version(), e.spec()));
        }
        RouteTable table = RouteTable.compile(specs, ids);
        for (String warning : table.warnings()) {
            LOG.log(System.Logger.Level.WARNING, "route table: " + warning);
        }
        routes = table;
    }

    /** A title as a spec name: lower case, runs of other characters as '-'. */
    static String slug(String text) {
        String s = text == null ? "" : text.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9._-]+", "-")
            .replaceAll("^[-._]+", "");
        if (s.length() > 100) {
            s = s.substring(0, 100);
        }
        s = s.replaceAll("-+$", "");
        return s.isEmpty() ? "spec" : s;
    }

    private static boolean isSpecFile(Path p) {
        String n = p.getFileName().toString().toLowerCase();
        return Files.isRegularFile(p) && (n.endsWith(".yaml") || n.endsWith(".yml") || n.endsWith(".json"));
    }

    static String nameOf(Path file) {
        String n = file.getFileName().toString();
        return n.substring(0, n.lastIndexOf('.'));
    }
}
