package io.gatelens.analytics.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The route table as a flat list of requests and what each must find. "-" means no match, "405 [..]"
 * a path that matches with no operation for the method (the allowed methods listed).
 */
class RouteTrieTest {

    static final RouteTrie<String> TRIE = RouteTrie.build(List.of(
        route(null, null, "GET", "/", "root"),
        route(null, null, "GET", "/search", "search"),
        route(null, null, "GET", "/users/me", "getMe"),
        route(null, null, "GET", "/users/me/settings", "mySettings"),
        route(null, null, "GET", "/users/{id}", "getUser"),
        route(null, null, "DELETE", "/users/{userId}", "deleteUser"),
        route(null, null, "GET", "/users/{id}/posts", "userPosts"),
        route(null, null, "GET", "/files/report.pdf", "reportPdf"),
        route(null, null, "GET", "/files/{name}.{ext}", "fileWithExt"),
        route(null, null, "GET", "/files/{name}", "file"),
        route(null, null, "POST", "/v1/jobs/{id}:cancel", "cancelJob"),
        route(null, null, "GET", "/v1/jobs/{id}:{action}", "jobAction"),
        route(null, null, "GET", "/v1/jobs/{id}", "getJob"),
        route(null, null, "GET", "/café/menu", "cafeMenu"),
        route(null, null, "GET", "/docs/a%2Fb", "docWithSlash"),
        route(null, "/api/", "GET", "/status", "apiStatus"),
        route("api.example.com", null, "GET", "/users/{id}", "exampleUser"),
        route("api.example.com", "/v2", "GET", "/items", "itemsV2"),
        route("api.example.com:8443", null, "GET", "/admin", "admin8443"),
        route("[::1]:9000", null, "GET", "/local", "ipv6Local")));

    private static RouteTrie.Entry<String> route(String host, String basePath, String method, String template, String op) {
        return new RouteTrie.Entry<>(host, basePath, method, template, op);
    }

    static Stream<Arguments> cases() {
        return Stream.of(
            // literal over template
            c(null, "GET", "/users/me", "getMe"),
            c(null, "GET", "/users/42", "getUser"),
            c(null, "GET", "/users/me/settings", "mySettings"),
            // backtracking: /users/me has no /posts, /users/{id}/posts has
            c(null, "GET", "/users/me/posts", "userPosts"),
            c(null, "GET", "/users/42/settings", "-"),
            // method decides; a path without the method is its own result
            c(null, "DELETE", "/users/42", "deleteUser"),
            c(null, "DELETE", "/users/me", "deleteUser"), // /users/me has no DELETE: /users/{userId} has
            c(null, "PUT", "/users/42", "405 [GET, DELETE]"),
            c(null, "PUT", "/users/me", "405 [GET]"), // the first matching path in rule order reports
            c(null, "get", "/users/42", "405 [GET, DELETE]"), // methods are case-sensitive
            c(null, "PROPFIND", "/users/42", "405 [GET, DELETE]"),
            c(null, null, "/users/42", "405 [GET, DELETE]"),
            // partial segments: after literals, before a whole-segment template
            c(null, "GET", "/files/report.pdf", "reportPdf"),
            c(null, "GET", "/files/notes.txt", "fileWithExt"),
            c(null, "GET", "/files/archive.tar.gz", "fileWithExt"),
            c(null, "GET", "/files/notes", "file"),
            c(null, "GET", "/files/.txt", "file"), // a parameter takes at least one character
            c(null, "GET", "/files/notes.", "file"),
            c(null, "POST", "/v1/jobs/7:cancel", "cancelJob"),
            c(null, "GET", "/v1/jobs/7:cancel", "jobAction"), // {id}:cancel has no GET; {id}:{action} has
            c(null, "GET", "/v1/jobs/7:run", "jobAction"),
            c(null, "GET", "/v1/jobs/7", "getJob"),
            c(null, "DELETE", "/v1/jobs/7:cancel", "405 [POST]"),
            // query string and fragment
            c(null, "GET", "/search?q=a/b&x=%2F", "search"),
            c(null, "GET", "/search#top", "search"),
            c(null, "GET", "/users/42?fields=name", "getUser"),
            c(null, "GET", "/users/me?x", "getMe"),
            c(null, "GET", "/?page=2", "root"),
            c(null, "GET", "?page=2", "root"),
            c(null, "GET", "", "root"),
            // trailing slash, empty segments
            c(null, "GET", "/users/42/", "getUser"),
            c(null, "GET", "//users///42//", "getUser"),
            c(null, "GET", "/users/me/", "getMe"),
            c(null, "GET", "/", "root"),
            c(null, "GET", "//", "root"),
            // case-sensitive paths
            c(null, "GET", "/Users/42", "-"),
            c(null, "GET", "/SEARCH", "-"),
            // percent-encoding: split on '/' first, then decode each segment
            c(null, "GET", "/users/m%65", "getMe"),
            c(null, "GET", "/%75sers/me", "getMe"),
            c(null, "GET", "/users/a%2Fb", "getUser"),
            c(null, "GET", "/users/a%2fb/posts", "userPosts"),
            c(null, "GET", "/users/%zz", "getUser"), // an invalid escape keeps the segment as sent
            c(null, "GET", "/users/%", "getUser"),
            c(null, "GET", "/caf%C3%A9/menu", "cafeMenu"),
            c(null, "GET", "/café/menu", "cafeMenu"),
            c(null, "GET", "/caf%E9/menu", "-"), // not UTF-8: kept as sent, matches no literal
            c(null, "GET", "/docs/a%2Fb", "docWithSlash"),
            c(null, "GET", "/docs/a/b", "-"),
            c(null, "GET", "/files/report%2Epdf", "reportPdf"),
            c(null, "GET", "/files/notes%2Etxt", "fileWithExt"),
            // absolute-form targets
            c(null, "GET", "http://example.org/users/42?x=1", "getUser"),
            c(null, "GET", "https://example.org", "root"),
            // base path
            c(null, "GET", "/api/status", "apiStatus"),
            c(null, "GET", "/status", "-"),
            // hosts: case-insensitive, port ignored when the route binds none
            c("api.example.com", "GET", "/users/1", "exampleUser"),
            c("API.Example.COM", "GET", "/users/1", "exampleUser"),
            c("api.example.com.", "GET", "/users/1", "exampleUser"),
            c("api.example.com:443", "GET", "/users/1", "exampleUser"),
            c("api.example.com:8443", "GET", "/users/1", "exampleUser"), // bare-host routes take any port
            c("api.example.com", "GET", "/v2/items", "itemsV2"),
            c("api.example.com", "GET", "/items", "-"),
            c("api.example.com:8443", "GET", "/admin", "admin8443"),
            c("api.example.com", "GET", "/admin", "-"), // bound to port 8443 only
            c("api.example.com:9443", "GET", "/admin", "-"),
            c("[::1]:9000", "GET", "/local", "ipv6Local"),
            c("[::1]:9001", "GET", "/local", "-"),
            // a bound host is answered by its own routes only
            c("api.example.com", "GET", "/users/me", "exampleUser"),
            c("api.example.com", "GET", "/search", "-"),
            // a host no route is bound to falls back to the host-less routes
            c("other.example.org", "GET", "/users/me", "getMe"),
            c("other.example.org:8080", "GET", "/search", "search"),
            c("", "GET", "/users/me", "getMe"),
            c(null, "GET", "/users/me", "getMe"),
            c("api.example.com:notaport", "GET", "/users/1", "exampleUser"),
            // misses
            c(null, "GET", "/nope", "-"),
            c(null, "GET", "/users", "-"),
            c(null, "GET", "/users/42/posts/7", "-"),
            c(null, "GET", "/v1/jobs", "-"),
            c("api.example.com", "GET", "/", "-"));
    }

    private static Arguments c(String host, String method, String path, String expected) {
        return Arguments.of(host, method, path, expected);
    }

    @ParameterizedTest(name = "[{index}] {0} {1} {2} -> {3}")
    @MethodSource("cases")
    void finds(String host, String method, String path, String expected) {
        Match<String> m = TRIE.find(host, method, path);
        String got = m == null ? "-" : m.isMatched() ? m.payload() : "405 " + m.allowedMethods();
        assertEquals(expected, got, () -> host + " " + method + " " + path + " found " + m);
    }

    @Test
    void buildsWithoutWarnings() {
        assertEquals(List.of(), TRIE.warnings());
        assertEquals(20, TRIE.routeCount());
    }

    @Test
    void matchCarriesTemplateBasePathAndHost() {
        Match<String> m = TRIE.find("API.example.com", "GET", "/v2/items?x=1");
        assertNotNull(m);
        assertEquals("/items", m.template());
        assertEquals("/v2", m.basePath());
        assertEquals("api.example.com", m.host());
        assertEquals("GET", m.method());
        Match<String> api = TRIE.find(null, "GET", "/api/status");
        assertEquals("/api", api.basePath(), "base path normalised without its trailing slash");
        assertNull(api.host());
        Match<String> notAllowed = TRIE.find(null, "POST", "/users/7");
        assertTrue(notAllowed.isMethodNotAllowed());
        assertNull(notAllowed.payload());
        assertEquals("/users/{id}", notAllowed.template());
    }

    @Test
    void matchesAreSharedNotAllocated() {
        // find hands out the Match made at build time: the same object for the same route
        assertTrue(TRIE.find(null, "GET", "/users/1") == TRIE.find(null, "GET", "/users/2?x"));
    }

    @Test
    void duplicatesAndBadRoutesAreSkippedWithAWarning() {
        RouteTrie<String> t = RouteTrie.build(List.of(
            route(null, null, "GET", "/a/{x}", "first"),
            route(null, null, "get", "/a/{y}/", "second"), // the same path once parameter names are erased
            route(null, null, "QUERY", "/a", "query"),
            route("bad host:xx", null, "GET", "/b", "bad"),
            route(null, null, "GET", "/x" + "/s".repeat(RouteTrie.MAX_TEMPLATE_SEGMENTS), "deep")));
        assertEquals(1, t.routeCount());
        assertEquals(4, t.warnings().size(), t.warnings().toString());
        assertTrue(t.warnings().get(0).contains("duplicate route GET /a/{y}/: kept /a/{x} (first)"), t.warnings().get(0));
        assertEquals("first", t.find(null, "GET", "/a/1").payload());
    }

    @Test
    void portSpecificRoutesComeBeforeBareHostRoutes() {
        RouteTrie<String> t = RouteTrie.build(List.of(
            route("h.example", null, "GET", "/x", "anyPort"),
            route("h.example:8080", null, "GET", "/x", "port8080")));
        assertEquals("port8080", t.find("h.example:8080", "GET", "/x").payload());
        assertEquals("anyPort", t.find("h.example:8081", "GET", "/x").payload());
        assertEquals("anyPort", t.find("h.example", "GET", "/x").payload());
    }

    @Test
    void findAllocatesNothing() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        String[] paths = {"/users/42?x=1", "/users/me/posts", "/files/notes.txt", "/v1/jobs/7:cancel", "/nope/x", "/users/42/"};
        String[] hosts = {null, "api.example.com", "API.example.com:443", "other.example.org"};
        int found = 0;
        long least = Long.MAX_VALUE;
        for (int round = 0; round < 6; round++) { // the first rounds warm up; JIT activity may allocate a little
            long before = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
            for (int i = 0; i < 200_000; i++) {
                Match<String> m = TRIE.find(hosts[i & 3], (i & 8) == 0 ? "GET" : "POST", paths[i % paths.length]);
                found += m == null ? 0 : 1;
            }
            long allocated = threads.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
            if (round >= 2) {
                least = Math.min(least, allocated);
            }
        }
        // one allocation per find would be at least 16 bytes x 200,000
        assertTrue(least < 1_024, "200,000 finds allocated " + least + " bytes");
        assertTrue(found > 0);
    }

    @Test
    void emptyTrieFindsNothing() {
        RouteTrie<String> t = RouteTrie.build(List.of());
        assertNull(t.find("a", "GET", "/"));
        assertNull(t.find(null, "GET", null));
    }

    /**
     * A trie built to tempt a backtracking matcher: every level has a literal {@code a} and a template,
     * 2^12 routes that all end in {@code /end}. A path of 10,000 {@code a} segments matches none; a
     * naive matcher would try every combination for every prefix. This one visits each trie node at
     * most once and never reads past the trie's depth.
     */
    @Test
    void hostileInputIsBounded() {
        List<RouteTrie.Entry<String>> routes = new ArrayList<>();
        int depth = 12;
        for (int mask = 0; mask < 1 << depth; mask++) {
            StringBuilder t = new StringBuilder();
            for (int level = 0; level < depth; level++) {
                t.append((mask >> level & 1) == 0 ? "/a" : "/{p" + level + "}");
            }
            routes.add(route(null, null, "GET", t + "/end", "r" + mask));
        }
        RouteTrie<String> trie = RouteTrie.build(routes);
        assertEquals(1 << depth, trie.routeCount());
        String hostile = "/a".repeat(10_000);
        String hostileEscaped = "/%61".repeat(10_000);
        String hostileSlashes = "/".repeat(100_000) + "a";
        assertEquals("r0", trie.find(null, "GET", "/a".repeat(depth) + "/end").payload());
        assertEquals("r" + ((1 << depth) - 1), trie.find(null, "GET", "/b".repeat(depth) + "/end").payload());
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            for (int i = 0; i < 20; i++) {
                assertNull(trie.find(null, "GET", hostile));
                assertNull(trie.find(null, "GET", hostileEscaped));
                assertNull(trie.find(null, "GET", hostileSlashes));
                assertNull(trie.find(null, "GET", "/a".repeat(depth) + "/nope"));
            }
        });
        long start = System.nanoTime();
        for (int i = 0; i < 100; i++) {
            assertNull(trie.find(null, "GET", hostile));
        }
        long perFindUs = (System.nanoTime() - start) / 100 / 1000;
        // the trie has ~2 * 4096 nodes: one find visits at most that many, ~1 ms; far from 2^12 * 10,000
        assertTrue(perFindUs < 50_000, "a hostile find took " + perFindUs + " us");
    }

    @Test
    void segmentPatternsMatchWithoutBacktracking() {
        SegmentPattern p = SegmentPattern.parse("{a}-{b}-{c}.{d}");
        assertTrue(p.matches("x-y-z.w", 0, 7));
        assertTrue(p.matches("x-y-z-q.w.v", 0, 11));
        assertTrue(!p.matches("x-y.w", 0, 5));
        assertTrue(!p.matches("--.", 0, 3));
        String long1 = "-".repeat(100_000);
        assertTrue(!p.matches(long1, 0, long1.length()));
        assertNull(SegmentPattern.parse("plain"));
        assertNull(SegmentPattern.parse("{open"));
        assertNull(SegmentPattern.parse("close}"));
        assertNull(SegmentPattern.parse("{}"));
        assertNull(SegmentPattern.parse("{a{b}}"));
        assertTrue(SegmentPattern.parse("{id}").isWholeSegment());
        assertEquals("{}:cancel", SegmentPattern.parse("{id}:cancel").shape());
    }

    @Test
    void findIsThreadSafe() throws Exception {
        List<Thread> threads = new ArrayList<>();
        List<Throwable> errors = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            Thread th = new Thread(() -> {
                try {
                    for (int i = 0; i < 20_000; i++) {
                        assertEquals("getUser", TRIE.find(null, "GET", "/users/" + i).payload());
                        assertEquals("getMe", TRIE.find(null, "GET", "/users/me").payload());
                    }
                } catch (Throwable e) {
                    synchronized (errors) {
                        errors.add(e);
                    }
                }
            });
            threads.add(th);
            th.start();
        }
        for (Thread th : threads) {
            th.join();
        }
        if (!errors.isEmpty()) {
            fail(errors.get(0));
        }
    }
}
