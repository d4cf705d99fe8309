package io.gatelens.analytics.stats;


/**
 * Statistics of one endpoint, one host, one minute; mutable, not thread-safe (the aggregator confines
 * each instance to one thread at a time).
 *
 * <p>Status classes, each transaction counted in exactly one: {@code 0} is "no response" (the
 * transaction ended without a response: reset, timeout, capture cut); 100..599 count in 1xx..5xx and
 * per exact code; anything else (negative, 1..99, 600 and above: a status line that parsed to an
 * unusual number) counts as "other" and not per code, so the per-code table stays bounded to the 500
 * valid codes.
 *
 * <p>Latency, time to first byte and max latency describe transactions that had a response (status
 * other than 0) and a measured value (&gt;= 0); a transaction without a response still counts its
 * call and bytes. Latencies are nanoseconds, clamped to &gt;= 1 ns by {@link LatencySketches}.
 *
 * <p>{@link #record} allocates nothing once the per-code arrays and the sketches' bin arrays have grown
 * to the minute's range of codes and latencies.
 */
public final class EndpointMinute {
    static final int MIN_CODE = 100;
    static final int MAX_CODE = 599;

    private long calls;
    private long s1xx;
    private long s2xx;
    private long s3xx;
    private long s4xx;
    private long s5xx;
    private long sOther;
    private long noResponse;
    private final StatusCodeCounts codes = new StatusCodeCounts();
    private long reqBytes;
    private long respBytes;
    private final LatencyHistogram latency = new LatencyHistogram();
    private final LatencyHistogram ttfb = new LatencyHistogram();
    private long maxLatencyNs;
    // the aggregator's: the host these figures are for (its key beside the endpoint id)
    String host;

    /** Heap this accumulator holds, estimated: its fields, status codes and both histograms. */
    public long heapBytes() {
        return 112 + codes.heapBytes() + latency.heapBytes() + ttfb.heapBytes();
    }

    public void record(int status, long reqBytes, long respBytes, long ttfbNs, long latencyNs) {
        calls++;
        this.reqBytes += reqBytes;
        this.respBytes += respBytes;
        if (status == 0) {
            noResponse++;
            return;
        }
        if (status >= MIN_CODE && status <= MAX_CODE) {
            switch (status / 100) {
                case 1 -> s1xx++;
                case 2 -> s2xx++;
                case 3 -> s3xx++;
                case 4 -> s4xx++;
                default -> s5xx++;
            }
            codes.add(status, 1);
        } else {
            sOther++;
        }
        if (latencyNs >= 0) {
            latency.add(latencyNs);
            if (latencyNs > maxLatencyNs) {
                maxLatencyNs = latencyNs;
            }
        }
        if (ttfbNs >= 0) {
            ttfb.add(ttfbNs);
        }
    }

    /** Adds another accumulator's figures to this one (the other is left unchanged). */
    public void merge(EndpointMinute other) {
        calls += other.calls;
        s1xx += other.s1xx;
        s2xx += other.s2xx;
        s3xx += other.s3xx;
        s4xx += other.s4xx;
        s5xx += other.s5xx;
        sOther += other.sOther;
        noResponse += other.noResponse;
        codes.merge(other.codes);
        reqBytes += other.reqBytes;
        respBytes += other.respBytes;
        latency.merge(other.latency);
        ttfb.merge(other.ttfb);
        maxLatencyNs = Math.max(maxLatencyNs, other.maxLatencyNs);
    }

    public long calls() {
        return calls;
    }

    public long s1xx() {
        return s1xx;
    }

    public long s2xx() {
        return s2xx;
    }

    public long s3xx() {
        return s3xx;
    }

    public long s4xx() {
        return s4xx;
    }

    public long s5xx() {
        return s5xx;
    }

    /** Responses whose status is outside 100..599. */
    public long sOther() {
        return sOther;
    }

    /** Transactions without a response (status 0). */
    public long noResponse() {
        return noResponse;
    }

    /** The distinct status codes seen (100..599), ascending; parallel to {@link #statusCodeCounts()}. */
    public int[] statusCodes() {
        return codes.codes();
    }

    /** Counts of {@link #statusCodes()}, in the same order. */
    public long[] statusCodeCounts() {
        return codes.countsOf(codes.codes());
    }

    /** Responses with exactly this status code; 0 for codes outside 100..599. */
    public long countOf(int code) {
        return codes.countOf(code);
    }

    public long reqBytes() {
        return reqBytes;
    }

    public long respBytes() {
        return respBytes;
    }

    public LatencySketches.Bins latencyBins() {
        return latency.bins();
    }

    public LatencySketches.Bins ttfbBins() {
        return ttfb.bins();
    }

    /** Largest latency recorded, 0 when none. */
    public long maxLatencyNs() {
        return maxLatencyNs;
    }

    @Override
    public String toString() {
        return "EndpointMinute[calls=" + calls + ", 1xx=" + s1xx + ", 2xx=" + s2xx + ", 3xx=" + s3xx + ", 4xx=" + s4xx
            + ", 5xx=" + s5xx + ", other=" + sOther + ", noResponse=" + noResponse + ", reqBytes=" + reqBytes
            + ", respBytes=" + respBytes + ", maxLatencyNs=" + maxLatencyNs + "]";
    }
}
