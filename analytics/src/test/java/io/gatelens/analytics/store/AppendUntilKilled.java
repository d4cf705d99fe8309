package io.gatelens.analytics.store;

import io.gatelens.analytics.stats.EndpointMinute;
import io.gatelens.analytics.stats.MinuteRow;
import java.nio.file.Path;
import java.util.List;

/**
 * Child process of {@link StatsStoreKillTest}: appends one minute row after another to the store
 * file given as argument and prints {@code committed <minute index>} after each append has
 * returned, until it is killed. Minute m holds {@link #callsOf(int)} calls.
 */
public final class AppendUntilKilled {
    static final long T0_EPOCH_SECOND = 1_767_225_600L; // 2026-01-01T00:00:00Z
    static final EndpointKey ENDPOINT = EndpointKey.operation("kill-test", "POST", "/v1/orders", "createOrder");

    private AppendUntilKilled() {
    }

    static int callsOf(int minuteIndex) {
        return 1 + minuteIndex % 7;
    }

    public static void main(String[] args) {
        StatsStore store = StatsStore.open(Path.of(args[0]), StoreSettings.DEFAULTS);
        int id = store.endpointId(ENDPOINT);
        for (int m = 0; m < 100_000; m++) {
            EndpointMinute stats = new EndpointMinute();
            for (int i = 0; i < callsOf(m); i++) {
                stats.record(201, 100, 200, 1_000_000, 5_000_000L + i);
            }
            store.append(List.of(new MinuteRow(T0_EPOCH_SECOND + 60L * m, id, "orders.example", stats)));
            System.out.println("committed " + m);
            System.out.flush();
        }
        // never reached in the test: the parent kills this process long before
        store.close();
    }
}
