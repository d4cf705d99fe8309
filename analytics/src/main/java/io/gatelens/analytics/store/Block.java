package io.gatelens.analytics.store;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The statistics rows of one span of time ([start, start + length): an hour of {@code stats_hour} or
 * five minutes of minute rows merged per endpoint and host), immutable, compact: the scalars as
 * longs and the bins in the store's encoding (see {@link Totals}), all rows' bins in one array.
 */
final class Block {
    final long startMicros;
    final long lengthMicros;
    final int size;
    final int[] endpointIds;
    /** Per row, the index of its host in {@link #hosts}. */
    final int[] hostIndexes;
    /** The distinct hosts of the rows; null for rows without a host. */
    final String[] hosts;
    /** {@link Totals#SCALARS} per row. */
    final long[] scalars;
    final byte[] bins;
    /** Row i's bins are [binOffsets[i], binOffsets[i + 1]) of {@link #bins}. */
    final int[] binOffsets;

    private Block(long startMicros, long lengthMicros, int size, int[] endpointIds, int[] hostIndexes, String[] hosts,
                  long[] scalars, byte[] bins, int[] binOffsets) {
        this.startMicros = startMicros;
        this.lengthMicros = lengthMicros;
        this.size = size;
        this.endpointIds = endpointIds;
        this.hostIndexes = hostIndexes;
        this.hosts = hosts;
        this.scalars = scalars;
        this.bins = bins;
        this.binOffsets = binOffsets;
    }

    /** Heap bytes held, roughly (arrays and headers; the host strings are shared with the rows' sources). */
    long bytes() {
        return 96 + 16L * 5 + 4L * size + 4L * size + 8L * hosts.length + 8L * scalars.length + bins.length + 4L * binOffsets.length;
    }

    /** Adds every row of the wanted host (null: all hosts) to the accumulator of its endpoint. */
    void addTo(Accumulators acc, String hostOrNull) {
        boolean[] wanted = new boolean[hosts.length];
        for (int h = 0; h < hosts.length; h++) {
            wanted[h] = hostOrNull == null || hostOrNull.equals(hosts[h]);
        }
        for (int i = 0; i < size; i++) {
            if (wanted[hostIndexes[i]]) {
                Totals t = acc.of(endpointIds[i]);
                t.addScalars(scalars, i * Totals.SCALARS);
                t.addBins(bins, binOffsets[i], binOffsets[i + 1]);
            }
        }
    }

    /** The block of two adjacent blocks (a's span directly followed by b's): their rows merged per endpoint and host. */
    static Block merge(Block a, Block b) {
        if (a.startMicros + a.lengthMicros != b.startMicros) {
            throw new IllegalArgumentException("blocks not adjacent: " + a.startMicros + "+" + a.lengthMicros + " and " + b.startMicros);
        }
        Map<EndpointHost, Totals> merged = new HashMap<>();
        for (Block x : new Block[] {a, b}) {
            for (int i = 0; i < x.size; i++) {
                Totals t = merged.computeIfAbsent(new EndpointHost(x.endpointIds[i], x.hosts[x.hostIndexes[i]]), k -> new Totals());
                t.addScalars(x.scalars, i * Totals.SCALARS);
                t.addBins(x.bins, x.binOffsets[i], x.binOffsets[i + 1]);
            }
        }
        Builder out = new Builder(a.startMicros, a.lengthMicros + b.lengthMicros);
        for (Map.Entry<EndpointHost, Totals> e : merged.entrySet()) {
            out.add(e.getKey().endpointId(), e.getKey().host(), e.getValue().scalars, 0, e.getValue().encodeBins());
        }
        return out.build();
    }

    /** Collects rows as they are (several rows of an endpoint and host stay several rows). */
    static final class Builder {
        private final long startMicros;
        private final long lengthMicros;
        private int size;
        private int[] endpointIds = new int[64];
        private int[] hostIndexes = new int[64];
        /** HashMap takes the null host as a key like any other. */
        private final Map<String, Integer> hostIndex = new HashMap<>();
        private final List<String> hosts = new ArrayList<>();
        private long[] scalars = new long[64 * Totals.SCALARS];
        private byte[] bins = new byte[4096];
        private int binsSize;
        private int[] binOffsets = new int[65];

        Builder(long startMicros, long lengthMicros) {
            this.startMicros = startMicros;
            this.lengthMicros = lengthMicros;
        }

        /** Adds a row: its scalars are {@link Totals#SCALARS} values from scalarOffset of rowScalars. */
        void add(int endpointId, String host, long[] rowScalars, int scalarOffset, byte[] rowBins) {
            if (size == endpointIds.length) {
                int n = size * 2;
                endpointIds = Arrays.copyOf(endpointIds, n);
                hostIndexes = Arrays.copyOf(hostIndexes, n);
                scalars = Arrays.copyOf(scalars, n * Totals.SCALARS);
                binOffsets = Arrays.copyOf(binOffsets, n + 1);
            }
            if (binsSize + rowBins.length > bins.length) {
                bins = Arrays.copyOf(bins, Math.max(bins.length * 2, binsSize + rowBins.length));
            }
            endpointIds[size] = endpointId;
            Integer h = hostIndex.get(host);
            if (h == null) {
                h = hosts.size();
                hosts.add(host);
                hostIndex.put(host, h);
            }
            hostIndexes[size] = h;
            System.arraycopy(rowScalars, scalarOffset, scalars, size * Totals.SCALARS, Totals.SCALARS);
            System.arraycopy(rowBins, 0, bins, binsSize, rowBins.length);
            binsSize += rowBins.length;
            size++;
            binOffsets[size] = binsSize;
        }

        Block build() {
            return new Block(startMicros, lengthMicros, size, Arrays.copyOf(endpointIds, size), Arrays.copyOf(hostIndexes, size),
                hosts.toArray(new String[0]), Arrays.copyOf(scalars, size * Totals.SCALARS), Arrays.copyOf(bins, binsSize),
                Arrays.copyOf(binOffsets, size + 1));
        }
    }

    /** An endpoint and a host that may be null, as a map key. */
    record EndpointHost(int endpointId, String host) {
    }

    /** One accumulator per key (an endpoint id, a series step), created on first use. */
    static final class Accumulators {
        private Totals[] byKey = new Totals[64];

        Totals of(int key) {
            if (key < 0) {
                throw new IllegalArgumentException("negative key " + key);
            }
            if (key >= byKey.length) {
                byKey = Arrays.copyOf(byKey, Math.max(key + 1, byKey.length * 2));
            }
            Totals t = byKey[key];
            if (t == null) {
                t = new Totals();
                byKey[key] = t;
            }
            return t;
        }

        void mergeFrom(Accumulators other) {
            for (int k = 0; k < other.byKey.length; k++) {
                if (other.byKey[k] != null) {
                    of(k).merge(other.byKey[k]);
                }
            }
        }

        /** Keys with an accumulator, ascending, and their accumulators. */
        void forEach(java.util.function.ObjIntConsumer<Totals> action) {
            for (int k = 0; k < byKey.length; k++) {
                if (byKey[k] != null) {
                    action.accept(byKey[k], k);
                }
            }
        }
    }
}
