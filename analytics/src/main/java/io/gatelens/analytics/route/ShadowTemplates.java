package io.gatelens.analytics.route;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Templates for requests that match no operation ("shadow endpoints"), so they are still counted by
 * something more useful than their raw path. Hand-written, part of the product.
 *
 * <p>A path becomes a template segment by segment:
 * <ul>
 *   <li>a segment that looks like a value becomes {@value #PARAM}: a number, a UUID, hex of 8 or more
 *       characters with at least one digit (so words made of a-f stay words), digits with separators
 *       ({@code 2024-01-31}, {@code 1.2.3}), a token of 16 or more characters mixing letters and
 *       digits, a base64url-looking string of 20 or more letters whose case changes often (random
 *       text, not camelCase), any segment longer than {@value #MAX_LITERAL_CHARS} characters, and
 *       any segment with a brace (so no literal can read like a template's parameter);</li>
 *   <li>any other segment is kept as a literal, until the literals seen at one trie level exceed
 *       {@code maxLiteralsPerLevel}: that level then collapses for good, every value there becomes
 *       {@value #PARAM} (user names, slugs);</li>
 *   <li>the query string and fragment are dropped, empty segments skipped, as in {@link RouteTrie}.</li>
 * </ul>
 *
 * <p>Bounds, so a client spraying random paths cannot exhaust memory: at most {@code maxEndpoints}
 * templates are ever handed out (a template is never taken back, so the set a downstream aggregator
 * sees is bounded too); past that, any path that has no template yet gets {@value #OVERFLOW}. Paths
 * deeper than {@code maxDepth} segments get {@value #OVERFLOW} as well. Nodes are created only for a
 * template that is being handed out, so the trie holds at most {@code maxEndpoints x maxDepth} nodes
 * plus the root, each literal at most {@value #MAX_LITERAL_CHARS} characters.
 *
 * <p>Thread-safe: a path whose template exists is served without a lock and without allocating (the
 * walk reads the path in place; per level an insert-only table of literal children, volatile
 * fields); creating nodes, a template or collapsing a level happens under one lock. The template
 * strings are canonical instances, usable as map keys. Keep one instance per host (or per spec):
 * templates carry no host or method.
 */
public final class ShadowTemplates {
    public static final String PARAM = "{param}";
    public static final String OVERFLOW = "/{overflow}";
    static final int MAX_LITERAL_CHARS = 64;

    public static final int DEFAULT_MAX_ENDPOINTS = 1_000;
    public static final int DEFAULT_MAX_LITERALS_PER_LEVEL = 50;
    public static final int DEFAULT_MAX_DEPTH = 16;

    private final int maxEndpoints;
    private final int maxLiteralsPerLevel;
    private final int maxDepth;
    private final ShadowNode root = new ShadowNode("");
    private final AtomicInteger endpoints = new AtomicInteger();
    private final AtomicInteger nodes = new AtomicInteger(1);
    private final AtomicInteger collapsedLevels = new AtomicInteger();
    private final Object lock = new Object();

    public ShadowTemplates() {
        this(DEFAULT_MAX_ENDPOINTS, DEFAULT_MAX_LITERALS_PER_LEVEL, DEFAULT_MAX_DEPTH);
    }

    public ShadowTemplates(int maxEndpoints, int maxLiteralsPerLevel, int maxDepth) {
        if (maxEndpoints < 1 || maxLiteralsPerLevel < 0 || maxDepth < 1) {
            throw new IllegalArgumentException("maxEndpoints and maxDepth must be >= 1, maxLiteralsPerLevel >= 0");
        }
        this.maxEndpoints = maxEndpoints;
        this.maxLiteralsPerLevel = maxLiteralsPerLevel;
        this.maxDepth = maxDepth;
    }

    /** The shadow template for a request path (query string allowed), e.g. {@code /orders/{param}/items}. */
    public String templateFor(String rawPath) {
        if (rawPath != null) {
            // a path whose template exists: found in place, without a substring or an array
            String known = existingTemplateInPlace(rawPath);
            if (known != null) {
                return known;
            }
            if (endpoints.get() >= maxEndpoints) {
                // full: no template is made any more (nor taken back, nor a level collapsed), so a path
                // without one overflows; a spray of new paths then costs one walk, not the lock
                return OVERFLOW;
            }
        }
        String[] segments = segments(rawPath);
        if (segments == null) {
            return OVERFLOW;
        }
        // lock-free when every node and the template exist
        String known = existingTemplate(segments);
        if (known != null) {
            return known;
        }
        synchronized (lock) {
            return createOrOverflow(segments);
        }
    }

    /** Templates handed out so far (the overflow template not counted); never more than maxEndpoints. */
    public int endpointCount() {
        return endpoints.get();
    }

    /** Live trie nodes, root included. */
    public int nodeCount() {
        return nodes.get();
    }

    /** Levels that collapsed because they saw more than maxLiteralsPerLevel literals. */
    public int collapsedLevels() {
        return collapsedLevels.get();
    }

    /**
     * A rough upper bound of the heap this instance retains, in bytes: per node its object, map and
     * entry, label and template text (as Latin-1 strings). For tests and metrics, not accounting.
     */
    public long retainedBytesEstimate() {
        final long perNode = 48 + 64 + 48 + 2 * (40 + MAX_LITERAL_CHARS);
        final long perTemplate = 40 + (long) maxDepth * (MAX_LITERAL_CHARS + 1);
        return 512 + nodes.get() * perNode + endpoints.get() * perTemplate;
    }

    /**
     * {@link #existingTemplate} of {@code segments(p)}, read from p in place; null also when the path is
     * deeper than maxDepth (the caller's slow path says {@link #OVERFLOW}).
     */
    private String existingTemplateInPlace(String p) {
        int end = pathEnd(p);
        ShadowNode node = root;
        int depth = 0;
        int i = 0;
        while (true) {
            while (i < end && p.charAt(i) == '/') {
                i++;
            }
            if (i == end) {
                return node.template;
            }
            if (++depth > maxDepth) {
                return null;
            }
            int j = i;
            while (j < end && p.charAt(j) != '/') {
                j++;
            }
            node = node.collapsed || looksLikeValue(p, i, j) ? node.param : node.literal(p, i, j);
            if (node == null) {
                return null;
            }
            i = j;
        }
    }

    /** The template at the end of an existing walk, or null when a node or the template is missing. */
    private String existingTemplate(String[] segments) {
        ShadowNode node = root;
        for (String seg : segments) {
            node = node.next(seg);
            if (node == null) {
                return null;
            }
        }
        return node.template;
    }

    /** Under the lock: walk creating what is missing, unless the endpoint bound is reached. */
    private String createOrOverflow(String[] segments) {
        // first without creating: another thread may have made it, or a level may have collapsed since
        String known = existingTemplate(segments);
        if (known != null) {
            return known;
        }
        if (endpoints.get() >= maxEndpoints) {
            return OVERFLOW;
        }
        ShadowNode node = root;
        StringBuilder template = new StringBuilder();
        for (String seg : segments) {
            node = node.nextOrCreate(seg);
            template.append('/').append(node.label);
        }
        if (node.template == null) {
            node.template = template.length() == 0 ? "/" : template.toString();
            endpoints.incrementAndGet();
        }
        return node.template;
    }

    /** Where the path ends: at its query string or fragment, else at the end. */
    private static int pathEnd(String p) {
        for (int i = 0, n = p.length(); i < n; i++) {
            char c = p.charAt(i);
            if (c == '?' || c == '#') {
                return i;
            }
        }
        return p.length();
    }

    /** Segments of the path, query and empty segments dropped; null when deeper than maxDepth. */
    private String[] segments(String rawPath) {
        if (rawPath == null) {
            return new String[0];
        }
        int end = pathEnd(rawPath);
        int count = 0;
        for (int i = 0; i < end; ) {
            while (i < end && rawPath.charAt(i) == '/') {
                i++;
            }
            if (i == end) {
                break;
            }
            if (++count > maxDepth) {
                return null;
            }
            while (i < end && rawPath.charAt(i) != '/') {
                i++;
            }
        }
        String[] out = new String[count];
        int k = 0;
        for (int i = 0; i < end; ) {
            while (i < end && rawPath.charAt(i) == '/') {
                i++;
            }
            if (i == end) {
                break;
            }
            int j = i;
            while (j < end && rawPath.charAt(j) != '/') {
                j++;
            }
            // a value-looking segment is never needed as text: skip the substring
            out[k++] = looksLikeValue(rawPath, i, j) ? PARAM : rawPath.substring(i, j);
            i = j;
        }
        return out;
    }

    /** The classification in the class comment, for {@code s[from, to)}. */
    static boolean looksLikeValue(String s, int from, int to) {
        int len = to - from;
        if (len > MAX_LITERAL_CHARS) {
            return true;
        }
        int digits = 0;
        int upper = 0;
        int lower = 0;
        int hex = 0;
        int separators = 0;
        int other = 0;
        int caseChanges = 0;
        int lastCase = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c >= '0' && c <= '9') {
                digits++;
                hex++;
            } else if (c >= 'a' && c <= 'z') {
                lower++;
                if (c <= 'f') {
                    hex++;
                }
                caseChanges += lastCase == 1 ? 1 : 0;
                lastCase = -1;
            } else if (c >= 'A' && c <= 'Z') {
                upper++;
                if (c <= 'F') {
                    hex++;
                }
                caseChanges += lastCase == -1 ? 1 : 0;
                lastCase = 1;
            } else if (c == '-' || c == '_' || c == '.' || c == ':' || c == '=' || c == '~') {
                separators++;
            } else {
                other++;
            }
        }
        int letters = upper + lower;
        if (len == 0) {
            return false;
        }
        if (other > 0) {
            // braces would let a literal read like a template's {param}: templates must stay unique keys
            for (int i = from; i < to; i++) {
                char c = s.charAt(i);
                if (c == '{' || c == '}') {
                    return true;
                }
            }
            return false;
        }
        if (digits == len) {
            return true;
        }
        if (digits > 0 && letters == 0) {
            return true; // 2024-01-31, 1.2.3, 12:30
        }
        if (len == 36 && isUuid(s, from)) {
            return true;
        }
        if (len >= 8 && hex == len && digits > 0) {
            return true;
        }
        if (len >= 16 && digits > 0 && letters > 0) {
            return true;
        }
        return len >= 20 && upper >= 4 && lower >= 4 && 3 * caseChanges >= len;
    }

    private static boolean isUuid(String s, int from) {
        for (int i = 0; i < 36; i++) {
            char c = s.charAt(from + i);
            if (i == 8 || i == 13 || i == 18 || i == 23) {
                if (c != '-') {
                    return false;
                }
            } else if (Character.digit(c, 16) < 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * One level of the shadow trie. Reads are lock-free; writes happen under the instance lock. The
     * literal children are an open-addressed table keyed by the label's {@code String.hashCode}, so a
     * segment is looked up in the path it came from, without a substring: a slot is written once (a
     * child with final fields, safely published), a larger table is filled before it is published.
     */
    private final class ShadowNode {
        final String label;
        final int labelHash;
        volatile ShadowNode[] literals;
        int literalCount; // under the lock
        volatile ShadowNode param;
        volatile boolean collapsed;
        volatile String template;

        ShadowNode(String label) {
            this.label = label;
            this.labelHash = label.hashCode();
        }

        /** The existing child for a segment, or null. */
        ShadowNode next(String seg) {
            if (seg == PARAM || collapsed) {
                return param;
            }
            return literal(seg, 0, seg.length());
        }

        /** The literal child whose label is {@code s[from, to)}, or null. */
        ShadowNode literal(String s, int from, int to) {
            ShadowNode[] table = literals;
            if (table == null) {
                return null;
            }
            int h = 0;
            for (int i = from; i < to; i++) {
                h = 31 * h + s.charAt(i);
            }
            int len = to - from;
            int mask = table.length - 1;
            for (int k = slot(h) & mask; ; k = (k + 1) & mask) {
                ShadowNode child = table[k];
                if (child == null) {
                    return null;
                }
                if (child.labelHash == h && child.label.length() == len && s.regionMatches(from, child.label, 0, len)) {
                    return child;
                }
            }
        }

        /** Under the lock: the child for a segment, made if missing; collapses the level past the cap. */
        ShadowNode nextOrCreate(String seg) {
            if (seg != PARAM && !collapsed) {
                ShadowNode child = literal(seg, 0, seg.length());
                if (child != null) {
                    return child;
                }
                if (literalCount < maxLiteralsPerLevel) {
                    child = new ShadowNode(seg);
                    insert(child);
                    nodes.incrementAndGet();
                    return child;
                }
                collapse();
            }
            if (param == null) {
                param = new ShadowNode(PARAM);
                nodes.incrementAndGet();
            }
            return param;
        }

        /** Under the lock: adds a literal child, the table at most half full. */
        private void insert(ShadowNode child) {
            ShadowNode[] table = literals;
            if (table == null || 2 * (literalCount + 1) > table.length) {
                ShadowNode[] larger = new ShadowNode[table == null ? 8 : 2 * table.length];
                if (table != null) {
                    for (ShadowNode old : table) {
                        if (old != null) {
                            place(larger, old);
                        }
                    }
                }
                place(larger, child);
                literals = larger; // published whole
            } else {
                place(table, child);
            }
            literalCount++;
        }

        private static void place(ShadowNode[] table, ShadowNode child) {
            int mask = table.length - 1;
            int k = slot(child.labelHash) & mask;
            while (table[k] != null) {
                k = (k + 1) & mask;
            }
            table[k] = child;
        }

        private static int slot(int hash) {
            int h = hash * 0x9E3779B9;
            return h ^ (h >>> 16);
        }

        /** Drops the literal children (their templates stay valid strings, the nodes go) for good. */
        private void collapse() {
            collapsed = true;
            ShadowNode[] table = literals;
            literals = null;
            literalCount = 0;
            if (table != null) {
                int dropped = 0;
                for (ShadowNode child : table) {
                    if (child != null) {
                        dropped += child.size();
                    }
                }
                nodes.addAndGet(-dropped);
            }
            collapsedLevels.incrementAndGet();
        }

        private int size() {
            int n = 1;
            ShadowNode[] table = literals;
            if (table != null) {
                for (ShadowNode child : table) {
                    if (child != null) {
                        n += child.size();
                    }
                }
            }
            if (param != null) {
                n += param.size();
            }
            return n;
        }
    }
}
