package io.gatelens.analytics.catalog;

import static org.junit.jupiter.api.Assertions.*;

import io.gatelens.analytics.route.Match;
import io.gatelens.analytics.spec.SpecLoader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class RouteTableTest {
    private static final String PETS = """
        openapi: 3.0.3
        info: {title: Pets, version: "1"}
        servers: [{url: "https://api.example.com/v1"}]
        paths:
          /pets/{petId}:
            get: {operationId: getPet, summary: One pet, responses: {'200': {description: ok}}}
            delete: {operationId: deletePet, responses: {'204': {description: gone}}}
          /pets/mine:
            get: {operationId: myPets, responses: {'200': {description: ok}}}
        """;
    private static final String FILES = """
        openapi: 3.1.0
        info: {title: Files, version: "2"}
        paths:
          /files/{name}.{ext}:
            get: {operationId: getFile, responses: {'200': {description: ok}}}
          /pets/mine:
            get: {operationId: hostlessMine, responses: {'200': {description: ok}}}
        """;

    private final InMemoryEndpointIds ids = new InMemoryEndpointIds();

    private RouteTable compile() throws Exception {
        SpecLoader loader = new SpecLoader();
        return RouteTable.compile(List.of(
            new NamedSpec("pets", 1, loader.load(PETS.getBytes(StandardCharsets.UTF_8))),
            new NamedSpec("files", 3, loader.load(FILES.getBytes(StandardCharsets.UTF_8)))), ids);
    }

    @Test
    void everyOperationGetsItsEndpointAndHostBindingsDecide() throws Exception {
        RouteTable table = compile();
        assertEquals(5, table.operations().size());

        Match<EndpointRef> mine = table.find("api.example.com", "GET", "/v1/pets/mine?x=1");
        assertEquals("myPets", mine.payload().operationId(), "a literal segment wins over {petId}");
        assertEquals("api.example.com", mine.host());
        assertEquals("getPet", table.find("API.example.com", "GET", "/v1/pets/42").payload().operationId());
        assertEquals("deletePet", table.find("api.example.com", "DELETE", "/v1/pets/42/").payload().operationId());

        // a host no spec claims goes to the specs bound to no host
        assertEquals("hostlessMine", table.find("other.example.org", "GET", "/pets/mine").payload().operationId());
        assertEquals("getFile", table.find(null, "GET", "/files/report.pdf").payload().operationId());
        assertNull(table.find("api.example.com", "GET", "/v2/pets/1"));

        Match<EndpointRef> notAllowed = table.find("api.example.com", "PUT", "/v1/pets/1");
        assertTrue(notAllowed.isMethodNotAllowed());
        assertEquals(List.of("GET", "DELETE"), notAllowed.allowedMethods());
    }

    @Test
    void idsAreStableAcrossRecompilesAndReplacedSpecsKeepTheirOperations() throws Exception {
        RouteTable first = compile();
        int getPet = first.find("api.example.com", "GET", "/v1/pets/1").payload().id();
        RouteTable second = compile();
        assertEquals(getPet, second.find("api.example.com", "GET", "/v1/pets/1").payload().id());
        assertEquals("getPet", second.operation(getPet).operationId());
        assertEquals(List.of("https://api.example.com/v1"),
            second.bindings("pets").stream().map(b -> b.url()).toList());
        assertEquals(5, ids.size());
    }

    private static final String SHOP = """
        openapi: 3.0.3
        info: {title: Shop, version: "1"}
        servers: [{url: "https://API.example.com:8443/shop"}, {url: "http://[2001:db8::5]:8080/"}]
        paths:
          /cart:
            get: {operationId: cart, responses: {'200': {description: ok}}}
            servers: [{url: "https://cart.example.net"}]
        """;

    @Test
    void aTlsFrontFindsTheSpecsServingItsHostCaseInsensitivelyWithoutPorts() throws Exception {
        SpecLoader loader = new SpecLoader();
        RouteTable table = RouteTable.compile(List.of(
            new NamedSpec("pets", 1, loader.load(PETS.getBytes(StandardCharsets.UTF_8))),
            new NamedSpec("files", 1, loader.load(FILES.getBytes(StandardCharsets.UTF_8))),
            new NamedSpec("shop", 1, loader.load(SHOP.getBytes(StandardCharsets.UTF_8)))), ids);
        // positive: SNI spelled in any case, a server URL with a port, an operation-level server, an address
        assertEquals(List.of("pets", "shop"), table.specsServing("api.example.com"));
        assertEquals(List.of("pets", "shop"), table.specsServing("Api.Example.COM"));
        assertEquals(List.of("pets", "shop"), table.specsServing("api.example.com:443"));
        assertEquals(List.of("shop"), table.specsServing("cart.example.net"));
        assertEquals(List.of("shop"), table.specsServing("[2001:db8::5]"));
        assertEquals(List.of("shop"), table.specsServing("[2001:DB8::5]:443"));
        // negative: other hosts, a suffix or prefix, the hostless spec, nothing
        assertEquals(List.of(), table.specsServing("example.com"));
        assertEquals(List.of(), table.specsServing("www.api.example.com"));
        assertEquals(List.of(), table.specsServing("api.example.com.evil"));
        assertEquals(List.of(), table.specsServing(""));
        assertEquals(List.of(), table.specsServing(null));
        assertEquals(List.of(), table.specsServing("<script>' OR 1=1"));
        assertEquals("2001:db8::5", RouteTable.hostWithoutPort("2001:db8::5"), "a bare IPv6 address keeps its colons");
    }

    @Test
    void anEmptyTableMatchesNothing() {
        RouteTable empty = RouteTable.empty();
        assertNull(empty.find("h", "GET", "/x"));
        assertTrue(empty.operations().isEmpty());
        assertTrue(empty.specs().isEmpty());
    }
}
