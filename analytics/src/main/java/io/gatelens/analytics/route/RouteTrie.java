package io.gatelens.analytics.route;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The route table: API operations by host, base path and path template, and the one question asked
 * of it per HTTP transaction, {@link #find(String, String, byte[], int, int)} (the path as bytes) or
 * {@link #find(String, String, String)}. Two calls: {@link #build} from the routes, then
 * {@code find}. Imports nothing but {@code java.*}.
 *
 * <p>Hand-written, because this is the product: the host table, the segment trie, the path scan and
 * {@link SegmentPattern}. Libraries are used only to read specs (the spec package), never here.
 *
 * <h2>Ordering rule</h2>
 * <ol>
 *   <li><b>Host.</b> The request's Host picks the routes bound to that host: host names compare
 *       case-insensitively, a trailing dot is ignored; a route bound to {@code host:port} takes only
 *       that port, a route bound to a bare host takes any port (those bound to the request's port
 *       come first). A Host that matches no bound host (or no Host at all) uses the routes bound to no
 *       host. There is no second try: once a bound host is chosen, host-less routes are not consulted
 *       for its requests.</li>
 *   <li><b>Base path, then segments.</b> A route's base path and template are one list of segments
 *       (the base path's segments are literals), matched one segment at a time. At each segment, in
 *       this order:
 *       <ol>
 *         <li>a literal segment ({@code /users/me}),</li>
 *         <li>a partially templated segment ({@code /files/{name}.{ext}}, {@code /v1/{id}:cancel});
 *             among several, the one with more literal characters first, then fewer parameters, then
 *             by text,</li>
 *         <li>a whole-segment template ({@code /users/{id}}).</li>
 *       </ol>
 *       The first alternative whose rest of the path also matches wins: when {@code /users/me} has
 *       nothing for {@code /users/me/posts}, {@code /users/{id}/posts} gets it. Every trie node is
 *       reached by one path from the root, so this search visits each node at most once: its cost is
 *       bounded by the size of the trie, never exponential, and path segments beyond the deepest
 *       route are never looked at.</li>
 *   <li><b>Method.</b> Among the paths that match, in the order above, the first that has an operation
 *       for the request's method wins. When none has it, the result is
 *       {@link Match#isMethodNotAllowed()} for the first matching path. Methods are case-sensitive
 *       (RFC 9110); HEAD does not fall back to GET.</li>
 * </ol>
 *
 * <h2>Request path normalisation</h2>
 * Query string ({@code ?}) and fragment ({@code #}) are ignored; an absolute-form target
 * ({@code http://host/path}) is reduced to its path. Segments are split on {@code /} first and then
 * percent-decoded as UTF-8 (so {@code %2F} stays inside its segment; an invalid escape, or bytes that
 * are not UTF-8 once decoded, keeps the segment as sent). Empty segments ({@code //}) are skipped,
 * so a trailing slash matches the same route. Paths are case-sensitive. Dot segments ({@code .},
 * {@code ..}) are not resolved. Templates are normalised the same way when the trie is built:
 * literals percent-decoded, a query string in a template dropped (OpenAI's
 * {@code /responses?beta=true} is then the route {@code /responses}, and the first route given for
 * a path and method keeps it).
 *
 * <h2>Hot path</h2>
 * The walk reads the path as UTF-8 bytes, as it comes off the wire:
 * {@link #find(String, String, byte[], int, int)} takes a slice of the caller's buffer, and the
 * String {@code find} encodes into a per-thread buffer and calls it. {@code find} allocates nothing
 * unless a segment holds a {@code %}: it scans the path by index (no split, no regex), finds a
 * literal from a segment's first eight bytes (one long, read at once where eight bytes remain) and
 * compares the rest in place eight bytes at a time (a segment that matches a literal is read once;
 * only segments that go to a template are scanned for their end, eight bytes a step), and returns
 * {@link Match} objects made at build time. Literals and {@link SegmentPattern}s are held as UTF-8
 * and compared byte-wise: UTF-8 is self-synchronising, so bytes equal where characters are. The
 * last alternative of a node is followed by looping, so a level costs a call only where it
 * branches. (A flat layout, nodes and literal tables as a few int arrays, measured ~12% slower:
 * every access pays a bounds check and the arrays are reloaded after each recursive call.) A built
 * trie is immutable and safe to share between threads.
 *
 * @param <T> what a route carries, typically the spec operation
 */
public final class RouteTrie<T> {

    /**
     * One route to build from.
     *
     * @param host host[:port] the route is bound to (case-insensitive); null or empty for none
     * @param basePath the server's base path ({@code /v1}); null or empty for the root
     * @param method HTTP method, case-insensitive here (GET, PUT, POST, DELETE, OPTIONS, HEAD, PATCH, TRACE)
     * @param pathTemplate the path template, e.g. {@code /users/{id}}
     * @param payload returned by {@link Match#payload()}
     */
    public record Entry<T>(String host, String basePath, String method, String pathTemplate, T payload) {
        public Entry {
            Objects.requireNonNull(method, "method");
            Objects.requireNonNull(pathTemplate, "pathTemplate");
        }
    }

    /** Templates deeper than this are refused: it bounds the trie depth, and so the recursion of find. */
    public static final int MAX_TEMPLATE_SEGMENTS = 128;

    static final String[] METHODS = {"GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE"};

    private final Node<T> hostless;
    private final String[] hostKeys;
    private final int[] hostHashes;
    private final HostRoutes<T>[] hostRoutes;
    private final int hostMask;
    private final int routeCount;
    private final List<String> warnings;
    private final List<Skipped<T>> skipped;

    private RouteTrie(Node<T> hostless, Map<String, HostRoutes<T>> byHost, int routeCount, List<Skipped<T>> skipped) {
        this.hostless = hostless;
        this.routeCount = routeCount;
        this.skipped = List.copyOf(skipped);
        this.warnings = skipped.stream().map(Skipped::reason).toList();
        int cap = tableSize(byHost.size());
        @SuppressWarnings("unchecked")
        HostRoutes<T>[] routes = new HostRoutes[cap];
        this.hostKeys = new String[cap];
        this.hostHashes = new int[cap];
        this.hostRoutes = routes;
        this.hostMask = cap - 1;
        for (Map.Entry<String, HostRoutes<T>> e : byHost.entrySet()) {
            String name = e.getKey();
            int h = hostHash(name, name.length());
            int i = mix(h) & hostMask;
            while (hostKeys[i] != null) {
                i = (i + 1) & hostMask;
            }
            hostKeys[i] = name;
            hostHashes[i] = h;
            hostRoutes[i] = e.getValue();
        }
    }

    /**
     * Builds the table. Routes that cannot be used are skipped and described in {@link #warnings()}:
     * an unknown method, a template deeper than {@link #MAX_TEMPLATE_SEGMENTS}, a bad host, or the same
     * method on a path that another route already has for the same host (the first one given is kept).
     */
    public static <T> RouteTrie<T> build(List<Entry<T>> entries) {
        BuildNode<T> hostless = new BuildNode<>();
        Map<String, Map<Integer, BuildNode<T>>> byHost = new LinkedHashMap<>();
        Map<String, List<Placed<T>>> anyPortRoutes = new LinkedHashMap<>();
        List<Skipped<T>> skipped = new ArrayList<>();
        int routes = 0;
        for (Entry<T> e : entries) {
            String method = e.method().toUpperCase(Locale.ROOT);
            int m = methodIndex(method);
            if (m < 0) {
                skipped.add(new Skipped<>(e, "skipped " + e.method() + " " + e.pathTemplate() + ": method not supported", null));
                continue;
            }
            String basePath = e.basePath() == null ? "" : e.basePath();
            List<String> segments = new ArrayList<>();
            splitTemplate(basePath, segments);
            splitTemplate(e.pathTemplate(), segments);
            if (segments.size() > MAX_TEMPLATE_SEGMENTS) {
                skipped.add(new Skipped<>(e, "skipped " + method + " " + basePath + e.pathTemplate() + ": more than "
                    + MAX_TEMPLATE_SEGMENTS + " segments", null));
                continue;
            }
            String host = null;
            BuildNode<T> root;
            if (e.host() == null || e.host().isEmpty()) {
                root = hostless;
            } else {
                HostName hn = HostName.parse(e.host());
                if (hn == null) {
                    skipped.add(new Skipped<>(e, "skipped " + method + " " + e.pathTemplate() + ": bad host '" + e.host() + "'", null));
                    continue;
                }
                host = hn.port < 0 ? hn.name : hn.name + ":" + hn.port;
                root = byHost.computeIfAbsent(hn.name, k -> new LinkedHashMap<>())
                    .computeIfAbsent(hn.port, k -> new BuildNode<>());
                if (hn.port < 0) {
                    anyPortRoutes.computeIfAbsent(hn.name, k -> new ArrayList<>()).add(new Placed<>(segments, m, method, host, basePath, e));
                }
            }
            BuildRoute<T> kept = root.add(segments, m, new BuildRoute<>(e, method, host, basePath));
            if (kept != null) {
                skipped.add(new Skipped<>(e, "duplicate route " + method + " " + basePath + e.pathTemplate()
                    + (host == null ? "" : " on " + host) + ": kept " + kept.entry().pathTemplate() + " (" + kept.entry().payload() + ")",
                    kept.entry()));
                continue;
            }
            routes++;
        }
        // a request to host:port may also go to the routes bound to the bare host (any port);
        // those bound to that port come first
        for (Map.Entry<String, Map<Integer, BuildNode<T>>> h : byHost.entrySet()) {
            List<Placed<T>> any = anyPortRoutes.getOrDefault(h.getKey(), List.of());
            for (Map.Entry<Integer, BuildNode<T>> port : h.getValue().entrySet()) {
                if (port.getKey() >= 0) {
                    for (Placed<T> r : any) {
                        port.getValue().add(r.segments(), r.m(), new BuildRoute<>(r.entry(), r.method(), r.host(), r.basePath()));
                    }
                }
            }
        }
        Map<String, HostRoutes<T>> frozen = new LinkedHashMap<>();
        for (Map.Entry<String, Map<Integer, BuildNode<T>>> h : byHost.entrySet()) {
            frozen.put(h.getKey(), HostRoutes.freeze(h.getValue()));
        }
        return new RouteTrie<>(hostless.freeze(), frozen, routes, skipped);
    }

    /**
     * A route that {@link #build} left out, and why.
     *
     * @param keptBy for a duplicate, the route given earlier that has the path and method; else null
     */
    public record Skipped<T>(Entry<T> entry, String reason, Entry<T> keptBy) {
    }

    /** A route with its segments worked out, kept to be added to a second root. */
    private record Placed<T>(List<String> segments, int m, String method, String host, String basePath, Entry<T> entry) {
    }

    /** Routes in the table (entries given minus those skipped). */
    public int routeCount() {
        return routeCount;
    }

    /** What {@link #build} skipped, one sentence each. */
    public List<String> warnings() {
        return warnings;
    }

    /** What {@link #build} skipped, with the routes concerned. */
    public List<Skipped<T>> skipped() {
        return skipped;
    }

    /**
     * The operation for one request, by the ordering rule in the class comment: the path is encoded
     * as UTF-8 and matched by {@link #find(String, String, byte[], int, int)}. Allocates nothing for
     * paths up to {@value #SCRATCH_CHARS} characters (per-thread buffers hold them).
     *
     * @param host the Host header (host[:port]); null or empty when the request had none
     * @param method the request method as sent
     * @param rawPath the request target as sent, query string included
     * @return the match, a {@linkplain Match#isMethodNotAllowed() method-not-allowed} match, or null
     *     when no route's path matches
     */
    public Match<T> find(String host, String method, String rawPath) {
        if (rawPath == null) {
            return null;
        }
        int n = rawPath.length();
        Scratch scratch = n <= SCRATCH_CHARS ? SCRATCH.get() : new Scratch(n);
        rawPath.getChars(0, n, scratch.chars, 0);
        return find(host, method, scratch.bytes, 0, utf8(scratch.chars, n, scratch.bytes));
    }

    /**
     * The operation for one request whose target is {@code path[offset, offset + length)}, UTF-8 as it
     * came off the wire, query string included. Bytes outside that range are never read. Bytes that
     * are not UTF-8 match only templates (a literal is equal to valid UTF-8 only).
     *
     * @param host the Host header (host[:port]); null or empty when the request had none
     * @param method the request method as sent
     * @return as {@link #find(String, String, String)}
     * @throws IndexOutOfBoundsException when the range is not inside {@code path}
     */
    public Match<T> find(String host, String method, byte[] path, int offset, int length) {
        if (path == null) {
            return null;
        }
        Objects.checkFromIndexSize(offset, length, path.length);
        Node<T> root = rootFor(host);
        int end = offset + length;
        int start = length > 0 && path[offset] != '/' ? pathStart(path, offset, end) : offset;
        int m = method == null ? -1 : methodIndex(method);
        return walk(root, path, start, end, m);
    }

    /**
     * The String find's buffers, one per thread as the trie itself is shared: the path's characters
     * and its UTF-8. Encoding from a char[] filled by getChars (an intrinsic copy) measured ~15%
     * faster than reading the String with charAt; {@code getBytes(UTF_8)} was ~20% faster again but
     * allocates, and writes a lone surrogate as '?', which would end the path.
     */
    private static final class Scratch {
        final char[] chars;
        final byte[] bytes;

        Scratch(int chars) {
            this.chars = new char[chars];
            this.bytes = new byte[chars * 3];
        }
    }

    private static final int SCRATCH_CHARS = 2048;
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(() -> new Scratch(SCRATCH_CHARS));

    /**
     * Depth-first in rule order from {@code node}, the path read once, left to right: a segment ends
     * at {@code /}, the path at {@code ?}, {@code #} or {@code n}. Returns the first route in rule
     * order that has method {@code m}; failing that, the first path that matched (method not
     * allowed); failing that, null.
     *
     * <p>The last alternative of a node (its template, or its literal when it has no template) is
     * taken by looping, not by a call: most nodes have one kind of child, so most levels cost no call.
     */
    private static <T> Match<T> walk(Node<T> node, byte[] p, int i, int n, int m) {
        Match<T> notAllowed = null; // the first method-not-allowed in rule order; a later one never replaces it
        while (true) {
            byte c = 0;
            while (i < n && (c = p[i]) == '/') {
                i++;
            }
            if (i == n || c == '?' || c == '#') {
                return first(node.terminal(m), notAllowed);
            }
            Node<T> param = node.param;
            SegmentPattern[] patterns = node.partialPatterns;
            boolean templates = param != null || patterns != null;
            Node<T> child = null;
            int next = 0;
            if (node.litKeys != null) {
                int s = node.literalInPlace(p, i, n);
                if (s >= 0) {
                    child = node.litChildren[s];
                    next = i + node.litKeys[s].length;
                }
            }
            if (child != null) {
                if (!templates) {
                    node = child;
                    i = next;
                    continue;
                }
                Match<T> r = walk(child, p, next, n, m);
                if (r != null) {
                    if (r.isMatched()) {
                        return r;
                    }
                    if (notAllowed == null) {
                        notAllowed = r;
                    }
                }
            }
            // only a segment that goes to a template (or holds an escape) is scanned for its end
            int j = segmentEnd(p, i, n);
            if (j < n && p[j] == '%') {
                do {
                    j = segmentEnd(p, j + 1, n);
                } while (j < n && p[j] == '%');
                byte[] seg = decodeSegment(p, i, j);
                if (seg != null) {
                    return first(walkDecoded(node, seg, p, j, n, m), notAllowed);
                }
            }
            if (!templates) {
                return notAllowed; // a literal lookup that failed is final, unless the segment holds an escape
            }
            if (patterns != null) {
                for (int k = 0; k < patterns.length; k++) {
                    if (patterns[k].matches(p, i, j)) {
                        Match<T> r = walk(node.partialChildren[k], p, j, n, m);
                        if (r != null) {
                            if (r.isMatched()) {
                                return r;
                            }
                            if (notAllowed == null) {
                                notAllowed = r;
                            }
                        }
                    }
                }
            }
            if (param == null) {
                return notAllowed;
            }
            node = param;
            i = j;
        }
    }

    /** Bits 0-63 set for the characters that end or escape a segment: {@code # % / ?}. */
    private static final long DELIMITERS = 1L << '#' | 1L << '%' | 1L << '/' | 1L << '?';

    /** Eight bytes of a byte[] as one long, little-endian: the first byte in the low bits. */
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGH_BITS = 0x8080808080808080L;
    private static final long SLASHES = '/' * ONES;

    /**
     * The high bit of each byte of {@code v} that is zero, exact up to the lowest one (bytes above it
     * may be flagged by the borrow): enough to find the first.
     */
    private static long zeroBytes(long v) {
        return (v - ONES) & ~v & HIGH_BITS;
    }

    /**
     * The bytes of {@code w} that end a segment ({@code # / ?}), as {@link #zeroBytes}; with
     * {@code escapes}, {@code %} too. '/' (0x2F) and '?' (0x3F) differ in one bit: one test finds both.
     */
    private static long delimiters(long w, boolean escapes) {
        long found = zeroBytes((w | 0x10 * ONES) ^ '?' * ONES) | zeroBytes(w ^ '#' * ONES);
        return escapes ? found | zeroBytes(w ^ '%' * ONES) : found;
    }

    /** The first index from {@code i} of {@code # % / ?}, or {@code n}; eight bytes a step. */
    private static int segmentEnd(byte[] p, int i, int n) {
        for (; i <= n - 8; i += 8) {
            long found = delimiters((long) LONG.get(p, i), true);
            if (found != 0) {
                return i + (Long.numberOfTrailingZeros(found) >>> 3);
            }
        }
        for (; i < n; i++) {
            int c = p[i] & 0xFF;
            if (c < 64 && (DELIMITERS >>> c & 1) != 0) {
                return i;
            }
        }
        return n;
    }

    /** A match beats anything; otherwise the earlier method-not-allowed stands. */
    private static <T> Match<T> first(Match<T> later, Match<T> earlier) {
        if (later == null) {
            return earlier;
        }
        return later.isMatched() || earlier == null ? later : earlier;
    }

    /** The same step as {@link #walk} for a segment that had to be percent-decoded (rare: allocates). */
    private static <T> Match<T> walkDecoded(Node<T> node, byte[] seg, byte[] p, int j, int n, int m) {
        Match<T> notAllowed = null;
        if (node.litKeys != null) {
            int s = node.literalDecoded(seg);
            if (s >= 0) {
                Match<T> r = walk(node.litChildren[s], p, j, n, m);
                if (r != null) {
                    if (r.isMatched()) {
                        return r;
                    }
                    notAllowed = r;
                }
            }
        }
        SegmentPattern[] patterns = node.partialPatterns;
        if (patterns != null) {
            for (int k = 0; k < patterns.length; k++) {
                if (patterns[k].matches(seg, 0, seg.length)) {
                    Match<T> r = walk(node.partialChildren[k], p, j, n, m);
                    if (r != null) {
                        if (r.isMatched()) {
                            return r;
                        }
                        if (notAllowed == null) {
                            notAllowed = r;
                        }
                    }
                }
            }
        }
        Node<T> param = node.param;
        if (param != null) {
            Match<T> r = walk(param, p, j, n, m);
            if (r != null && (r.isMatched() || notAllowed == null)) {
                return r;
            }
        }
        return notAllowed;
    }

    private static boolean isPathDelimiter(byte c) {
        return c == '/' || c == '?' || c == '#';
    }

    /**
     * The first eight bytes of the segment at {@code p[i]} as one long, little-endian, {@code /} in
     * the places past its end (a {@code /}, {@code ?} or {@code #}, or {@code n}). Literals of up to
     * seven bytes are decided by this alone; longer ones compare the rest.
     */
    static long headOf(byte[] p, int i, int n) {
        if (i <= n - 8) {
            long w = (long) LONG.get(p, i);
            long found = delimiters(w, false);
            if (found == 0) {
                return w;
            }
            // the bytes below the first delimiter are kept, the rest become '/'
            long kept = (found & -found) - 1 >>> 7;
            return w & kept | SLASHES & ~kept;
        }
        long head = SLASHES;
        for (int k = 0; k < 8 && i + k < n; k++) {
            byte c = p[i + k];
            if (isPathDelimiter(c)) {
                break;
            }
            head = head & ~(0xFFL << 8 * k) | (c & 0xFFL) << 8 * k;
        }
        return head;
    }

    /** {@link #headOf} for bytes that are a whole segment (a literal, a decoded segment). */
    static long headOfText(byte[] s) {
        long head = SLASHES;
        for (int k = 0; k < 8 && k < s.length; k++) {
            head = head & ~(0xFFL << 8 * k) | (s[k] & 0xFFL) << 8 * k;
        }
        return head;
    }

    /** Where a head starts probing, before the mask. */
    static int slotOf(long head) {
        return (int) (head * 0x9E3779B97F4A7C15L >>> 32);
    }

    /** Where the path of an absolute-form target ({@code scheme://authority/path}) in {@code p[from, to)} starts. */
    private static int pathStart(byte[] p, int from, int to) {
        int q = indexOf(p, '?', from, to);
        int scheme = -1;
        for (int k = from; k + 2 < to; k++) {
            if (p[k] == ':' && p[k + 1] == '/' && p[k + 2] == '/') {
                scheme = k;
                break;
            }
        }
        if (scheme <= from || (q >= 0 && scheme > q)) {
            return from;
        }
        int slash = indexOf(p, '/', scheme + 3, to);
        return slash < 0 || (q >= 0 && slash > q) ? (q >= 0 ? q : to) : slash;
    }

    private static int indexOf(byte[] p, char c, int from, int to) {
        for (int k = from; k < to; k++) {
            if (p[k] == c) {
                return k;
            }
        }
        return -1;
    }

    private Node<T> rootFor(String host) {
        if (host == null || host.isEmpty()) {
            return hostless;
        }
        int len = host.length();
        // fast path: a bare lower-case name, as clients send it, found without looking for a port
        int h = hostHash(host, len);
        int i = mix(h) & hostMask;
        String k;
        while ((k = hostKeys[i]) != null) {
            if (hostHashes[i] == h && k.equals(host)) {
                Node<T> root = hostRoutes[i].root(-1);
                return root != null ? root : hostless;
            }
            i = (i + 1) & hostMask;
        }
        return rootForHostPort(host, len);
    }

    /** The general case: a port, upper case, a trailing dot, an IPv6 literal, or an unknown host. */
    private Node<T> rootForHostPort(String host, int len) {
        int nameEnd;
        if (host.charAt(0) == '[') {
            int close = host.indexOf(']');
            nameEnd = close < 0 ? len : close + 1;
        } else {
            nameEnd = host.indexOf(':');
            if (nameEnd < 0) {
                nameEnd = len;
            }
        }
        int port = -1;
        if (nameEnd < len) {
            port = host.charAt(nameEnd) == ':' ? parsePort(host, nameEnd + 1, len) : -2;
        }
        if (nameEnd > 1 && host.charAt(nameEnd - 1) == '.') {
            nameEnd--;
        }
        int h = hostHash(host, nameEnd);
        int i = mix(h) & hostMask;
        String k;
        while ((k = hostKeys[i]) != null) {
            if (hostHashes[i] == h && k.length() == nameEnd && host.regionMatches(true, 0, k, 0, nameEnd)) {
                Node<T> root = hostRoutes[i].root(port);
                return root != null ? root : hostless;
            }
            i = (i + 1) & hostMask;
        }
        return hostless;
    }

    /** The port's value, -1 when absent (empty), -2 when not a port number. */
    private static int parsePort(String s, int from, int to) {
        if (from == to) {
            return -1;
        }
        if (to - from > 5) {
            return -2;
        }
        int v = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -2;
            }
            v = v * 10 + (c - '0');
        }
        return v <= 65535 ? v : -2;
    }

    /**
     * Hash of the first {@code len} characters of a host, ASCII lower-cased, from its length and three
     * of its characters: a full hash is a chain of dependent multiplies, one per character; sampling
     * spreads the few host keys well enough, and every hit is confirmed by comparing the text.
     */
    private static int hostHash(String s, int len) {
        if (len == 0) {
            return 0;
        }
        return (len ^ lower(s.charAt(0)) << 8 ^ lower(s.charAt(len >> 1)) << 16 ^ lower(s.charAt(len - 1)) << 24) * 0x9E3779B1;
    }

    private static char lower(char c) {
        return c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
    }

    static int mix(int h) {
        return h >>> 16 ^ h;
    }

    /** A power of two at least twice {@code n}, so probe chains stay short. */
    static int tableSize(int n) {
        int cap = 2;
        while (cap < 2 * n) {
            cap <<= 1;
        }
        return cap;
    }

    /** Index into {@link #METHODS}, -1 for any other method. Characters, not equals: this runs per request. */
    static int methodIndex(String m) {
        int len = m.length();
        if (len < 3) {
            return -1;
        }
        char c0 = m.charAt(0);
        char c1 = m.charAt(1);
        char c2 = m.charAt(2);
        switch (len) {
            case 3:
                if (c1 == 'E' && c2 == 'T' && c0 == 'G') {
                    return 0;
                }
                return c0 == 'P' && c1 == 'U' && c2 == 'T' ? 1 : -1;
            case 4:
                if (c0 == 'P') {
                    return c1 == 'O' && c2 == 'S' && m.charAt(3) == 'T' ? 2 : -1;
                }
                return c0 == 'H' && c1 == 'E' && c2 == 'A' && m.charAt(3) == 'D' ? 5 : -1;
            case 5:
                if (c0 == 'P') {
                    return m.equals("PATCH") ? 6 : -1;
                }
                return m.equals("TRACE") ? 7 : -1;
            case 6:
                return m.equals("DELETE") ? 3 : -1;
            case 7:
                return m.equals("OPTIONS") ? 4 : -1;
            default:
                return -1;
        }
    }

    /**
     * Template segments of {@code path}, empty ones dropped, literals percent-decoded like requests.
     * A query string in a template is dropped as it is in requests (OpenAI's spec has
     * {@code /responses?beta=true} beside {@code /responses}): the two are then the same route.
     */
    static void splitTemplate(String path, List<String> out) {
        int i = 0;
        int n = path.length();
        for (int k = 0; k < n; k++) {
            char c = path.charAt(k);
            if (c == '?' || c == '#') {
                n = k;
                break;
            }
        }
        while (i < n) {
            int j = path.indexOf('/', i);
            if (j < 0) {
                j = n;
            }
            if (j > i) {
                String seg = path.substring(i, j);
                if (seg.indexOf('%') >= 0 && SegmentPattern.parse(seg) == null) {
                    byte[] raw = utf8(seg);
                    byte[] decoded = decodeSegment(raw, 0, raw.length);
                    if (decoded != null) {
                        seg = new String(decoded, StandardCharsets.UTF_8);
                    }
                }
                out.add(seg);
            }
            i = j + 1;
        }
    }

    /**
     * Percent-decodes {@code p[from, to)}; null when an escape is invalid or the bytes it gives are
     * not UTF-8 (then the segment is matched as sent).
     */
    static byte[] decodeSegment(byte[] p, int from, int to) {
        byte[] bytes = new byte[to - from];
        int n = 0;
        for (int i = from; i < to; i++) {
            byte c = p[i];
            if (c == '%') {
                if (i + 2 >= to) {
                    return null;
                }
                int hi = hexDigit(p[i + 1]);
                int lo = hexDigit(p[i + 2]);
                if (hi < 0 || lo < 0) {
                    return null;
                }
                bytes[n++] = (byte) (hi << 4 | lo);
                i += 2;
            } else {
                bytes[n++] = c;
            }
        }
        try {
            StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes, 0, n));
        } catch (CharacterCodingException e) {
            return null;
        }
        return n == 0 ? null : Arrays.copyOf(bytes, n);
    }

    private static int hexDigit(byte c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        return c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    }

    /**
     * Writes {@code cs[0, n)} as UTF-8 into {@code out}, which has room for three bytes a character,
     * and returns the length. A lone surrogate is written as the three bytes of its code unit: not
     * UTF-8, so, as before the path was bytes, it equals no literal and a template takes it.
     */
    static int utf8(char[] cs, int n, byte[] out) {
        int i = 0;
        // ASCII first, as paths are: one compare and one store a character
        for (; i < n; i++) {
            char c = cs[i];
            if (c >= 0x80) {
                break;
            }
            out[i] = (byte) c;
        }
        int k = i;
        for (; i < n; i++) {
            char c = cs[i];
            if (c < 0x80) {
                out[k++] = (byte) c;
            } else if (c < 0x800) {
                out[k++] = (byte) (0xC0 | c >> 6);
                out[k++] = (byte) (0x80 | c & 0x3F);
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(cs[i + 1])) {
                int cp = Character.toCodePoint(c, cs[++i]);
                out[k++] = (byte) (0xF0 | cp >> 18);
                out[k++] = (byte) (0x80 | cp >> 12 & 0x3F);
                out[k++] = (byte) (0x80 | cp >> 6 & 0x3F);
                out[k++] = (byte) (0x80 | cp & 0x3F);
            } else {
                out[k++] = (byte) (0xE0 | c >> 12);
                out[k++] = (byte) (0x80 | c >> 6 & 0x3F);
                out[k++] = (byte) (0x80 | c & 0x3F);
            }
        }
        return k;
    }

    /** {@code s} as {@link #utf8(char[], int, byte[])} writes it, in an array of its own. */
    static byte[] utf8(String s) {
        byte[] out = new byte[s.length() * 3];
        return Arrays.copyOf(out, utf8(s.toCharArray(), s.length(), out));
    }

    /** A host as routes name it: lower-case name (IPv6 in brackets), port or -1. */
    record HostName(String name, int port) {
        static HostName parse(String host) {
            String h = host.trim().toLowerCase(Locale.ROOT);
            int nameEnd;
            if (h.startsWith("[")) {
                int close = h.indexOf(']');
                if (close < 0) {
                    return null;
                }
                nameEnd = close + 1;
            } else {
                nameEnd = h.indexOf(':');
                if (nameEnd < 0) {
                    nameEnd = h.length();
                }
            }
            int port = -1;
            if (nameEnd < h.length()) {
                if (h.charAt(nameEnd) != ':') {
                    return null;
                }
                port = parsePort(h, nameEnd + 1, h.length());
                if (port == -2) {
                    return null;
                }
            }
            String name = h.substring(0, nameEnd);
            if (name.length() > 1 && name.endsWith(".")) {
                name = name.substring(0, name.length() - 1);
            }
            return name.isEmpty() ? null : new HostName(name, port);
        }
    }

    /** The roots of one host name: one per port it is bound to, and one for "any port". */
    static final class HostRoutes<T> {
        private final int[] ports;
        private final Node<T>[] portRoots;
        private final Node<T> anyPort;

        private HostRoutes(int[] ports, Node<T>[] portRoots, Node<T> anyPort) {
            this.ports = ports;
            this.portRoots = portRoots;
            this.anyPort = anyPort;
        }

        static <T> HostRoutes<T> freeze(Map<Integer, BuildNode<T>> byPort) {
            int n = byPort.containsKey(-1) ? byPort.size() - 1 : byPort.size();
            int[] ports = new int[n];
            @SuppressWarnings("unchecked")
            Node<T>[] roots = new Node[n];
            Node<T> any = null;
            int k = 0;
            for (Map.Entry<Integer, BuildNode<T>> e : byPort.entrySet()) {
                if (e.getKey() == -1) {
                    any = e.getValue().freeze();
                } else {
                    ports[k] = e.getKey();
                    roots[k++] = e.getValue().freeze();
                }
            }
            return new HostRoutes<>(ports, roots, any);
        }

        /** The routes for a request port (-1: none given, -2: unreadable): exact port first, else any-port; null for none. */
        Node<T> root(int port) {
            if (port >= 0) {
                for (int i = 0; i < ports.length; i++) {
                    if (ports[i] == port) {
                        return portRoots[i];
                    }
                }
            }
            return anyPort;
        }
    }

    /** A node of the built trie: immutable, arrays only. */
    static final class Node<T> {
        /**
         * Literal children (UTF-8): open addressing on {@link #headOf their first eight bytes}; several
         * may share a head (consecutive slots), the rest of the bytes decides.
         */
        long[] litHeads;
        byte[][] litKeys;
        Node<T>[] litChildren;
        /** Null unless a literal holds '%', '/', '?' or '#' (decoded from the template): it can only equal a decoded segment. */
        boolean[] litDecodedOnly;
        int litMask;
        SegmentPattern[] partialPatterns;
        Node<T>[] partialChildren;
        Node<T> param;
        /** Indexed like {@link #METHODS}; null when no route ends here. */
        Match<T>[] byMethod;
        Match<T> notAllowed;
        /** The slot of the literal that is the whole segment starting at {@code p[i]}, compared in place; -1 when none is. */
        int literalInPlace(byte[] p, int i, int n) {
            long head = headOf(p, i, n);
            int s = slotOf(head) & litMask;
            byte[] k;
            while ((k = litKeys[s]) != null) {
                if (litHeads[s] == head && (litDecodedOnly == null || !litDecodedOnly[s])) {
                    int len = k.length;
                    if (len < 8) {
                        return s; // the head holds the whole literal and the end of the segment
                    }
                    int end = i + len;
                    if (end <= n && sameTail(p, i, k) && (end == n || isPathDelimiter(p[end]))) {
                        return s;
                    }
                }
                s = (s + 1) & litMask;
            }
            return -1;
        }

        /** The slot of the literal equal to a decoded segment; -1 when none is. */
        int literalDecoded(byte[] seg) {
            long head = headOfText(seg);
            int s = slotOf(head) & litMask;
            byte[] k;
            while ((k = litKeys[s]) != null) {
                if (litHeads[s] == head && Arrays.equals(k, seg)) {
                    return s;
                }
                s = (s + 1) & litMask;
            }
            return -1;
        }

        /** The route for method {@code m} ending here, else method-not-allowed, else null. */
        Match<T> terminal(int m) {
            Match<T>[] routes = byMethod;
            if (routes == null) {
                return null;
            }
            Match<T> r = m >= 0 ? routes[m] : null;
            return r != null ? r : notAllowed;
        }

        /**
         * Bytes 8.. of the key against {@code p[at + 8 ..]} (the caller has checked that they are
         * inside the path); the first eight matched through the head. Eight bytes a compare, the last
         * one overlapping: a key of 9 to 16 bytes costs one.
         */
        private static boolean sameTail(byte[] p, int at, byte[] key) {
            int len = key.length;
            for (int k = 8; k < len - 8; k += 8) {
                if ((long) LONG.get(p, at + k) != (long) LONG.get(key, k)) {
                    return false;
                }
            }
            return (long) LONG.get(p, at + len - 8) == (long) LONG.get(key, len - 8);
        }
    }

    private record BuildRoute<T>(Entry<T> entry, String method, String host, String basePath) {
    }

    /** A node while building: maps keyed by segment text or pattern shape. */
    private static final class BuildNode<T> {
        final Map<String, BuildNode<T>> literals = new LinkedHashMap<>();
        final Map<String, BuildNode<T>> partials = new LinkedHashMap<>();
        final Map<String, SegmentPattern> partialPatterns = new LinkedHashMap<>();
        BuildNode<T> param;
        @SuppressWarnings("unchecked")
        final BuildRoute<T>[] routes = new BuildRoute[METHODS.length];

        /** Adds a route under this root; returns the route already there for that path and method, or null. */
        BuildRoute<T> add(List<String> segments, int m, BuildRoute<T> route) {
            BuildNode<T> node = this;
            for (String seg : segments) {
                node = node.child(seg);
            }
            if (node.routes[m] != null) {
                return node.routes[m];
            }
            node.routes[m] = route;
            return null;
        }

        BuildNode<T> child(String segment) {
            SegmentPattern pattern = SegmentPattern.parse(segment);
            if (pattern == null) {
                return literals.computeIfAbsent(segment, k -> new BuildNode<>());
            }
            if (pattern.isWholeSegment()) {
                if (param == null) {
                    param = new BuildNode<>();
                }
                return param;
            }
            partialPatterns.putIfAbsent(pattern.shape(), pattern);
            return partials.computeIfAbsent(pattern.shape(), k -> new BuildNode<>());
        }

        @SuppressWarnings("unchecked")
        Node<T> freeze() {
            Node<T> n = new Node<>();
            if (!literals.isEmpty()) {
                int cap = tableSize(literals.size());
                n.litHeads = new long[cap];
                n.litKeys = new byte[cap][];
                n.litChildren = new Node[cap];
                n.litMask = cap - 1;
                for (Map.Entry<String, BuildNode<T>> e : literals.entrySet()) {
                    String key = e.getKey();
                    byte[] bytes = utf8(key);
                    long head = headOfText(bytes);
                    int i = slotOf(head) & n.litMask;
                    while (n.litKeys[i] != null) {
                        i = (i + 1) & n.litMask;
                    }
                    n.litHeads[i] = head;
                    n.litKeys[i] = bytes;
                    n.litChildren[i] = e.getValue().freeze();
                    if (key.indexOf('%') >= 0 || key.indexOf('/') >= 0 || key.indexOf('?') >= 0 || key.indexOf('#') >= 0) {
                        if (n.litDecodedOnly == null) {
                            n.litDecodedOnly = new boolean[cap];
                        }
                        n.litDecodedOnly[i] = true;
                    }
                }
            }
            if (!partials.isEmpty()) {
                List<SegmentPattern> order = new ArrayList<>(partialPatterns.values());
                order.sort((a, b) -> a.literalChars() != b.literalChars() ? b.literalChars() - a.literalChars()
                    : a.params() != b.params() ? a.params() - b.params() : a.shape().compareTo(b.shape()));
                n.partialPatterns = order.toArray(new SegmentPattern[0]);
                n.partialChildren = new Node[order.size()];
                for (int k = 0; k < order.size(); k++) {
                    n.partialChildren[k] = partials.get(order.get(k).shape()).freeze();
                }
            }
            if (param != null) {
                n.param = param.freeze();
            }
            BuildRoute<T> first = null;
            List<String> allowed = new ArrayList<>();
            for (BuildRoute<T> r : routes) {
                if (r != null) {
                    allowed.add(r.method());
                    if (first == null) {
                        first = r;
                    }
                }
            }
            if (first != null) {
                List<String> allowedMethods = List.copyOf(allowed);
                n.byMethod = new Match[METHODS.length];
                for (int m = 0; m < METHODS.length; m++) {
                    BuildRoute<T> r = routes[m];
                    if (r != null) {
                        n.byMethod[m] = new Match<>(true, r.entry().payload(), r.method(), r.entry().pathTemplate(),
                            normaliseBasePath(r.basePath()), r.host(), allowedMethods);
                    }
                }
                n.notAllowed = new Match<>(false, null, null, first.entry().pathTemplate(),
                    normaliseBasePath(first.basePath()), first.host(), allowedMethods);
            }
            return n;
        }
    }

    /** {@code ""} for the root, else {@code /a/b} without a trailing slash. */
    static String normaliseBasePath(String basePath) {
        List<String> segments = new ArrayList<>();
        int i = 0;
        while (i < basePath.length()) {
            int j = basePath.indexOf('/', i);
            if (j < 0) {
                j = basePath.length();
            }
            if (j > i) {
                segments.add(basePath.substring(i, j));
            }
            i = j + 1;
        }
        return segments.isEmpty() ? "" : "/" + String.join("/", segments);
    }
}
