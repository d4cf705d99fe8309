package io.gatelens.analytics.store;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A bounded, least-recently-used cache of {@link Block}s keyed by span (start, length), sized by the
 * blocks' heap bytes. Thread-safe (one lock; every operation is short).
 *
 * <p>Consistency with the database: a reader takes a {@link #ticket()} before its transaction starts
 * and offers the blocks it loaded with it; a writer, after committing rows that change some spans,
 * {@link #invalidate invalidates} them. A block is kept only if none of its five-minute spans was
 * invalidated after the ticket was taken, so a block loaded from a snapshot older than a write is
 * never cached after that write (the check and the invalidation both run under the lock).
 * Invalidations are remembered per five-minute span in a ring of stripes (a collision only rejects an
 * offer needlessly).
 */
final class BlockCache {
    static final long SPAN_MICROS = 5 * 60_000_000L;
    private static final int STRIPES = 4096;

    private final long budgetBytes;
    private final LinkedHashMap<Key, Block> blocks = new LinkedHashMap<>(64, 0.75f, true);
    private final long[] invalidatedAt = new long[STRIPES];
    private long allInvalidatedAt;
    private long clock;
    private long bytes;
    private long hits;
    private long misses;

    record Key(long startMicros, long lengthMicros) {
    }

    BlockCache(long budgetBytes) {
        this.budgetBytes = budgetBytes;
    }

    synchronized long ticket() {
        return clock;
    }

    synchronized Block get(long startMicros, long lengthMicros) {
        Block b = blocks.get(new Key(startMicros, lengthMicros));
        if (b == null) {
            misses++;
        } else {
            hits++;
        }
        return b;
    }

    /** Whether a block is cached, without counting a lookup or touching its recency. */
    synchronized boolean peek(long startMicros, long lengthMicros) {
        return blocks.containsKey(new Key(startMicros, lengthMicros));
    }

    /** Keeps the block unless its spans were invalidated after the ticket or it exceeds the budget alone. */
    synchronized void offer(Block block, long ticket) {
        if (allInvalidatedAt > ticket || block.bytes() > budgetBytes) {
            return;
        }
        for (long s = block.startMicros; s < block.startMicros + block.lengthMicros; s += SPAN_MICROS) {
            if (invalidatedAt[stripe(s)] > ticket) {
                return;
            }
        }
        Block old = blocks.put(new Key(block.startMicros, block.lengthMicros), block);
        bytes += block.bytes() - (old == null ? 0 : old.bytes());
        Iterator<Block> eldest = blocks.values().iterator();
        while (bytes > budgetBytes && eldest.hasNext()) {
            bytes -= eldest.next().bytes();
            eldest.remove();
        }
    }

    /** Forgets every block and rejects offers from older readers. */
    synchronized void invalidateAll() {
        clock++;
        allInvalidatedAt = clock;
        blocks.clear();
        recount();
    }

    /** Forgets every block overlapping [fromMicros, toMicros) and rejects offers of them from older readers. */
    synchronized void invalidate(long fromMicros, long toMicros) {
        clock++;
        long first = Math.floorDiv(fromMicros, SPAN_MICROS) * SPAN_MICROS;
        if ((toMicros - first) / SPAN_MICROS >= STRIPES) {
            allInvalidatedAt = clock;
        } else {
            for (long s = first; s < toMicros; s += SPAN_MICROS) {
                invalidatedAt[stripe(s)] = clock;
            }
        }
        for (Iterator<Map.Entry<Key, Block>> it = blocks.entrySet().iterator(); it.hasNext(); ) {
            Key k = it.next().getKey();
            if (k.startMicros < toMicros && k.startMicros + k.lengthMicros > fromMicros) {
                it.remove();
            }
        }
        recount();
    }

    private void recount() {
        long total = 0;
        for (Block b : blocks.values()) {
            total += b.bytes();
        }
        bytes = total;
    }

    synchronized long bytes() {
        return bytes;
    }

    synchronized int size() {
        return blocks.size();
    }

    /** Lookups that found a block, and that did not, since the store opened. */
    synchronized long[] hitsAndMisses() {
        return new long[] {hits, misses};
    }

    private static int stripe(long spanStartMicros) {
        return (int) Math.floorMod(Math.floorDiv(spanStartMicros, SPAN_MICROS), (long) STRIPES);
    }
}
