package io.gatelens.analytics.metrics;

import io.gatelens.analytics.tls.TlsHandshakeFacts;
import io.gatelens.analytics.tls.TlsNames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Prometheus series of the <b>captured</b> TLS handshakes, so that a gateway team can alert on legacy
 * TLS or failing handshakes from the metrics they already scrape:
 * <ul>
 *   <li>{@code gatelens_tls_handshakes_total}: handshakes by the negotiated protocol, with the
 *       OpenTelemetry attribute names {@code tls.protocol.name} ({@code tls}, {@code ssl}) and
 *       {@code tls.protocol.version} ({@code 1.3} … {@code 1.0}; {@code 3} for SSL 3.0), and
 *       {@code outcome}: {@code ok}, {@code no_server_hello} (no ServerHello before the connection went
 *       idle or ended), {@code unparseable} (a hello that was no valid hello, answered or not).</li>
 *   <li>{@code gatelens_tls_handshake_duration_seconds}: ClientHello to ServerHello of the handshakes
 *       that have both, by the same protocol labels.</li>
 * </ul>
 * Every label is bounded: a version outside SSL 3.0 … TLS 1.3 (GREASE, a draft, a lie) is
 * {@code _OTHER}, none negotiated is {@code none}; so there are at most 7 × 3 counters and 7 timers.
 * The server name is deliberately no label: it comes from the client, any client, and would let one
 * make series without bound; per-name figures are at {@code /api/tls}.
 */
@ApplicationScoped
public class TlsMetrics {
    public static final String HANDSHAKES = "gatelens.tls.handshakes";
    public static final String DURATION = "gatelens.tls.handshake.duration";
    static final String[] OUTCOMES = {"ok", "no_server_hello", "unparseable"};
    /** Protocol slots: name and version labels. */
    static final String[][] PROTOCOLS = {
        {"tls", "1.3"}, {"tls", "1.2"}, {"tls", "1.1"}, {"tls", "1.0"}, {"ssl", "3"}, {"_OTHER", "_OTHER"}, {"none", "none"}};
    private static final int OTHER = 5;
    private static final int NONE = 6;
    /** Handshakes take from tens of microseconds (same host) to seconds (a slow client, a far server). */
    static final double[] BUCKET_SECONDS = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
        2.5, 5, 10};

    private final MeterRegistry registry;
    private final Duration[] buckets = new Duration[BUCKET_SECONDS.length];
    private final Counter[] counters = new Counter[PROTOCOLS.length * OUTCOMES.length];
    private final Timer[] timers = new Timer[PROTOCOLS.length];

    public TlsMetrics(MeterRegistry registry) {
        this.registry = registry;
        for (int i = 0; i < buckets.length; i++) {
            buckets[i] = Duration.ofNanos(Math.round(BUCKET_SECONDS[i] * 1e9));
        }
    }

    /** Counts one handshake. */
    public void record(TlsHandshakeFacts f) {
        // a hello that did not parse says why there was no answer better than the missing answer does
        int outcome = f.unparseable() ? 2 : !f.serverHelloSeen() ? 1 : 0;
        int protocol = protocolSlot(f.negotiatedVersion());
        counter(protocol, outcome).increment();
        if (f.handshakeNs() >= 0 && f.serverHelloSeen()) {
            timer(protocol).record(f.handshakeNs(), TimeUnit.NANOSECONDS);
        }
    }

    /** The slot in {@link #PROTOCOLS} of a negotiated version (0: none). */
    static int protocolSlot(int version) {
        return switch (version) {
            case 0 -> NONE;
            case TlsNames.TLS_1_3 -> 0;
            case TlsNames.TLS_1_2 -> 1;
            case TlsNames.TLS_1_1 -> 2;
            case TlsNames.TLS_1_0 -> 3;
            case TlsNames.SSL_3_0 -> 4;
            default -> OTHER;
        };
    }

    private Counter counter(int protocol, int outcome) {
        int k = protocol * OUTCOMES.length + outcome;
        Counter c = counters[k];
        if (c == null) {
            // Micrometer returns the registered meter for the same name and tags: a race makes one meter
            c = Counter.builder(HANDSHAKES)
                .description("TLS handshakes captured, by negotiated protocol and outcome.")
                .tags("tls.protocol.name", PROTOCOLS[protocol][0], "tls.protocol.version", PROTOCOLS[protocol][1],
                    "outcome", OUTCOMES[outcome])
                .register(registry);
            counters[k] = c;
        }
        return c;
    }

    private Timer timer(int protocol) {
        Timer t = timers[protocol];
        if (t == null) {
            t = Timer.builder(DURATION)
                .description("TLS handshake time captured: ClientHello to ServerHello.")
                .tags("tls.protocol.name", PROTOCOLS[protocol][0], "tls.protocol.version", PROTOCOLS[protocol][1])
                .serviceLevelObjectives(buckets)
                .register(registry);
            timers[protocol] = t;
        }
        return t;
    }
}
