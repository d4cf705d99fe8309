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

        long lag = ingest.lastLagMillis();
        assertTrue(lag >= 0 && lag < System.currentTimeMillis() - T0 / 1_000_000 + 60_000, "lag " + lag);
        // a batch of nothing but ignored rows (the service's own API) says nothing about the lag
        feed(ingest, List.of(RecordBytes.http().method("GET").path("/api/status").host("localhost:9999").serverPort(9999)
            .status(200).startNs(T0).ttfbNs(1).latencyNs(1).build()));
        assertEquals(lag, ingest.lastLagMillis(), "an all-ignored batch must not turn the lag into ~now - Long.MIN_VALUE");
        assertEquals(2, ingest.ignoredRows());

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

    @Test
    void aBatchGroupedByMinuteAndEndpointCountsExactlyWhatRecordingRowByRowCounts() throws Exception {
        // served on two hosts: one operation counts under two statistics hosts
        String twoHosts = SPEC.replace("servers: [{url: \"http://shop.local:8080/v1\"}]",
            "servers: [{url: \"http://shop.local:8080/v1\"}, {url: \"http://other.local/v1\"}]");
        assertNotEquals(SPEC, twoHosts);
        RouteTable table = RouteTable.compile(List.of(new NamedSpec("shop", 1,
            new SpecLoader().load(twoHosts.getBytes(StandardCharsets.UTF_8)))), ids);
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(3);
        List<byte[]> recs = new ArrayList<>();
        String[] paths = {"/v1/items/7", "/v1/items", "/v1/orders/1", "/v1/items/8/x", "/v1/items/9"};
        String[] methods = {"GET", "POST", "GET", "GET", "DELETE"};
        for (int i = 0; i < 900; i++) {
            int k = rnd.nextInt(paths.length);
            // three minutes interleaved, two hosts, statuses and latencies varied, some rows without a response
            long start = T0 + rnd.nextLong(180_000_000_000L);
            int status = rnd.nextInt(10) == 0 ? 0 : 200 + 100 * rnd.nextInt(4);
            long latency = status == 0 ? -1 : 1 + rnd.nextLong(50_000_000L);
            recs.add(RecordBytes.http().method(methods[k]).path(paths[k]).host(rnd.nextBoolean() ? "shop.local:8080" : "other.local")
                .serverPort(8080).status(status).startNs(start).ttfbNs(latency < 0 ? 0 : latency / 3)
                .latencyNs(latency < 0 ? 0 : latency).reqBytes(rnd.nextInt(1000)).respBytes(rnd.nextInt(9000)).build());
        }
        // and one row 70 hours later: a batch spanning more minutes than the sort key holds (4,096) takes the
        // row-by-row path
        recs.add(RecordBytes.http().method("GET").path("/v1/items/1").host("shop.local:8080").serverPort(8080).status(200)
            .startNs(T0 + 70 * 3_600_000_000_000L).ttfbNs(500).latencyNs(1000).reqBytes(1).respBytes(2).build());
        StatsAggregator grouped = new StatsAggregator();
        TransactionIngest ingest = new TransactionIngest(() -> table, new ShadowEndpoints(ids), grouped, null);
        feed(ingest, recs.subList(0, 900));
        feed(ingest, recs);

        // the oracle: the same rows decoded and recorded one by one
        StatsAggregator oneByOne = new StatsAggregator();
        TransactionIngest classifier = new TransactionIngest(() -> table, new ShadowEndpoints(ids), new StatsAggregator(), null);
        try (RootAllocator allocator = new RootAllocator();
             TransactionBatcher batcher = new TransactionBatcher(allocator, 10_000, 60_000, batch -> {
                 try (VectorSchemaRoot b = batch) {
                     for (int pass = 0; pass < 2; pass++) {
                         int rows = pass == 0 ? 900 : b.getRowCount();
                         for (int i = 0; i < rows; i++) {
                             var host = (org.apache.arrow.vector.VarCharVector) b.getVector(io.gatelens.collector.record.TransactionSchema.COL_HOST);
                             var method = (org.apache.arrow.vector.VarCharVector) b.getVector(io.gatelens.collector.record.TransactionSchema.COL_METHOD);
                             var path = (org.apache.arrow.vector.VarCharVector) b.getVector(io.gatelens.collector.record.TransactionSchema.COL_PATH);
                             String h = new String(host.get(i), StandardCharsets.UTF_8);
                             EndpointRef ref = classifier.classify(h, new String(method.get(i), StandardCharsets.UTF_8),
                                 new String(path.get(i), StandardCharsets.UTF_8));
                             String statsHost = ref.isShadow() ? ref.shadowHost() : table.find(h,
                                 new String(method.get(i), StandardCharsets.UTF_8), new String(path.get(i), StandardCharsets.UTF_8)).host();
                             var status = (org.apache.arrow.vector.IntVector) b.getVector(io.gatelens.collector.record.TransactionSchema.COL_STATUS);
                             var ts = (org.apache.arrow.vector.BigIntVector) b.getVector(io.gatelens.collector.record.TransactionSchema.COL_TS_NS);
                             var req = (org.apache.arrow.vector.BigIntVector) b.getVector(io.gatelens.collector.record.TransactionSchema.COL_REQ_BYTES);
                             var resp = (org.apache.arrow.vector.BigIntVector) b.getVector(io.gatelens.collector.record.TransactionSchema.COL_RESP_BYTES);
                             var ttfb = (org.apache.arrow.vector.BigIntVector) b.getVector(io.gatelens.collector.record.TransactionSchema.COL_TTFB_NS);
                             var lat = (org.apache.arrow.vector.BigIntVector) b.getVector(io.gatelens.collector.record.TransactionSchema.COL_LATENCY_NS);
                             oneByOne.record(ref.id(), statsHost == null ? "" : statsHost, ts.get(i), status.isNull(i) ? 0 : status.get(i),
                                 req.get(i), resp.get(i), ttfb.isNull(i) ? -1 : ttfb.get(i), lat.isNull(i) ? -1 : lat.get(i));
                         }
                     }
                 }
             })) {
            batcher.append(RecordBytes.direct(recs.toArray(new byte[0][])), 0, recs.size() * HttpRecordLayout.SIZE, 0);
        }
        Map<String, String> expected = new java.util.TreeMap<>();
        oneByOne.takeAll().forEach(r -> expected.merge(r.minuteEpochSecond() + " " + r.endpointId() + " " + r.host(),
            describe(r.stats()), (a, b) -> a + " + " + b));
        Map<String, String> actual = new java.util.TreeMap<>();
        grouped.takeAll().forEach(r -> actual.merge(r.minuteEpochSecond() + " " + r.endpointId() + " " + r.host(),
            describe(r.stats()), (a, b) -> a + " + " + b));
        assertTrue(expected.size() >= 4 * 3, "the oracle saw several endpoints in three minutes: " + expected.keySet());
        assertEquals(expected, actual);
        assertEquals(1801, ingest.rows());
    }

    @Test
    void aBatchWhoseOffsetsPointPastItsDataIsRefusedWholeAndCountsNothing() throws Exception {
        RouteTable table = RouteTable.compile(List.of(new NamedSpec("shop", 1,
            new SpecLoader().load(SPEC.getBytes(StandardCharsets.UTF_8)))), ids);
        StatsAggregator stats = new StatsAggregator();
        TransactionIngest ingest = new TransactionIngest(() -> table, new ShadowEndpoints(ids), stats, null);
        List<byte[]> recs = List.of(rec("GET", "/v1/items/1", "shop.local:8080", 200, 1000),
            rec("GET", "/v1/items/2", "shop.local:8080", 200, 1000));
        for (int corrupt = 0; corrupt < 3; corrupt++) {
            int which = corrupt;
            try (RootAllocator allocator = new RootAllocator();
                 TransactionBatcher batcher = new TransactionBatcher(allocator, 1000, 60_000, batch -> {
                     try (VectorSchemaRoot b = batch) {
                         var path = (org.apache.arrow.vector.VarCharVector) b.getVector(io.gatelens.collector.record.TransactionSchema.COL_PATH);
                         switch (which) {
                             case 0 -> path.getOffsetBuffer().setInt(2L * Integer.BYTES, Integer.MAX_VALUE); // past the data
                             case 1 -> path.getOffsetBuffer().setInt(Integer.BYTES, -5); // offsets go backwards
                             default -> b.setRowCount(TransactionColumns.MAX_ROWS + 1); // more rows than any buffer holds
                         }
                         IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ingest.accept(b));
                         assertTrue(e.getMessage().contains("path") || e.getMessage().contains("rows"), e.getMessage());
                     }
                 })) {
                batcher.append(RecordBytes.direct(recs.toArray(new byte[0][])), 0, recs.size() * HttpRecordLayout.SIZE, 0);
            }
        }
        assertEquals(0, ingest.rows());
        assertTrue(stats.takeAll().isEmpty(), "nothing of a refused batch is counted");
        feed(ingest, recs);
        assertEquals(2, ingest.rows(), "the next good batch is counted");
    }

    private static String describe(io.gatelens.analytics.stats.EndpointMinute m) {
        return m.calls() + "c " + m.s2xx() + "/" + m.s3xx() + "/" + m.s4xx() + "/" + m.s5xx() + " nr" + m.noResponse()
            + " " + m.reqBytes() + "B " + m.respBytes() + "B max" + m.maxLatencyNs()
            + " codes" + java.util.Arrays.toString(m.statusCodes()) + java.util.Arrays.toString(m.statusCodeCounts())
            + " lat" + java.util.Arrays.toString(m.latencyBins().indexes()) + java.util.Arrays.toString(m.latencyBins().counts())
            + " ttfb" + java.util.Arrays.toString(m.ttfbBins().indexes()) + java.util.Arrays.toString(m.ttfbBins().counts());
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
