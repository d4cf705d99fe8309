package io.gatelens.bench;

import io.gatelens.collector.record.HttpRecordDecoder;
import io.gatelens.collector.record.HttpRecordLayout;
import io.gatelens.collector.record.TransactionSchema;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Throughput of {@link HttpRecordDecoder}: ring-buffer records to Arrow vectors, the per-record
 * cost of live capture in user space. Reports records/s (one operation = one record).
 * Run: java --add-opens=java.base/java.nio=ALL-UNNAMED -jar bench/target/benchmarks.jar DecodeBenchmark
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = "--add-opens=java.base/java.nio=ALL-UNNAMED")
public class DecodeBenchmark {
    static final int RECORDS = 8192;

    private static final String[] METHODS = {"GET", "GET", "GET", "POST", "PUT", "DELETE", "PATCH"};
    private static final String[] HOSTS = {"api.example.com", "checkout.internal.svc.cluster.local",
        "10.0.3.17:8080", "static.cdn.example.net", ""};
    private static final String[] SEGMENTS = {"api", "v1", "v2", "users", "orders", "items", "search",
        "health", "metrics", "catalog", "cart", "checkout", "session", "assets", "img"};

    private BufferAllocator allocator;
    private VectorSchemaRoot root;
    private ByteBuffer records;
    private HttpRecordDecoder decoder;

    @Setup(Level.Trial)
    public void setUp() {
        allocator = new RootAllocator();
        root = VectorSchemaRoot.create(TransactionSchema.schema(), allocator);
        root.allocateNew();
        decoder = new HttpRecordDecoder();
        records = ByteBuffer.allocateDirect(RECORDS * HttpRecordLayout.SIZE).order(ByteOrder.nativeOrder());
        SplittableRandom rnd = new SplittableRandom(42);
        for (int i = 0; i < RECORDS; i++) {
            write(records, i * HttpRecordLayout.SIZE, rnd);
        }
        // first pass grows the vectors to their steady-state size, and checks the input
        int n = decoder.decode(records, 0, records.capacity(), root, 0);
        if (n != RECORDS || decoder.skippedRecords() != 0) {
            throw new IllegalStateException("decoded " + n + " of " + RECORDS + " records");
        }
        reset();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        root.close();
        allocator.close();
    }

    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public int decode() {
        reset();
        return decoder.decode(records, 0, records.capacity(), root, 1_700_000_000_000_000_000L);
    }

    /** Empties the root but keeps its buffers, as a long-running capture reusing one root would. */
    private void reset() {
        for (FieldVector v : root.getFieldVectors()) {
            v.reset();
        }
        root.setRowCount(0);
    }

    /** A plausible record: mixed methods, hosts (some absent), paths of 10 to 120 bytes, v4 and v6. */
    private static void write(ByteBuffer b, int p, SplittableRandom rnd) {
        boolean v6 = rnd.nextInt(4) == 0;
        boolean answered = rnd.nextInt(20) != 0;
        String method = METHODS[rnd.nextInt(METHODS.length)];
        String host = HOSTS[rnd.nextInt(HOSTS.length)];
        String path = path(rnd, 10 + rnd.nextInt(111));

        b.putShort(p + HttpRecordLayout.OFF_TYPE, (short) HttpRecordLayout.TYPE_HTTP);
        b.putShort(p + HttpRecordLayout.OFF_FLAGS, (short) (answered ? 0 : HttpRecordLayout.FLAG_NO_RESPONSE));
        b.putShort(p + HttpRecordLayout.OFF_STATUS, (short) (answered ? 200 + rnd.nextInt(4) * 100 : 0));
        b.put(p + HttpRecordLayout.OFF_FAMILY, (byte) (v6 ? 6 : 4));
        b.put(p + HttpRecordLayout.OFF_DIRECTION, (byte) (1 + rnd.nextInt(2)));
        b.putInt(p + HttpRecordLayout.OFF_IFINDEX, 2);
        b.putShort(p + HttpRecordLayout.OFF_PATH_LEN, (short) path.length());
        b.put(p + HttpRecordLayout.OFF_METHOD_LEN, (byte) method.length());
        b.put(p + HttpRecordLayout.OFF_HOST_LEN, (byte) host.length());
        b.putLong(p + HttpRecordLayout.OFF_START_NS, 1_000_000_000L + rnd.nextInt(1 << 30));
        b.putLong(p + HttpRecordLayout.OFF_TTFB_NS, answered ? rnd.nextInt(50_000_000) : 0);
        b.putLong(p + HttpRecordLayout.OFF_LATENCY_NS, answered ? rnd.nextInt(100_000_000) : 0);
        b.putLong(p + HttpRecordLayout.OFF_REQ_BYTES, 100 + rnd.nextInt(2_000));
        b.putLong(p + HttpRecordLayout.OFF_RESP_BYTES, answered ? 200 + rnd.nextInt(100_000) : 0);
        for (int side = 0; side < 2; side++) {
            int at = p + (side == 0 ? HttpRecordLayout.OFF_CLIENT_ADDR : HttpRecordLayout.OFF_SERVER_ADDR);
            if (v6) {
                b.putShort(at, (short) 0x20_01);
                b.putShort(at + 2, (short) 0x0d_b8);
                b.putLong(at + 8, rnd.nextLong());
            } else {
                b.put(at + 10, (byte) 0xff).put(at + 11, (byte) 0xff).putInt(at + 12, rnd.nextInt());
            }
        }
        b.putShort(p + HttpRecordLayout.OFF_CLIENT_PORT, (short) (32_768 + rnd.nextInt(28_000)));
        b.putShort(p + HttpRecordLayout.OFF_SERVER_PORT, (short) 0x1f90); // ports are __be16: any value will do here
        ascii(b, p + HttpRecordLayout.OFF_METHOD, method);
        ascii(b, p + HttpRecordLayout.OFF_HOST, host);
        ascii(b, p + HttpRecordLayout.OFF_PATH, path);
    }

    private static String path(SplittableRandom rnd, int len) {
        StringBuilder sb = new StringBuilder(len + 16);
        while (sb.length() < len) {
            sb.append('/').append(SEGMENTS[rnd.nextInt(SEGMENTS.length)]);
            if (rnd.nextInt(3) == 0) {
                sb.append('/').append(rnd.nextInt(1_000_000));
            }
            if (rnd.nextInt(6) == 0) {
                sb.append("?q=").append(Long.toHexString(rnd.nextLong()));
            }
        }
        sb.setLength(len);
        return sb.toString();
    }

    private static void ascii(ByteBuffer b, int at, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < bytes.length; i++) {
            b.put(at + i, bytes[i]);
        }
    }
}
