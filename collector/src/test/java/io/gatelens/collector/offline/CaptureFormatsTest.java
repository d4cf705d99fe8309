package io.gatelens.collector.offline;

import static io.gatelens.collector.testing.Packets.ACK;
import static io.gatelens.collector.testing.Packets.PSH;
import static io.gatelens.collector.testing.Packets.ascii;
import static io.gatelens.collector.testing.Packets.ip4;
import static io.gatelens.collector.testing.Packets.tcp4;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatelens.collector.bpf.CaptureConfig;
import io.gatelens.collector.bpf.CollectorException;
import io.gatelens.collector.cli.GatelensCli;
import io.gatelens.collector.record.TransactionRow;
import io.gatelens.collector.testing.KernelAndCorpus;
import io.gatelens.collector.testing.Replayed;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Capture files written here byte by byte (pcap with Ethernet, Linux cooked and raw-IP link
 * layers, pcapng; plain and gzip'd) go through `analyze`'s replay and give the exchange they
 * hold, with the capture's own timestamps. Broken files give a clear error.
 */
class CaptureFormatsTest {
    static final long T0 = 1_700_000_000_123_456_789L; // ns: pcap stores it with ns precision
    static final String REQ = "GET /formats?x=1 HTTP/1.1\r\nHost: files\r\n\r\n";
    static final String RESP = "HTTP/1.1 203 Non-Authoritative\r\nContent-Length: 3\r\n\r\nabc";

    @TempDir
    Path dir;

    @BeforeEach
    void privileges() {
        KernelAndCorpus.requireBpf();
    }

    /** The exchange as Ethernet frames with their times. */
    static List<byte[]> frames() {
        byte[] c = ip4(192, 0, 2, 1), s = ip4(192, 0, 2, 80);
        return List.of(tcp4(c, 51000, s, 8080, 1, 1, ACK | PSH, ascii(REQ)),
                tcp4(s, 8080, c, 51000, 1, 1 + REQ.length(), ACK | PSH, ascii(RESP)));
    }

    static final long[] TIMES = {T0, T0 + 2_500_000};

    @ParameterizedTest
    @ValueSource(strings = {"pcap-ethernet", "pcap-sll", "pcap-raw", "pcapng", "pcap-ethernet.gz", "pcapng.gz"})
    void everyFormatGivesTheSameTransaction(String format) throws IOException {
        Path file = dir.resolve("capture." + format);
        byte[] bytes = switch (format.replace(".gz", "")) {
            case "pcap-ethernet" -> pcap(1, f -> f);
            case "pcap-sll" -> pcap(113, CaptureFormatsTest::sll);
            case "pcap-raw" -> pcap(101, f -> Arrays.copyOfRange(f, 14, f.length));
            default -> pcapng();
        };
        write(file, bytes, format.endsWith(".gz"));
        List<TransactionRow> rows = Replayed.rows(file, CaptureConfig.defaults());
        assertEquals(1, rows.size(), format + ": " + rows);
        TransactionRow t = rows.get(0);
        assertEquals("/formats?x=1", t.path());
        assertEquals("files", t.host());
        assertEquals(203, t.status());
        assertEquals(T0, t.tsNs(), format + ": the capture's timestamp, to the ns");
        assertEquals(2_500_000L, t.latencyNs());
        assertEquals(RESP.length(), t.respBytes());
    }

    @Test
    void brokenFilesAreRefusedClearly() throws IOException {
        Path junk = dir.resolve("junk.pcap");
        Files.writeString(junk, "this is not a capture");
        CollectorException e = assertThrows(CollectorException.class, () -> Replayed.rows(junk, CaptureConfig.defaults()));
        assertEquals(CollectorException.Reason.CAPTURE_UNREADABLE, e.reason());
        assertTrue(e.getMessage().contains("not a pcap or pcapng"), e.getMessage());

        CollectorException missing = assertThrows(CollectorException.class, () -> Replayed.rows(dir.resolve("nope.pcap"), CaptureConfig.defaults()));
        assertTrue(missing.getMessage().contains("nope.pcap"), missing.getMessage());

        // cut in the middle of the second packet: the first is replayed, then a clear error
        byte[] whole = pcap(1, f -> f);
        Path cut = dir.resolve("cut.pcap");
        Files.write(cut, Arrays.copyOf(whole, whole.length - 20));
        CollectorException truncated = assertThrows(CollectorException.class, () -> Replayed.rows(cut, CaptureConfig.defaults()));
        assertEquals(CollectorException.Reason.CAPTURE_UNREADABLE, truncated.reason());
        assertTrue(truncated.getMessage().contains("after 1 packets"), truncated.getMessage());
    }

    @Test
    void analyzeCommandPrintsJsonLinesAndTsv() throws IOException {
        Path file = dir.resolve("cli.pcap.gz");
        write(file, pcap(1, f -> f), true);
        String json = runCli("analyze", file.toString(), "--format", "json");
        List<String> lines = json.lines().toList();
        assertEquals(1, lines.size(), json);
        assertTrue(lines.get(0).startsWith("{\"ts_ns\":" + T0 + ",\"src\":\"192.0.2.1\",\"sport\":51000"), lines.get(0));
        assertTrue(lines.get(0).contains("\"path\":\"/formats?x=1\"") && lines.get(0).contains("\"status\":203"), lines.get(0));
        String tsv = runCli("analyze", file.toString());
        List<String> rows = tsv.lines().toList();
        assertEquals("ts_ns\tsrc\tsport\tdst\tdport\tfamily\tdirection\tifindex\tmethod\tpath\thost\tstatus"
                + "\treq_bytes\tresp_bytes\tttfb_ns\tlatency_ns\tflags", rows.get(0));
        assertEquals(T0 + "\t192.0.2.1\t51000\t192.0.2.80\t8080\t4\t0\t0\tGET\t/formats?x=1\tfiles\t203\t"
                + REQ.length() + "\t" + RESP.length() + "\t2500000\t2500000\t0", rows.get(1));
        assertEquals(2, GatelensCli.run("analyze", dir.resolve("absent.pcap").toString()), "a missing file exits 2");
    }

    private static String runCli(String... args) {
        PrintStream saved = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8)) {
            System.setOut(ps);
            assertEquals(0, GatelensCli.run(args));
        } finally {
            System.setOut(saved);
        }
        return out.toString(StandardCharsets.UTF_8);
    }


    private static void write(Path file, byte[] bytes, boolean gzip) throws IOException {
        try (OutputStream out = gzip ? new GZIPOutputStream(Files.newOutputStream(file)) : Files.newOutputStream(file)) {
            out.write(bytes);
        }
    }

    /** Linux cooked header (16 bytes) in place of Ethernet. */
    private static byte[] sll(byte[] eth) {
        ByteBuffer b = ByteBuffer.allocate(16 + eth.length - 14);
        b.putShort((short) 0).putShort((short) 1).putShort((short) 6).put(new byte[8]).put(eth, 12, 2);
        b.put(eth, 14, eth.length - 14);
        return b.array();
    }

    /** pcap, nanosecond magic, little-endian. */
    private static byte[] pcap(int linkType, java.util.function.UnaryOperator<byte[]> frame) {
        ByteBuffer b = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0xa1b23c4d).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(linkType);
        List<byte[]> fs = frames();
        for (int i = 0; i < fs.size(); i++) {
            byte[] f = frame.apply(fs.get(i));
            b.putInt((int) (TIMES[i] / 1_000_000_000L)).putInt((int) (TIMES[i] % 1_000_000_000L))
                    .putInt(f.length).putInt(f.length).put(f);
        }
        return Arrays.copyOf(b.array(), b.position());
    }

    /** pcapng: section header, one Ethernet interface with ns resolution, enhanced packet blocks. */
    private static byte[] pcapng() {
        ByteBuffer b = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0x0A0D0D0A).putInt(28).putInt(0x1A2B3C4D).putShort((short) 1).putShort((short) 0).putLong(-1).putInt(28);
        // IDB with if_tsresol = 9 (ns)
        b.putInt(1).putInt(32).putShort((short) 1).putShort((short) 0).putInt(65535)
                .putShort((short) 9).putShort((short) 1).put((byte) 9).put(new byte[3]).putInt(0).putInt(32);
        List<byte[]> fs = frames();
        for (int i = 0; i < fs.size(); i++) {
            byte[] f = fs.get(i);
            int padded = (f.length + 3) & ~3;
            int len = 32 + padded;
            b.putInt(6).putInt(len).putInt(0).putInt((int) (TIMES[i] >>> 32)).putInt((int) TIMES[i])
                    .putInt(f.length).putInt(f.length).put(f).put(new byte[padded - f.length]).putInt(len);
        }
        return Arrays.copyOf(b.array(), b.position());
    }
}
