package io.gatelens.analytics.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatelens.analytics.route.Match;
import io.gatelens.analytics.route.RouteTrie;
import io.gatelens.analytics.spec.ApiSpec;
import io.gatelens.analytics.spec.Operation;
import io.gatelens.analytics.spec.ServerBinding;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The demo spec as the analytics reads it, and the route matcher on its tricky paths. */
class DemoSpecTest {
    private static final String HOST = "localhost:18081";
    private static ApiSpec spec;
    private static RouteTrie<Operation> trie;

    @BeforeAll
    static void load() throws Exception {
        spec = DemoSpecFile.load();
        trie = RouteTrie.build(spec.routeEntries());
    }

    @Test
    void specIsASmallShopWithEveryCommonMethod() {
        assertEquals("3.0.3", spec.specVersion());
        assertEquals(List.of(new ServerBinding(HOST, "/api/v1", "http://localhost:18081/api/v1")), spec.servers());
        assertEquals(11, spec.operations().size(), spec.operations().toString());
        for (Operation op : spec.operations()) {
            assertNotNull(op.operationId(), op.toString());
            assertNotNull(op.summary(), op.toString());
        }
        Set<String> methods = spec.operations().stream().map(Operation::method).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(Set.of("GET", "POST", "PUT", "DELETE"), methods);
        assertEquals(List.of(), spec.messages(), "the spec loads without parser warnings");
        assertEquals(11, trie.routeCount());
        assertEquals(List.of(), trie.warnings());
    }

    /** Each row: method, request target, the operation the trie must find ("-": none, "405": path without that method). */
    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource({
        // literal over template: /pets/search is not a pet id ...
        "GET,    /api/v1/pets/search?q=rex,         searchPets",
        "GET,    /api/v1/pets/search,               searchPets",
        "GET,    /api/v1/pets/42,                   getPet",
        "GET,    /api/v1/pets/searching,            getPet",
        // ... but only for GET: the literal has no PUT or DELETE, the template has
        "PUT,    /api/v1/pets/search,               updatePet",
        "DELETE, /api/v1/pets/search,               deletePet",
        "GET,    /api/v1/pets,                      listPets",
        "POST,   /api/v1/pets,                      createPet",
        "GET,    /api/v1/pets?species=cat&limit=5,  listPets",
        // partial segment {reportName}.{format}: both parts at least one character
        "GET,    /api/v1/reports/sales-daily.csv,   getReport",
        "GET,    /api/v1/reports/inventory.json,    getReport",
        "GET,    /api/v1/reports/archive.tar.gz,    getReport",
        "GET,    /api/v1/reports/sales-daily,       -",
        "GET,    /api/v1/reports/.csv,              -",
        "GET,    /api/v1/reports/sales.,            -",
        "GET,    /api/v1/store/inventory,           getInventory",
        "POST,   /api/v1/store/orders,              placeOrder",
        "GET,    /api/v1/store/orders/7,            getOrder",
        "DELETE, /api/v1/store/orders/7,            cancelOrder",
        "PATCH,  /api/v1/pets/7,                    405",
        "POST,   /api/v1/store/inventory,           405",
        // the shadow endpoints the demo server answers
        "GET,    /api/v1/internal/health,           -",
        "GET,    /api/v1/legacy/orders/12,          -",
        "GET,    /api/v1/pets/3/vaccinations,       -",
        "GET,    /pets/3,                           -",
    })
    void trieResolvesTheDemoPaths(String method, String target, String expected) {
        Match<Operation> m = trie.find(HOST, method, target);
        String found = m == null ? "-" : m.isMethodNotAllowed() ? "405" : m.payload().operationId();
        assertEquals(expected, found);
    }

    /** The demo server routes by hand; on the same requests it must agree with the trie. */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "GET, /api/v1/pets/search", "PUT, /api/v1/pets/search", "DELETE, /api/v1/pets/search", "GET, /api/v1/pets/1",
        "GET, /api/v1/pets", "POST, /api/v1/pets", "GET, /api/v1/reports/sales-daily.csv", "GET, /api/v1/reports/a.b.c",
        "GET, /api/v1/reports/sales-daily", "GET, /api/v1/reports/.csv", "GET, /api/v1/reports/x.",
        "GET, /api/v1/store/orders/9", "DELETE, /api/v1/store/orders/9", "POST, /api/v1/store/orders",
        "GET, /api/v1/store/inventory", "GET, /api/v1/internal/health", "GET, /api/v1/legacy/orders/3",
        "GET, /api/v1/pets/1/vaccinations", "GET, /api/v1//pets//7/", "GET, /api/v2/pets",
    })
    void serverRoutingAgreesWithTheTrie(String method, String target) {
        Match<Operation> m = trie.find(HOST, method, target);
        List<String> segments = DemoApi.segmentsUnderBase(target);
        String server = segments == null ? DemoApi.UNROUTED : DemoApi.operationOf(method, segments);
        if (m == null || m.isMethodNotAllowed()) {
            assertTrue(Set.of(DemoApi.UNROUTED, DemoApi.HEALTH, DemoApi.LEGACY_ORDER).contains(server), server);
        } else {
            assertEquals(m.payload().operationId(), server);
        }
    }

    @Test
    void otherHostsDoNotMatchTheDemoServer() {
        assertNull(trie.find("localhost:9999", "GET", "/api/v1/pets/1"));
        assertEquals("getPet", trie.find("LOCALHOST:18081", "GET", "/api/v1/pets/1").payload().operationId());
    }
}
