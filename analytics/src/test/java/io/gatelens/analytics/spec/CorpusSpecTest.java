package io.gatelens.analytics.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatelens.analytics.route.Match;
import io.gatelens.analytics.route.RouteTrie;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The four real specs of the corpus: each loads with its documented operation count, and every one
 * of its operations, made concrete, maps back to exactly that operation through the route table.
 */
class CorpusSpecTest {

    static Stream<Arguments> specs() {
        return Stream.of(
            // file, operations, declared version, servers (host basePath), operations with their own servers
            Arguments.of("api.github.com.json", 771, "3.0.3", "api.github.com ", 1),
            Arguments.of("stripe-spec3.yaml", 468, "3.0.0", "api.stripe.com ", 1),
            Arguments.of("kubernetes-swagger.json", 1123, "2.0", "null ", 0),
            Arguments.of("openai.yaml", 288, "3.1.0", "api.openai.com /v1", 0));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("specs")
    void loadsAndEveryOperationMapsBack(String file, int operations, String declared, String servers, int ownServers)
        throws Exception {
        Path path = Corpus.spec(file);
        SpecLoader loader = new SpecLoader();
        long t0 = System.nanoTime();
        ApiSpec spec = loader.load(path);
        long loadMs = (System.nanoTime() - t0) / 1_000_000;
        long t1 = System.nanoTime();
        RouteTrie<Operation> trie = RouteTrie.build(spec.routeEntries());
        long buildMs = (System.nanoTime() - t1) / 1_000_000;
        System.out.printf("%s: %s %s, %d operations, loaded in %d ms, route table built in %d ms, %d messages%n",
            file, spec.title(), spec.specVersion(), spec.operations().size(), loadMs, buildMs, spec.messages().size());

        assertEquals(operations, spec.operations().size(), file + ": operation count");
        assertEquals(declared, spec.specVersion());
        assertEquals(servers, spec.servers().stream().map(s -> s.host() + " " + s.basePath()).collect(Collectors.joining(", ")));
        assertEquals(ownServers, spec.operations().stream().filter(o -> !o.servers().isEmpty()).count(),
            file + ": operations with servers of their own");
        // a path key with a query string (OpenAI: /responses?beta=true) is the same route as the path
        // without it, since queries are ignored: the operation listed first keeps the route
        List<Operation> queryKeyed = spec.operations().stream().filter(o -> o.pathTemplate().contains("?")).toList();
        assertEquals(queryKeyed.size(), trie.warnings().size(), file + ": duplicates are the query-keyed paths only: " + trie.warnings());
        assertTrue(trie.warnings().stream().allMatch(w -> w.startsWith("duplicate route") && w.contains("?")), trie.warnings().toString());
        int queryKeyedRoutes = queryKeyed.stream().mapToInt(o -> spec.serversOf(o).size()).sum();
        assertEquals(spec.routeEntries().size() - queryKeyedRoutes, trie.routeCount());
        assertTrue(spec.messages().stream().noneMatch(m -> m.contains("remote $ref")), spec.messages().toString());

        List<String> wrong = new ArrayList<>();
        int checked = 0;
        for (Operation op : spec.operations()) {
            for (ServerBinding server : spec.serversOf(op)) {
                String request = server.basePath() + concrete(op.pathTemplate()) + "?probe=1";
                Match<Operation> m = trie.find(server.host(), op.method(), request);
                checked++;
                // the rule that decides between /responses and /responses?beta=true: the query is
                // ignored, so they are one route, and the operation first in document order has it
                Operation want = spec.operations().stream()
                    .filter(o -> o.method().equals(op.method()) && withoutQuery(o.pathTemplate()).equals(withoutQuery(op.pathTemplate())))
                    .findFirst().orElseThrow();
                if (m == null || !m.isMatched() || m.payload() != want) {
                    wrong.add(op.method() + " " + server.host() + request + " -> " + m + " (wanted " + op + ")");
                }
                if (server.host() != null) {
                    // the same request with a port, the host's case changed: still that operation
                    Match<Operation> withPort = trie.find(server.host().toUpperCase() + ":443", op.method(), request);
                    if (withPort == null || withPort.payload() != want) {
                        wrong.add("with port: " + op.method() + " " + request + " -> " + withPort);
                    }
                }
            }
        }
        assertEquals(List.of(), wrong, file + ": " + wrong.size() + " of " + checked + " operations did not map back");
        assertTrue(checked >= operations);
    }

    /**
     * The template with every {param} replaced by {@code x1}: no literal segment of these specs is
     * {@code x1}, so the only rule that could decide between two templates is literal-over-template,
     * and it never has to (asserted: every request finds its own operation).
     */
    static String concrete(String template) {
        return withoutQuery(template).replaceAll("\\{[^}/]+}", "x1");
    }

    static String withoutQuery(String template) {
        int q = template.indexOf('?');
        return q < 0 ? template : template.substring(0, q);
    }
}
