package io.gatelens.analytics.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ShadowTemplatesTest {

    static Stream<Arguments> templates() {
        return Stream.of(
            t("/orders/12345/items", "/orders/{param}/items"),
            t("/orders/12345/items?page=2#x", "/orders/{param}/items"),
            t("/orders/12345/items/", "/orders/{param}/items"),
            t("//orders//12345", "/orders/{param}"),
            t("/", "/"),
            t("", "/"),
            t("/?q=1", "/"),
            t("/users/3f2504e0-4f89-11d3-9a0c-0305e82c3301", "/users/{param}"),
            t("/users/3F2504E0-4F89-11D3-9A0C-0305E82C3301/avatar", "/users/{param}/avatar"),
            t("/commits/9fceb02d0ae598e95dc970b74767f19372d61af8", "/commits/{param}"),
            t("/blobs/deadbee1", "/blobs/{param}"),
            t("/blobs/deadbeef", "/blobs/deadbeef"), // a-f letters only: could be a word
            t("/reports/2024-01-31", "/reports/{param}"),
            t("/v/1.2.3/notes", "/v/{param}/notes"),
            t("/v1/things", "/v1/things"),
            t("/api/v2/health", "/api/v2/health"),
            t("/s/aZ3kP9qLm2Xw8RtY", "/s/{param}"),                    // letters and digits, 16
            t("/s/aZ3kP9qLm2Xw8Rt", "/s/aZ3kP9qLm2Xw8Rt"),              // 15: too short to call random
            t("/t/dGhpcyBpcyBhIHRlc3Q_LWp3dA", "/t/{param}"),           // base64url
            t("/t/eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig", "/t/{param}"), // a JWT
            t("/docs/GetUserPreferencesAndSettings", "/docs/GetUserPreferencesAndSettings"), // camelCase
            t("/docs/organization-settings-overview", "/docs/organization-settings-overview"),
            t("/x/" + "a".repeat(65), "/x/{param}"),                   // longer than any literal kept
            t("/x/{param}", "/x/{param}"),
            t("/x/{id}", "/x/{param}"),                                 // braces never stay literal
            t("/files/report.pdf", "/files/report.pdf"));
    }

    private static Arguments t(String path, String template) {
        return Arguments.of(path, template);
    }

    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @MethodSource("templates")
    void infersTemplates(String path, String template) {
        assertEquals(template, new ShadowTemplates().templateFor(path));
    }

    @Test
    void templatesAreCanonicalInstances() {
        ShadowTemplates s = new ShadowTemplates();
        assertSame(s.templateFor("/orders/1"), s.templateFor("/orders/2?x"));
        assertEquals(1, s.endpointCount());
    }

    @Test
    void aLevelCollapsesPastTheLiteralCap() {
        ShadowTemplates s = new ShadowTemplates(1_000, 50, 16);
        for (int i = 0; i < 50; i++) {
            assertEquals("/users/user" + name(i) + "/repos", s.templateFor("/users/user" + name(i) + "/repos"));
        }
        // the 51st distinct value collapses the level: from now on every value there is {param}
        assertEquals("/users/{param}/repos", s.templateFor("/users/user" + name(50) + "/repos"));
        assertEquals("/users/{param}/repos", s.templateFor("/users/user" + name(0) + "/repos"));
        assertEquals("/users/{param}/repos", s.templateFor("/users/someone-new/repos"));
        assertEquals(1, s.collapsedLevels());
        assertEquals(51, s.endpointCount());
        // other levels are not affected
        assertEquals("/teams/core", s.templateFor("/teams/core"));
    }

    @Test
    void endpointsAreBoundedAndOverflowBeyond() {
        ShadowTemplates s = new ShadowTemplates(10, 1_000, 16);
        for (int i = 0; i < 10; i++) {
            assertEquals("/p" + name(i), s.templateFor("/p" + name(i)));
        }
        assertEquals(ShadowTemplates.OVERFLOW, s.templateFor("/one-too-many"));
        assertEquals("/p" + name(3), s.templateFor("/p" + name(3)), "known templates keep working");
        assertEquals("/p" + name(3), s.templateFor("//p" + name(3) + "/?q=1"), "however spelled");
        assertEquals(ShadowTemplates.OVERFLOW, s.templateFor("/p" + name(3) + "/deeper"), "a new path under a known one");
        assertEquals(ShadowTemplates.OVERFLOW, s.templateFor("/" + "a/".repeat(40)));
        assertEquals(10, s.endpointCount());
    }

    @Test
    void aKnownPathIsFoundAgainWhateverItsSpelling() {
        ShadowTemplates s = new ShadowTemplates(1_000, 40, 16);
        // "Aa" and "BB" have the same String hash: the table must tell them apart
        assertEquals("/Aa/x", s.templateFor("/Aa/x"));
        assertEquals("/BB/x", s.templateFor("/BB/x"));
        for (int i = 0; i < 20; i++) { // the level's table grows past its first size
            assertEquals("/lit" + (char) ('a' + i) + "/{param}", s.templateFor("/lit" + (char) ('a' + i) + "/" + i));
        }
        int endpoints = s.endpointCount();
        assertEquals("/Aa/x", s.templateFor("//Aa//x/?q=1"));
        assertEquals("/BB/x", s.templateFor("/BB/x#frag"));
        assertEquals("/litq/{param}", s.templateFor("/litq/123456?x=/y"));
        assertEquals("/litq/{param}", s.templateFor("/litq/0f3c9a2be1d04c7e"));
        assertSame(s.templateFor("/Aa/x"), s.templateFor("/Aa/x/"));
        assertEquals(endpoints, s.endpointCount(), "nothing new was made");
        // unknown: made on the slow path, then known
        assertEquals("/Aa/y", s.templateFor("/Aa/y"));
        assertEquals(endpoints + 1, s.endpointCount());
        assertEquals("/", s.templateFor("/?only=query"));
        assertEquals("/", s.templateFor(null));
    }

    @Test
    void deepPathsOverflow() {
        ShadowTemplates s = new ShadowTemplates();
        assertEquals(ShadowTemplates.OVERFLOW, s.templateFor("/a".repeat(17)));
        assertEquals("/a".repeat(16), s.templateFor("/a".repeat(16)));
        assertEquals(ShadowTemplates.OVERFLOW, s.templateFor("/a".repeat(100_000)));
    }

    /**
     * A client spraying a million random paths: words, tokens and numbers at random depths. The
     * endpoint count stays at the bound, the trie small, and the heap it holds a few megabytes.
     */
    @ParameterizedTest(name = "literal cap {0}")
    @org.junit.jupiter.params.provider.ValueSource(ints = {ShadowTemplates.DEFAULT_MAX_LITERALS_PER_LEVEL, 1_000_000})
    void memoryStaysBoundedUnderRandomPaths(int literalCap) {
        long before = usedHeapAfterGc();
        // with the default cap levels collapse early; with a huge one only the endpoint bound holds
        ShadowTemplates s = new ShadowTemplates(ShadowTemplates.DEFAULT_MAX_ENDPOINTS, literalCap, ShadowTemplates.DEFAULT_MAX_DEPTH);
        SplittableRandom rnd = new SplittableRandom(7);
        Set<String> distinct = ConcurrentHashMap.newKeySet();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 1_000_000; i++) {
            sb.setLength(0);
            int depth = 1 + rnd.nextInt(6);
            for (int d = 0; d < depth; d++) {
                sb.append('/');
                switch (rnd.nextInt(4)) {
                    case 0 -> sb.append(rnd.nextInt(1_000_000));
                    case 1 -> sb.append(Long.toHexString(rnd.nextLong()));
                    default -> {
                        int len = 3 + rnd.nextInt(10);
                        for (int k = 0; k < len; k++) {
                            sb.append((char) ('a' + rnd.nextInt(26)));
                        }
                    }
                }
            }
            if (rnd.nextInt(4) == 0) {
                sb.append("?q=").append(rnd.nextInt());
            }
            distinct.add(s.templateFor(sb.toString()));
        }
        long after = usedHeapAfterGc();
        assertTrue(s.endpointCount() <= ShadowTemplates.DEFAULT_MAX_ENDPOINTS, "endpoints " + s.endpointCount());
        assertTrue(distinct.size() <= ShadowTemplates.DEFAULT_MAX_ENDPOINTS + 1, "distinct templates " + distinct.size());
        if (literalCap > 1_000) {
            assertEquals(ShadowTemplates.DEFAULT_MAX_ENDPOINTS, s.endpointCount());
            assertTrue(distinct.contains(ShadowTemplates.OVERFLOW));
        }
        int maxNodes = 1 + ShadowTemplates.DEFAULT_MAX_ENDPOINTS * ShadowTemplates.DEFAULT_MAX_DEPTH;
        assertTrue(s.nodeCount() <= maxNodes, "nodes " + s.nodeCount());
        assertTrue(s.retainedBytesEstimate() < 16L << 20, "estimate " + s.retainedBytesEstimate());
        long retained = after - before;
        // the set of distinct templates above is held too; both together stay far under 32 MiB
        assertTrue(retained < 32L << 20, "heap grew by " + retained + " bytes");
        System.out.printf("shadow templates (literal cap %d) after 1,000,000 random paths: %d endpoints, %d nodes, %d levels collapsed,"
                + " estimate %d KiB, measured heap growth %d KiB%n", literalCap, s.endpointCount(), s.nodeCount(),
            s.collapsedLevels(), s.retainedBytesEstimate() >> 10, Math.max(0, retained) >> 10);
        distinct.clear();
    }

    @Test
    void isThreadSafe() throws Exception {
        ShadowTemplates s = new ShadowTemplates(200, 20, 16);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Set<String>>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int seed = t;
                results.add(pool.submit(() -> {
                    SplittableRandom rnd = new SplittableRandom(seed);
                    Set<String> seen = new java.util.HashSet<>();
                    for (int i = 0; i < 100_000; i++) {
                        String p = "/" + name(rnd.nextInt(40)) + "/" + name(rnd.nextInt(40)) + "/" + rnd.nextInt(100);
                        String template = s.templateFor(p);
                        assertTrue(template.equals(ShadowTemplates.OVERFLOW) || template.endsWith("/{param}"), template);
                        seen.add(template);
                    }
                    return seen;
                }));
            }
            Set<String> all = new java.util.HashSet<>();
            for (Future<Set<String>> f : results) {
                all.addAll(f.get());
            }
            assertTrue(s.endpointCount() <= 200, "endpoints " + s.endpointCount());
            assertTrue(all.size() <= 201, "templates handed out " + all.size());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void classifiesValues() {
        assertTrue(ShadowTemplates.looksLikeValue("42", 0, 2));
        assertTrue(!ShadowTemplates.looksLikeValue("v2", 0, 2));
        assertTrue(!ShadowTemplates.looksLikeValue("", 0, 0));
        assertTrue(!ShadowTemplates.looksLikeValue("users", 0, 5));
    }

    /** Letters only, so the name itself never looks like a value. */
    private static String name(int i) {
        StringBuilder sb = new StringBuilder();
        do {
            sb.append((char) ('a' + i % 26));
            i /= 26;
        } while (i > 0);
        return sb.append("x").toString();
    }

    private static long usedHeapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
