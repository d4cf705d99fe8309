package io.gatelens.collector.bpf;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The per-CPU counters of the TC programs, summed (struct gl_counters in bpf/src/gatelens.h —
 * NAMES lists its fields in order; update both). Flow-table evictions are derived: the LRU map
 * evicts silently, so evictions = created - closed - live (live counted by the last sweep).
 */
public record KernelCounters(long[] values) {
    public static final String[] NAMES = {
        "packets", "requests", "responses", "responses_unmatched", "records", "ringbuf_drops",
        "sampled_out", "flows_created", "flows_closed", "timeouts", "gaps", "retransmits",
        "desyncs", "pending_overflow", "pending_lost",
    };

    public KernelCounters {
        if (values.length != NAMES.length + 1) {
            throw new IllegalStateException("the native library reports " + (values.length - 1)
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

    /** Connections in the flow table at the last sweep. */
    public long liveFlows() { return values[NAMES.length]; }

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
        return m;
    }
}
