package io.gatelens.collector.bpf;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The per-CPU counters of the TC programs, summed (struct gl_counters in bpf/src/gatelens.h —
 * NAMES lists its fields in order; update both). Flow-table evictions are derived: the LRU map
 * evicts silently, so evictions = created - closed - live (live counted by the last sweep).
 * After the named counters come two gauges: live flows (last sweep) and TLS directions mid-hello.
 */
public record KernelCounters(long[] values) {
    public static final String[] NAMES = {
        "packets", "requests", "responses", "responses_unmatched", "records", "ringbuf_drops",
        "sampled_out", "flows_created", "flows_closed", "timeouts", "gaps", "retransmits",
        "desyncs", "pending_overflow", "pending_lost", "tls_hellos", "tls_chunks", "tls_capped", "tls_cut",
    };

    public KernelCounters {
        if (values.length != NAMES.length + 2) {
            throw new IllegalStateException("the native library reports " + (values.length - 2)
                    + " counters, this build knows " + NAMES.length + ": rebuild both halves");
        }
        values = values.clone();
    }

    public long get(String name) {
        for (int i = 0; i < NAMES.length; i++) {
            if (NAMES[i].equals(name)) {
                return values[i];
            }
        }
        throw new IllegalArgumentException("no counter " + name);
    }

    public long packets() { return values[0]; }
    public long requests() { return values[1]; }
    public long responses() { return values[2]; }
    public long responsesUnmatched() { return values[3]; }
    public long records() { return values[4]; }
    public long ringbufDrops() { return values[5]; }
    public long sampledOut() { return values[6]; }
    public long flowsCreated() { return values[7]; }
    public long flowsClosed() { return values[8]; }
    public long timeouts() { return values[9]; }
    public long gaps() { return values[10]; }
    public long retransmits() { return values[11]; }
    public long desyncs() { return values[12]; }
    public long pendingOverflow() { return values[13]; }
    public long pendingLost() { return values[14]; }
    /** Segments that start a ClientHello or ServerHello record. */
    public long tlsHellos() { return values[15]; }
    /** TLS chunk records written (not counted in {@link #records()}). */
    public long tlsChunks() { return values[16]; }
    /** Hello segments not copied because their direction's chunk budget was spent. */
    public long tlsCapped() { return values[17]; }
    /** Hellos longer than the kernel copies (GL_TLS_HELLO_MAX). */
    public long tlsCut() { return values[18]; }

    /** Connections in the flow table at the last sweep. */
    public long liveFlows() { return values[NAMES.length]; }

    /**
     * Directions of connections in the middle of a TLS hello (more segments expected): what the
     * kernel's TLS gate counts now. Recounted by each sweep; 0 when no hello is in flight.
     */
    public long tlsActive() { return values[NAMES.length + 1]; }

    /** Connections the LRU flow table dropped to make room (derived, see class comment). */
    public long flowEvictions() {
        return Math.max(0, flowsCreated() - flowsClosed() - liveFlows());
    }

    public Map<String, Long> asMap() {
        Map<String, Long> m = new LinkedHashMap<>();
        for (int i = 0; i < NAMES.length; i++) {
            m.put(NAMES[i], values[i]);
        }
        m.put("live_flows", liveFlows());
        m.put("flow_evictions", flowEvictions());
        m.put("tls_active", tlsActive());
        return m;
    }
}
