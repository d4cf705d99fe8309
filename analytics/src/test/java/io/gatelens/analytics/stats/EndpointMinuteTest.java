package io.gatelens.analytics.stats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datadoghq.sketch.ddsketch.DDSketch;
import java.lang.management.ManagementFactory;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class EndpointMinuteTest {

    @Test
    void countsEachTransactionInExactlyOneStatusClass() {
        EndpointMinute m = new EndpointMinute();
        int[] statuses = {100, 101, 200, 200, 204, 299, 301, 304, 400, 404, 404, 499, 500, 503, 599, 0, 0, 600, 99, -1, 1000};
        for (int s : statuses) {
            m.record(s, 10, 20, 1_000, 2_000);
        }
        assertEquals(statuses.length, m.calls());
        assertEquals(2, m.s1xx());
        assertEquals(4, m.s2xx());
        assertEquals(2, m.s3xx());
        assertEquals(4, m.s4xx());
        assertEquals(3, m.s5xx());
        assertEquals(2, m.noResponse());
        assertEquals(4, m.sOther(), "600, 99, -1 and 1000 are outside 100..599");
        assertEquals(m.calls(), m.s1xx() + m.s2xx() + m.s3xx() + m.s4xx() + m.s5xx() + m.sOther() + m.noResponse());
        assertArrayEquals(new int[] {100, 101, 200, 204, 299, 301, 304, 400, 404, 499, 500, 503, 599}, m.statusCodes());
        assertArrayEquals(new long[] {1, 1, 2, 1, 1, 1, 1, 1, 2, 1, 1, 1, 1}, m.statusCodeCounts());
        assertEquals(2, m.countOf(404));
        assertEquals(0, m.countOf(600));
        assertEquals(statuses.length * 10L, m.reqBytes());
        assertEquals(statuses.length * 20L, m.respBytes());
    }

    @Test
    void onlyTransactionsWithAResponseFeedTheSketches() {
        EndpointMinute m = new EndpointMinute();
        m.record(0, 100, 0, 5_000, 9_000_000);   // no response: counted, bytes summed, no latency
        m.record(200, 100, 300, 1_000, 2_000);
        m.record(200, 100, 300, -1, 3_000);      // ttfb not measured
        m.record(502, 100, 300, 4_000, -1);      // latency not measured
        m.record(700, 100, 300, 500, 8_000);     // odd status, still a response
        assertEquals(3, m.latencyBins().count());
        assertEquals(3, m.ttfbBins().count());
        assertEquals(8_000, m.maxLatencyNs());
        assertEquals(500, m.reqBytes());
        assertEquals(1_200, m.respBytes());
        DDSketch latency = LatencySketches.newSketch();
        for (long v : new long[] {2_000, 3_000, 8_000}) {
            LatencySketches.add(latency, v);
        }
        assertEquals(LatencySketches.bins(latency), m.latencyBins());
    }

    @Test
    void mergeEqualsRecordingEverythingInOne() {
        SplittableRandom r = new SplittableRandom(11);
        EndpointMinute all = new EndpointMinute();
        EndpointMinute merged = new EndpointMinute();
        for (int part = 0; part < 7; part++) {
            EndpointMinute m = new EndpointMinute();
            for (int i = 0; i < 300; i++) {
                int status = new int[] {200, 201, 404, 500, 0, 302, 999}[r.nextInt(7)];
                long req = r.nextInt(5_000);
                long resp = r.nextInt(50_000);
                long ttfb = r.nextInt(10) == 0 ? -1 : r.nextLong(1, 50_000_000);
                long latency = r.nextLong(1, 500_000_000);
                m.record(status, req, resp, ttfb, latency);
                all.record(status, req, resp, ttfb, latency);
            }
            merged.merge(m);
        }
        assertEquals(all.calls(), merged.calls());
        assertEquals(all.s2xx(), merged.s2xx());
        assertEquals(all.s3xx(), merged.s3xx());
        assertEquals(all.s4xx(), merged.s4xx());
        assertEquals(all.s5xx(), merged.s5xx());
        assertEquals(all.sOther(), merged.sOther());
        assertEquals(all.noResponse(), merged.noResponse());
        assertArrayEquals(all.statusCodes(), merged.statusCodes());
        assertArrayEquals(all.statusCodeCounts(), merged.statusCodeCounts());
        assertEquals(all.reqBytes(), merged.reqBytes());
        assertEquals(all.respBytes(), merged.respBytes());
        assertEquals(all.latencyBins(), merged.latencyBins());
        assertEquals(all.ttfbBins(), merged.ttfbBins());
        assertEquals(all.maxLatencyNs(), merged.maxLatencyNs());
    }

    @Test
    void recordAllocatesNothingOnceWarm() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        EndpointMinute m = new EndpointMinute();
        long[] latencies = new long[4096];
        SplittableRandom r = new SplittableRandom(5);
        for (int i = 0; i < latencies.length; i++) {
            latencies[i] = (long) (20e6 * Math.exp(r.nextDouble() * 4 - 2));
        }
        int[] statuses = {200, 200, 200, 404, 500, 0, 201};
        // warm-up: the code arrays and the sketches' bin arrays grow to the range of values; the JIT compiles record
        for (int round = 0; round < 50; round++) {
            for (int i = 0; i < latencies.length; i++) {
                m.record(statuses[i % statuses.length], 100, 1_000, latencies[i] / 2, latencies[i]);
            }
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int round = 0; round < 25; round++) {
            for (int i = 0; i < latencies.length; i++) {
                m.record(statuses[i % statuses.length], 100, 1_000, latencies[i] / 2, latencies[i]);
            }
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        // 100k records; a single allocation per record would be >= 1.6 MB
        assertTrue(allocated < 4_096, "record allocated " + allocated + " bytes over " + 25 * latencies.length + " calls");
    }

    @Test
    void statusCodesBeyondTheInlineSlotsAreCountedToo() {
        EndpointMinute m = new EndpointMinute();
        int[] codes = {200, 201, 204, 301, 304, 400, 401, 403, 404, 500, 502, 503, 599, 100};
        long total = 0;
        for (int k = 0; k < codes.length; k++) {
            for (int r = 0; r <= k; r++) {
                m.record(codes[k], 0, 0, -1, -1);
                total++;
            }
        }
        int[] sorted = codes.clone();
        java.util.Arrays.sort(sorted);
        assertArrayEquals(sorted, m.statusCodes());
        for (int k = 0; k < codes.length; k++) {
            assertEquals(k + 1, m.countOf(codes[k]), "code " + codes[k]);
        }
        assertEquals(0, m.countOf(202));
        EndpointMinute twice = new EndpointMinute();
        twice.merge(m);
        twice.merge(m);
        long[] counts = twice.statusCodeCounts();
        long sum = 0;
        for (long c : counts) {
            sum += c;
        }
        assertEquals(2 * total, sum);
        assertEquals(2 * 14, twice.countOf(100));
    }
}
