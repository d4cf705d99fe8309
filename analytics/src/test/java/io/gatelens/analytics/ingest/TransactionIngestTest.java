package io.gatelens.analytics.ingest;

import static org.junit.jupiter.api.Assertions.*;

import io.gatelens.analytics.catalog.EndpointIds;
import io.gatelens.analytics.catalog.EndpointRef;
import io.gatelens.analytics.catalog.NamedSpec;
import io.gatelens.analytics.catalog.RouteTable;
import io.gatelens.analytics.catalog.ShadowEndpoints;
import io.gatelens.analytics.spec.SpecLoader;
import io.gatelens.analytics.stats.MinuteRow;
import io.gatelens.analytics.stats.StatsAggregator;
import io.gatelens.collector.record.HttpRecordLayout;
import io.gatelens.collector.record.RecordBytes;
import io.gatelens.collector.record.TransactionBatcher;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.Test;

class TransactionIngestTest {
    private static final long T0 = 1_790_000_000_000_000_000L; // a minute boundary is irrelevant: all in one minute below
    private static final String SPEC = """
        openapi: 3.0.3
        info: {title: Shop, version: "1"}
        servers: [{url: "http://shop.local:8080/v1"}]
        paths:
          /items/{id}:
            get: {operationId: getItem, responses: {'200': {description: ok}}}
          /items:
            post: {operationId: addItem, responses: {'201': {description: ok}}}
        """;

    private final Map<String, Integer> idsByName = new HashMap<>();
    private final EndpointIds ids = new EndpointIds() {
        @Override
        public synchronized int operation(String spec, String method, String template, String operationId) {
            return idsByName.computeIfAbsent(operationId, k -> idsByName.size() + 1);
        }

        @Override
        public synchronized int shadow(String host, String method, String template) {
            return idsByName.computeIfAbsent(method + " " + host + template, k -> idsByName.size() + 1);
        }
    };

    @Test
    void everyRowIsCountedAgainstItsOperationOrShadowEndpoint() throws Exception {
        RouteTable table = RouteTable.compile(List.of(new NamedSpec("shop", 1,
            new SpecLoader().load(SPEC.getBytes(StandardCharsets.UTF_8)))), ids);
        StatsAggregator stats = new StatsAggregator();
        List<Object[]> observed = new ArrayList<>();
        TransactionIngest ingest = new TransactionIngest(() -> table, new ShadowEndpoints(ids), stats,
            (dir, route, method, status, lat) -> observed.add(new Object[] {dir, route, method, status, lat}))
            .ignoringServerPorts(List.of(9999));

        List<byte[]> recs = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            recs.add(rec("GET", "/v1/items/" + i + "?full=1", "shop.local:8080", i < 8 ? 200 : 404, 1_000_000L * (i + 1)));
        }
        for (int i = 0; i < 3; i++) {
            recs.add(rec("POST", "/v1/items", "SHOP.local:8080", 201, 5_000_000));
        }
        recs.add(rec("GET", "/v1/orders/77", "shop.local:8080", 500, 2_000_000));
        recs.add(rec("GET", "/v1/orders/78", "shop.local:8080", 0, -1)); // no response
        recs.add(RecordBytes.http().method("GET").path("/v1/items/1").host("shop.local:8080").serverPort(9999)
            .status(200).startNs(T0).ttfbNs(1).latencyNs(1).build());
        feed(ingest, recs);

        Map<Integer, Long> calls = new HashMap<>();
        Map<Integer, String> hosts = new HashMap<>();
        for (MinuteRow row : stats.takeAll()) {
            calls.merge(row.endpointId(), row.stats().calls(), Long::sum);
            hosts.put(row.endpointId(), row.host());
            if (row.endpointId() == idsByName.get("getItem")) {
                assertEquals(8, row.stats().s2xx());
                assertEquals(2, row.stats().s4xx());
                assertEquals(10_000_000, row.stats().maxLatencyNs());
            }
        }
        int getItem = idsByName.get("getItem");
        int addItem = idsByName.get("addItem");
        int orders = idsByName.get("GET shop.local:8080/v1/orders/{param}");
        assertEquals(Map.of(getItem, 10L, addItem, 3L, orders, 2L), calls);
        assertEquals("shop.local:8080", hosts.get(getItem), "operations count under the host they are bound to");
        assertEquals("shop.local:8080", hosts.get(orders));
        assertEquals(16, ingest.rows());
        assertEquals(1, ingest.ignoredRows());
        assertEquals(2, ingest.shadowRows());
        assertEquals(15, observed.size());
        assertEquals("/items/{id}", observed.get(0)[1]);

        EndpointRef classified = ingest.classify("shop.local:8080", "GET", "/v1/items/abc");
        assertEquals("getItem", classified.operationId());
    }

    @Test
    void aNewRouteTableIsPickedUpAtTheNextBatchDespiteTheRouteCache() throws Exception {
        RouteTable[] current = {RouteTable.empty()};
        StatsAggregator stats = new StatsAggregator();
        TransactionIngest ingest = new TransactionIngest(() -> current[0], new ShadowEndpoints(ids), stats, null);
        // the same request repeated: remembered by the route cache from its second sighting
        byte[] same = rec("GET", "/v1/items/1", "shop.local:8080", 200, 1000);
        feed(ingest, List.of(same, same, same, same));
        current[0] = RouteTable.compile(List.of(new NamedSpec("shop", 1,
            new SpecLoader().load(SPEC.getBytes(StandardCharsets.UTF_8)))), ids);
        feed(ingest, List.of(same, same, same));
        Map<Integer, Long> calls = new HashMap<>();
        stats.takeAll().forEach(r -> calls.merge(r.endpointId(), r.stats().calls(), Long::sum));
        assertEquals(Map.of(idsByName.get("GET shop.local:8080/v1/items/{param}"), 4L, idsByName.get("getItem"), 3L), calls,
            "a new route table must not be answered from what the cache remembered of the old one");
    }

    private static byte[] rec(String method, String path, String host, int status, long latencyNs) {
        RecordBytes r = RecordBytes.http().method(method).path(path).host(host).serverPort(8080).status(status)
            .startNs(T0).reqBytes(100).respBytes(200);
        if (latencyNs >= 0) {
            r.ttfbNs(latencyNs / 2).latencyNs(latencyNs);
        }
        return r.build();
    }

    private static void feed(TransactionIngest ingest, List<byte[]> recs) {
        try (RootAllocator allocator = new RootAllocator();
             TransactionBatcher batcher = new TransactionBatcher(allocator, 1000, 60_000, batch -> {
                 try (VectorSchemaRoot b = batch) {
                     ingest.accept(b);
                 }
             })) {
            batcher.append(RecordBytes.direct(recs.toArray(new byte[0][])), 0, recs.size() * HttpRecordLayout.SIZE, 0);
        }
    }
}
