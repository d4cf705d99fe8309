package io.gatelens.analytics.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.gatelens.analytics.spec.ApiSpec;
import io.gatelens.analytics.spec.Operation;
import io.gatelens.analytics.spec.ServerBinding;
import io.gatelens.analytics.spec.SpecLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link RouteTrie#find(String, String, byte[], int, int)} against {@link RouteTrie#find(String,
 * String, String)}: the same Match for the same request, on real specs, non-ASCII paths, bytes that
 * are not UTF-8 and hostile paths. Every byte request is a slice of a larger buffer with poison bytes
 * on both sides, chosen so that reading one of them as part of the path changes the answer.
 */
class RouteTrieBytesTest {

    private static final RouteTrie<String> TRIE = RouteTrie.build(List.of(
        route(null, "GET", "/", "root"),
        route(null, "GET", "/search", "search"),
        route(null, "GET", "/searching", "searching"),
        route(null, "GET", "/users/me", "getMe"),
        route(null, "GET", "/users/{id}", "getUser"),
        route(null, "GET", "/café/{id}", "cafe"),
        route(null, "GET", "/café/menu", "cafeMenu"),
        route(null, "GET", "/日本/{city}", "japan"),
        route(null, "GET", "/emoji/😀", "grin"),
        route(null, "GET", "/files/{name}.café", "cafeFile"),
        route(null, "GET", "/files/{name}", "file"),
        route(null, "GET", "/long/averyveryverylongliteralsegment", "longLiteral"),
        route(null, "GET", "/long/{x}", "longParam")));

    private static RouteTrie.Entry<String> route(String host, String method, String template, String op) {
        return new RouteTrie.Entry<>(host, null, method, template, op);
    }

    /**
     * Bytes before and after each slice. Read as part of the path, those after would grow its last
     * segment ({@code /searchi} into {@code /searching}, {@code m%6} into {@code me}), add a segment
     * or an escape; those before would add segments or make it an absolute-form target.
     */
    private static final byte[][] BEFORE = {bytes("/search/x"), bytes("http://h")};
    private static final byte[][] AFTER = {bytes("ng"), bytes("5"), bytes("t"), bytes("x/unknown"), bytes("%41"), bytes("")};

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The byte find over {@code path} laid between each pair of poison bytes, asserted to give one
     * answer for all of them; returns it.
     */
    private static <T> Match<T> findSlice(RouteTrie<T> trie, String host, String method, byte[] path) {
        Match<T> first = null;
        for (int k = 0; k < AFTER.length; k++) {
            byte[] before = BEFORE[k % BEFORE.length];
            byte[] after = AFTER[k];
            byte[] buffer = new byte[before.length + path.length + after.length];
            System.arraycopy(before, 0, buffer, 0, before.length);
            System.arraycopy(path, 0, buffer, before.length, path.length);
            System.arraycopy(after, 0, buffer, before.length + path.length, after.length);
            Match<T> m = trie.find(host, method, buffer, before.length, path.length);
            if (k == 0) {
                first = m;
            } else {
                Match<T> m0 = first;
                assertSame(m0, m, () -> new String(path, StandardCharsets.UTF_8) + " between poison bytes "
                    + new String(before, StandardCharsets.UTF_8) + " and " + new String(after, StandardCharsets.UTF_8)
                    + " found " + m + ", not " + m0);
            }
        }
        return first;
    }

    /** Both finds, asserted to give the same Match (the same object: Matches are made at build time). */
    private static <T> Match<T> both(RouteTrie<T> trie, String host, String method, String path) {
        Match<T> fromString = trie.find(host, method, path);
        Match<T> fromBytes = findSlice(trie, host, method, bytes(path));
        assertSame(fromString, fromBytes, () -> host + " " + method + " " + path + ": String found " + fromString
            + ", bytes found " + fromBytes);
        return fromString;
    }

    private static String name(Match<String> m) {
        return m == null ? "-" : m.isMatched() ? m.payload() : "405 " + m.allowedMethods();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        // the slice ends inside what would be a longer literal, query or escape
        "/search -> search", "/search/ -> search", "/searchi -> -", "/users/m%6 -> getUser", "/users/me -> getMe",
        "/users/m -> getUser", "/users/me% -> getUser",
        "/users/m%65 -> getMe", "/ -> root", " -> root", "? -> root", "http://example.org -> root",
        "http://example.org/users/me -> getMe",
        // non-ASCII literals, raw and percent-encoded (either case)
        "/café/menu -> cafeMenu", "/caf%C3%A9/menu -> cafeMenu", "/caf%c3%a9/menu -> cafeMenu", "/café/42 -> cafe",
        "/%63af%C3%A9/42?x=é -> cafe", "/日本/東京 -> japan", "/%E6%97%A5%E6%9C%AC/x -> japan", "/emoji/😀 -> grin",
        "/emoji/%F0%9F%98%80 -> grin", "/emoji/😁 -> -", "/files/menu.café -> cafeFile", "/files/menu.cafe -> file",
        "/files/.café -> file", "/files/é.café -> cafeFile", "/files/menu%2Ecaf%C3%A9 -> cafeFile",
        // not UTF-8 once decoded: kept as sent, matches no literal, a template takes it
        "/caf%E9/menu -> -", "/users/caf%E9 -> getUser", "/users/%C3 -> getUser", "/users/%C0%AF -> getUser",
        "/users/%ED%A0%80 -> getUser", "/users/%F4%90%80%80 -> getUser",
        // invalid escapes
        "/users/% -> getUser", "/users/%% -> getUser", "/users/%4 -> getUser", "/users/%zz -> getUser",
        "/users/me% -> getUser", "/users/%%36%35 -> getUser", "/%75sers/%6De -> getMe",
        // literals of eight bytes and more, compared eight at a time
        "/long/averyveryverylongliteralsegment -> longLiteral", "/long/averyveryverylongliteralsegmenT -> longParam",
        "/long/averyveryverylongliteralsegment/ -> longLiteral", "/long/averyveryverylongliteralsegmentx -> longParam",
        "/long/averyveryverylongliteralsegmen -> longParam", "/long/averyver -> longParam",
    })
    void bytesAndStringAgree(String line) {
        String[] parts = line.split(" -> ");
        String path = parts[0].strip();
        assertEquals(parts[1], name(both(TRIE, null, "GET", path)), path);
    }

    /** The flat cases of {@link RouteTrieTest}, through the byte find. */
    @Test
    void routeTrieTestCasesAgree() {
        RouteTrie<String> trie = RouteTrieTest.TRIE;
        int n = 0;
        for (var args : RouteTrieTest.cases().toList()) {
            Object[] a = args.get();
            both(trie, (String) a[0], (String) a[1], (String) a[2]);
            n++;
        }
        assertTrue(n >= 70, n + " cases");
    }

    /** Bytes that are not UTF-8: never an exception, never a literal they do not equal. */
    @Test
    void bytesThatAreNotUtf8MatchOnlyTemplates() {
        byte[] cafeLatin1 = {'/', 'c', 'a', 'f', (byte) 0xE9, '/', 'm', 'e', 'n', 'u'};
        assertNull(findSlice(TRIE, null, "GET", cafeLatin1));
        byte[] userLatin1 = {'/', 'u', 's', 'e', 'r', 's', '/', 'm', (byte) 0xE9};
        assertEquals("getUser", findSlice(TRIE, null, "GET", userLatin1).payload());
        // a truncated é: the literal café is its prefix but not equal
        byte[] cafeTruncated = {'/', 'c', 'a', 'f', (byte) 0xC3, '/', 'm', 'e', 'n', 'u'};
        assertNull(findSlice(TRIE, null, "GET", cafeTruncated));

        // random segments: the literal route answers only for its own bytes, the template for the rest
        byte[] cafe = bytes("café");
        SplittableRandom rnd = new SplittableRandom(7);
        for (int i = 0; i < 20_000; i++) {
            byte[] seg = new byte[1 + rnd.nextInt(12)];
            for (int k = 0; k < seg.length; k++) {
                int b;
                do {
                    b = rnd.nextInt(4) == 0 ? cafe[rnd.nextInt(cafe.length)] & 0xFF : rnd.nextInt(256);
                } while (b == '/' || b == '?' || b == '#' || b == '%');
                seg[k] = (byte) b;
            }
            if (rnd.nextInt(4) == 0) {
                seg = Arrays.copyOf(cafe, cafe.length);
                int k = rnd.nextInt(seg.length);
                seg[k] ^= (byte) (1 << rnd.nextInt(8));
                if (seg[k] == '/' || seg[k] == '?' || seg[k] == '#' || seg[k] == '%') {
                    continue;
                }
            }
            byte[] segment = seg;
            byte[] path = concat(bytes("/users/"), segment);
            byte[] asFile = concat(bytes("/files/x."), segment);
            Match<String> user = findSlice(TRIE, null, "GET", path);
            Match<String> file = findSlice(TRIE, null, "GET", asFile);
            assertEquals("getUser", name(user), () -> Arrays.toString(segment));
            String want = Arrays.equals(segment, cafe) ? "cafeFile" : "file";
            assertEquals(want, name(file), () -> Arrays.toString(segment));
        }
    }

    /**
     * A String path with a lone surrogate (no wire bytes can make one): it stays an ordinary
     * character of its segment, as before the walk read bytes; it neither ends the path (as the '?'
     * of getBytes would) nor equals a literal.
     */
    @Test
    void loneSurrogatesInAStringPathStayInTheirSegment() {
        assertEquals("getUser", name(TRIE.find(null, "GET", "/users/\uD800")));
        assertEquals("getUser", name(TRIE.find(null, "GET", "/users/me\uDC00")));
        assertEquals("getUser", name(TRIE.find(null, "GET", "/users/\uDE00me")));
        assertEquals("-", name(TRIE.find(null, "GET", "/caf\uD800/menu")));
        assertEquals("-", name(TRIE.find(null, "GET", "/users/\uD800/x")));
        assertEquals("grin", name(TRIE.find(null, "GET", "/emoji/\uD83D\uDE00")));
    }

    /** Random paths over an alphabet of delimiters, escapes, literals and non-ASCII: both finds agree. */
    @Test
    void randomPathsAgree() {
        String[] pieces = {"/", "/", "?", "#", "%", "%2", "%41", "%2F", "%C3%A9", "%e9", "users", "me", "café", "caf",
            "é", "日本", "😀", "files", "x.café", ".", "search", "long", "averyveryverylongliteralsegment", "42", "http://h"};
        SplittableRandom rnd = new SplittableRandom(11);
        for (int i = 0; i < 50_000; i++) {
            StringBuilder sb = new StringBuilder();
            for (int k = rnd.nextInt(8); k >= 0; k--) {
                sb.append(pieces[rnd.nextInt(pieces.length)]);
            }
            both(TRIE, null, rnd.nextBoolean() ? "GET" : "POST", sb.toString());
        }
    }

    @Test
    void hostilePathsAreBoundedAndAgree() {
        String slashes = "/".repeat(10_000);
        String longSegment = "/users/" + "x".repeat(200_000);
        String longPath = "/a".repeat(50_000);
        String percents = "%".repeat(10_000);
        String escapes = "/%".repeat(10_000) + "/users/me";
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            assertEquals("root", name(both(TRIE, null, "GET", slashes)));
            assertEquals("getMe", name(both(TRIE, null, "GET", slashes + "users" + slashes + "me" + slashes)));
            assertEquals("getUser", name(both(TRIE, null, "GET", longSegment)));
            assertEquals("-", name(both(TRIE, null, "GET", longPath)));
            assertEquals("-", name(both(TRIE, null, "GET", percents)));
            assertEquals("-", name(both(TRIE, null, "GET", "/" + percents)));
            assertEquals("getUser", name(both(TRIE, null, "GET", "/users/" + percents)));
            assertEquals("-", name(both(TRIE, null, "GET", escapes)));
            assertEquals("-", name(both(TRIE, null, "GET", "%")));
            assertEquals("root", name(both(TRIE, null, "GET", "/?" + "%".repeat(100_000))));
        });
    }

    @Test
    void sliceBoundsAreChecked() {
        byte[] path = bytes("/users/me");
        assertEquals("getMe", TRIE.find(null, "GET", path, 0, path.length).payload());
        assertEquals("getUser", TRIE.find(null, "GET", path, 0, path.length - 1).payload());
        assertEquals("root", TRIE.find(null, "GET", path, path.length, 0).payload());
        assertNull(TRIE.find(null, "GET", null, 0, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> TRIE.find(null, "GET", path, 1, path.length));
        assertThrows(IndexOutOfBoundsException.class, () -> TRIE.find(null, "GET", path, -1, 2));
    }

    @Test
    void findBytesAllocatesNothing() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        String[] paths = {"/users/42?x=1", "/users/me", "/café/menu", "/files/x.café", "/nope/x", "/long/averyveryverylongliteralsegment"};
        byte[] buffer = bytes(String.join("", paths));
        int[] offsets = new int[paths.length];
        int[] lengths = new int[paths.length];
        for (int i = 0, at = 0; i < paths.length; i++) {
            offsets[i] = at;
            lengths[i] = bytes(paths[i]).length;
            at += lengths[i];
        }
        int found = 0;
        long least = Long.MAX_VALUE;
        for (int round = 0; round < 6; round++) { // the first rounds warm up; JIT activity may allocate a little
            long before = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
            for (int i = 0; i < 200_000; i++) {
                int k = i % paths.length;
                Match<String> m = TRIE.find(null, (i & 8) == 0 ? "GET" : "POST", buffer, offsets[k], lengths[k]);
                found += m == null ? 0 : 1;
            }
            long allocated = threads.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
            if (round >= 2) {
                least = Math.min(least, allocated);
            }
        }
        assertTrue(least < 1_024, "200,000 finds allocated " + least + " bytes");
        assertTrue(found > 0);
    }

    /**
     * Every operation of the four corpus specs, made concrete several ways (numbers and names for
     * parameters, non-ASCII and percent-encoded values, escaped literals, a query, a trailing slash,
     * an unknown suffix, another method): both finds give the same Match.
     */
    @ParameterizedTest
    @ValueSource(strings = {"api.github.com.json", "stripe-spec3.yaml", "kubernetes-swagger.json", "openai.yaml"})
    void corpusOperationsAgree(String file) throws Exception {
        ApiSpec spec = new SpecLoader().load(corpusSpec(file));
        RouteTrie<Operation> trie = RouteTrie.build(spec.routeEntries());
        SplittableRandom rnd = new SplittableRandom(file.hashCode());
        String[] values = {"42", "octocat", "café", "caf%C3%A9", "a%2Fb", "%zz", "x.y", "v1:cancel", "日本"};
        int checked = 0;
        int matched = 0;
        for (Operation op : spec.operations()) {
            for (ServerBinding server : spec.serversOf(op)) {
                String base = server.basePath() + concrete(op.pathTemplate(), values, rnd);
                List<String> requests = new ArrayList<>(List.of(base, base + "?page=2&q=%2F", base + "/", base + "#f",
                    base + "/unknown-7", escapeFirstLetters(base), "http://h.example" + base));
                for (String request : requests) {
                    for (String method : new String[] {op.method(), "TRACE"}) {
                        Match<Operation> m = both(trie, server.host(), method, request);
                        matched += m != null && m.isMatched() ? 1 : 0;
                        checked++;
                    }
                }
            }
        }
        assertTrue(checked >= spec.operations().size() * 14, file + ": " + checked + " requests");
        assertTrue(matched >= spec.operations().size(), file + ": " + matched + " matched");
    }

    /** The template with each {param} replaced by one of {@code values}, the query dropped. */
    private static String concrete(String template, String[] values, SplittableRandom rnd) {
        int q = template.indexOf('?');
        String t = q < 0 ? template : template.substring(0, q);
        StringBuilder sb = new StringBuilder();
        int i = 0;
        while (i < t.length()) {
            int open = t.indexOf('{', i);
            int close = open < 0 ? -1 : t.indexOf('}', open);
            if (close < 0) {
                sb.append(t, i, t.length());
                break;
            }
            sb.append(t, i, open).append(values[rnd.nextInt(values.length)]);
            i = close + 1;
        }
        return sb.toString();
    }

    /** Each segment's first letter as a %XX escape: the same request, through the decoding step. */
    private static String escapeFirstLetters(String path) {
        StringBuilder sb = new StringBuilder();
        boolean segmentStart = true;
        for (char c : path.toCharArray()) {
            if (segmentStart && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z')) {
                sb.append('%').append(String.format("%02X", (int) c));
            } else {
                sb.append(c);
            }
            segmentStart = c == '/';
        }
        return sb.toString();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** A corpus spec, as CorpusSpecTest finds it: skipped when absent unless GATELENS_REQUIRE_CORPUS=1. */
    private static Path corpusSpec(String name) {
        String env = System.getenv("GATELENS_CORPUS");
        Path dir = env != null && !env.isBlank() ? Path.of(env, "openapi") : Path.of("../../shared/corpus/openapi");
        Path p = dir.resolve(name);
        if (!Files.isRegularFile(p)) {
            String msg = "corpus spec " + p.toAbsolutePath().normalize() + " not found; set GATELENS_CORPUS";
            if ("1".equals(System.getenv("GATELENS_REQUIRE_CORPUS"))) {
                fail(msg);
            }
            Assumptions.abort(msg);
        }
        return p;
    }
}
