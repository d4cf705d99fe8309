package io.gatelens.analytics.catalog;

import static org.junit.jupiter.api.Assertions.*;

import io.gatelens.analytics.route.Match;
import io.gatelens.analytics.route.ShadowTemplates;
import io.gatelens.analytics.spec.SpecLoader;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ShadowEndpointsTest {
    private final InMemoryEndpointIds ids = new InMemoryEndpointIds();

    @Test
    void pathsBecomeTemplatesPerHostAndMethod() {
        ShadowEndpoints shadows = new ShadowEndpoints(ids);
        EndpointRef a = shadows.resolve("API.example.com", "GET", "/orders/123/items?x=1", null);
        EndpointRef b = shadows.resolve("api.example.com", "GET", "/orders/456/items", null);
        assertSame(a, b);
        assertEquals("/orders/{param}/items", a.template());
        assertEquals("api.example.com", a.shadowHost());
        assertTrue(a.isShadow());
        assertEquals("no operation of any spec matches", a.summary());

        assertNotEquals(a.id(), shadows.resolve("api.example.com", "POST", "/orders/1/items", null).id());
        assertNotEquals(a.id(), shadows.resolve("other.example.com", "GET", "/orders/1/items", null).id());
        EndpointRef noHost = shadows.resolve(null, "GET", "/orders/1/items", null);
        assertEquals("", noHost.shadowHost());
        EndpointRef odd = shadows.resolve("h", "BREW<script>", "/coffee", null);
        assertEquals(ShadowEndpoints.OTHER_METHOD, odd.method());
        assertEquals(5, shadows.endpointCount());
    }

    @Test
    void aDocumentedPathWithAnUndocumentedMethodKeepsItsTemplate() throws Exception {
        RouteTable table = RouteTable.compile(List.of(new NamedSpec("pets", 1, new SpecLoader().load("""
            swagger: "2.0"
            info: {title: Pets, version: "1"}
            host: pets.local
            basePath: /api
            paths:
              /pets/{id}:
                get: {responses: {'200': {description: ok}}}
            """.getBytes(StandardCharsets.UTF_8)))), ids);
        Match<EndpointRef> m = table.find("pets.local", "DELETE", "/api/pets/7");
        EndpointRef ref = new ShadowEndpoints(ids).resolve("pets.local", "DELETE", "/api/pets/7", m);
        assertEquals("/api/pets/{id}", ref.template());
        assertEquals("DELETE", ref.method());
        assertTrue(ref.summary().contains("documented for GET only"), ref.summary());
    }

    @Test
    void hostsAndEndpointsAreBoundedAgainstSprayedTraffic() {
        ShadowEndpoints shadows = new ShadowEndpoints(ids, 4, 50);
        for (int i = 0; i < 200; i++) {
            shadows.resolve("h" + i + ".example.com", "GET", "/x", null);
        }
        assertEquals(4, shadows.hostCount());
        EndpointRef other = shadows.resolve("h999.example.com", "GET", "/x", null);
        assertEquals(ShadowEndpoints.OTHER_HOSTS, other.shadowHost());

        Set<String> templates = new HashSet<>();
        for (int i = 0; i < 5_000; i++) {
            templates.add(shadows.resolve("h0.example.com", "GET", "/w" + i + "/z" + (i * 7), null).template());
        }
        // the bound, plus the one overflow endpoint of this host and method
        assertTrue(shadows.endpointCount() <= 51, "endpoints " + shadows.endpointCount());
        assertTrue(templates.contains(ShadowTemplates.OVERFLOW), templates.toString());
        EndpointRef overflow = shadows.resolve("h0.example.com", "GET", "/brand/new/path", null);
        assertEquals(ShadowTemplates.OVERFLOW, overflow.template());
        assertTrue(overflow.summary().contains("the rest are counted here"), overflow.summary());
    }
}
