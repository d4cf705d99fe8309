package io.gatelens.analytics.ingest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class RowGroupsTest {
    @Test
    void groupsInKeyOrderRowsInBatchOrderAsAStableSortWould() {
        RowGroups groups = new RowGroups();
        SplittableRandom rnd = new SplittableRandom(11);
        for (int n : new int[] {0, 1, 2, 17, 4096, 32768}) {
            for (int distinct : new int[] {1, 3, 1500, 1 << 20}) {
                int[] rows = IntStream.range(0, n).map(k -> 3 * k + 1).toArray(); // not 0..n: the rows are data
                long[] keys = new long[n];
                for (int k = 0; k < n; k++) {
                    long minute = rnd.nextInt(3);
                    keys[k] = minute << 31 | rnd.nextInt(distinct);
                }
                groups.group(rows, keys, n);
                // what a stable sort of (key, row) does
                Integer[] idx = IntStream.range(0, n).boxed().toArray(Integer[]::new);
                Arrays.sort(idx, Comparator.comparingLong(k -> keys[k]));
                int[] expected = Arrays.stream(idx).mapToInt(k -> rows[k]).toArray();
                assertArrayEquals(expected, Arrays.copyOf(groups.rows(), n), "n=" + n + " distinct=" + distinct);
                long[] distinctKeys = Arrays.stream(keys).distinct().sorted().toArray();
                assertEquals(distinctKeys.length, groups.groups());
                for (int g = 0; g < groups.groups(); g++) {
                    assertEquals(distinctKeys[g], groups.key(g));
                    for (int k = groups.from(g); k < groups.from(g + 1); k++) {
                        assertEquals(distinctKeys[g], keys[(groups.rows()[k] - 1) / 3]);
                    }
                }
                assertEquals(n, groups.from(groups.groups()));
            }
        }
    }

    @Test
    void aKeyOutOfRangeIsRefused() {
        RowGroups groups = new RowGroups();
        assertThrows(IllegalArgumentException.class, () -> groups.group(new int[] {0}, new long[] {1L << RowGroups.KEY_BITS}, 1));
        assertThrows(IllegalArgumentException.class, () -> groups.group(new int[] {0}, new long[] {-1}, 1));
    }
}
