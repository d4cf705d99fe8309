package io.gatelens.collector.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatelens.collector.record.HttpRecordLayout;
import io.gatelens.collector.record.RecordTypes;
import io.gatelens.collector.record.TlsChunkLayout;
import io.gatelens.collector.testing.KernelAndCorpus;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Attach/detach lifecycle on real interfaces, and every error the collector promises. */
class BpfProgramTest {
    private static final String DUMMY = "gltest0";

    @BeforeAll
    static void dummyInterface() throws Exception {
        KernelAndCorpus.requireBpf();
        // a veth pair: this kernel has no dummy driver
        sh("ip link del " + DUMMY + " 2>/dev/null; ip link add " + DUMMY + " type veth peer name " + DUMMY + "p && ip link set " + DUMMY + " up && ip link set " + DUMMY + "p up");
    }

    @AfterAll
    static void removeDummy() throws Exception {
        if ("root".equals(System.getProperty("user.name"))) {
            sh("ip link del " + DUMMY + " 2>/dev/null; true");
        }
    }

    @Test
    void attachDetachAttachLeavesNothingBehind() throws Exception {
        assertFalse(sh("tc qdisc show dev " + DUMMY).contains("clsact"), "precondition: no clsact on " + DUMMY);
        try (BpfProgram p = BpfProgram.load(CaptureConfig.defaults())) {
            p.attach(DUMMY);
            assertTrue(sh("tc filter show dev " + DUMMY + " ingress").contains("gl_tc_ingress"), "ingress filter attached");
            assertTrue(sh("tc filter show dev " + DUMMY + " egress").contains("gl_tc_egress"), "egress filter attached");
            p.detach(DUMMY);
            assertEquals("", sh("tc filter show dev " + DUMMY + " ingress").trim(), "ingress filters after detach");
            assertEquals("", sh("tc filter show dev " + DUMMY + " egress").trim(), "egress filters after detach");
            assertFalse(sh("tc qdisc show dev " + DUMMY).contains("clsact"), "the clsact qdisc gatelens created is gone");
            p.attach(DUMMY);
            assertTrue(sh("tc filter show dev " + DUMMY + " ingress").contains("gl_tc_ingress"), "attached again");
        }
        // close() detaches too
        assertEquals("", sh("tc filter show dev " + DUMMY + " ingress").trim(), "nothing of ours after close");
        assertFalse(sh("tc qdisc show dev " + DUMMY).contains("clsact"), "no qdisc after close");
    }

    @Test
    void loopbackUsesIngressOnly() throws Exception {
        // another gatelens may be attached to lo (it is shared): compare against what was there
        String ingressBefore = sh("tc filter show dev lo ingress");
        String egressBefore = sh("tc filter show dev lo egress");
        try (BpfProgram p = BpfProgram.load(CaptureConfig.defaults())) {
            p.attach("lo");
            assertTrue(sh("tc filter show dev lo ingress").length() > ingressBefore.length(), "lo ingress attached");
            assertEquals(egressBefore, sh("tc filter show dev lo egress"), "no egress on lo: packets cross both");
        }
        assertEquals(ingressBefore, sh("tc filter show dev lo ingress"), "lo as it was after close");
    }

    @Test
    void aClsactQdiscThatWasThereStays() throws Exception {
        sh("tc qdisc add dev " + DUMMY + " clsact");
        try {
            try (BpfProgram p = BpfProgram.load(CaptureConfig.defaults())) {
                p.attach(DUMMY);
                assertTrue(sh("tc filter show dev " + DUMMY + " ingress").contains("gl_tc_ingress"));
            }
            assertTrue(sh("tc qdisc show dev " + DUMMY).contains("clsact"), "someone else's clsact qdisc is left in place");
            assertEquals("", sh("tc filter show dev " + DUMMY + " ingress").trim(), "only our filter was removed");
        } finally {
            sh("tc qdisc del dev " + DUMMY + " clsact 2>/dev/null; true");
        }
    }

    @Test
    void twoCollectorsOnOneInterfaceDoNotDetachEachOther() throws Exception {
        try (BpfProgram second = BpfProgram.load(CaptureConfig.defaults())) {
            try (BpfProgram first = BpfProgram.load(CaptureConfig.defaults())) {
                first.attach(DUMMY); // creates the clsact qdisc
                second.attach(DUMMY);
                assertEquals(2, count(sh("tc filter show dev " + DUMMY + " ingress"), "name gl_tc_ingress"));
            }
            String left = sh("tc filter show dev " + DUMMY + " ingress");
            assertEquals(1, count(left, "name gl_tc_ingress"), "the second collector's filter survives the first's close:\n" + left);
            assertTrue(sh("tc qdisc show dev " + DUMMY).contains("clsact"), "the qdisc stays while in use");
        }
        assertEquals("", sh("tc filter show dev " + DUMMY + " ingress").trim(), "no filter of ours after both closed");
        sh("tc qdisc del dev " + DUMMY + " clsact 2>/dev/null; true"); // created by the first, in use when it left
    }

    private static int count(String text, String word) {
        return text.split(java.util.regex.Pattern.quote(word), -1).length - 1;
    }

    @Test
    void unknownInterfaceIsNamed() {
        try (BpfProgram p = BpfProgram.load(CaptureConfig.defaults())) {
            CollectorException e = assertThrows(CollectorException.class, () -> p.attach("nosuchif9"));
            assertEquals(CollectorException.Reason.INTERFACE_NOT_FOUND, e.reason());
            assertTrue(e.getMessage().contains("nosuchif9"), e.getMessage());
            CollectorException twice = assertThrows(CollectorException.class, () -> p.detach("nosuchif9"));
            assertEquals(CollectorException.Reason.NOT_ATTACHED, twice.reason());
        }
    }

    @Test
    void attachingTwiceIsRefused() {
        try (BpfProgram p = BpfProgram.load(CaptureConfig.defaults())) {
            p.attach(DUMMY);
            CollectorException e = assertThrows(CollectorException.class, () -> p.attach(DUMMY));
            assertEquals(CollectorException.Reason.ALREADY_ATTACHED, e.reason());
        }
    }

    @Test
    void verifierRejectionCarriesTheLog() {
        Path object = Path.of("../bpf/target/bpf/test/unbounded.bpf.o");
        assertTrue(object.toFile().isFile(), "the bpf module builds " + object);
        CollectorException e = assertThrows(CollectorException.class, () -> BpfProgram.verifyObjectFile(object));
        assertEquals(CollectorException.Reason.VERIFIER_REJECTED, e.reason());
        assertTrue(e.log().contains("invalid access to packet"), "verifier log:\n" + e.log());
        assertTrue(e.getMessage().contains("invalid access to packet"), "message shows the log's end");
        // and our own object passes the same path
        BpfProgram.verifyObjectFile(Path.of("../bpf/target/bpf/gatelens.bpf.o"));
    }

    @Test
    void withoutCapabilitiesTheErrorSaysWhatToGrant() throws Exception {
        // the same JVM and classpath as root, but with every capability dropped
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of("setpriv", "--inh-caps=-all", "--bounding-set=-all",
                java, "--add-opens=java.base/java.nio=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                "io.gatelens.collector.cli.GatelensCli", "capture", "-i", "lo", "--duration", "1"));
        Process proc = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        assertTrue(proc.waitFor(60, TimeUnit.SECONDS), "the unprivileged run ends");
        String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(2, proc.exitValue(), out);
        assertTrue(out.contains("must run as root or with CAP_NET_ADMIN, CAP_BPF, CAP_PERFMON"), out);
    }

    @Test
    void kernelVersionCheck() {
        CollectorException e = assertThrows(CollectorException.class,
                () -> HostRequirements.checkKernel("5.10.0-21-amd64"));
        assertEquals(CollectorException.Reason.KERNEL_TOO_OLD, e.reason());
        assertTrue(e.getMessage().contains("5.10.0-21-amd64") && e.getMessage().contains(">= 5.13"), e.getMessage());
        HostRequirements.checkKernel("5.13.0");
        HostRequirements.checkKernel("6.18.44-fc-v445");
    }

    @Test
    void capabilityParsing() {
        var none = HostRequirements.effectiveCapabilities("Name:\tjava\nCapEff:\t0000000000000000\n");
        assertEquals(List.of("CAP_NET_ADMIN", "CAP_BPF", "CAP_PERFMON"), HostRequirements.missingCapabilities(none));
        var root = HostRequirements.effectiveCapabilities("CapEff:\t000001ffffffffff\n");
        assertEquals(List.of(), HostRequirements.missingCapabilities(root));
        // CAP_NET_ADMIN (12) + CAP_PERFMON (38) + CAP_BPF (39), no CAP_SYS_ADMIN
        var minimal = HostRequirements.effectiveCapabilities("CapEff:\t000000c000001000\n");
        assertEquals(List.of(), HostRequirements.missingCapabilities(minimal));
    }

    @Test
    void recordLayoutMatchesTheCompiledStruct() {
        int[] l = BpfProgram.nativeRecordLayout();
        int[] java = {HttpRecordLayout.SIZE, HttpRecordLayout.OFF_TYPE, HttpRecordLayout.OFF_FLAGS,
            HttpRecordLayout.OFF_STATUS, HttpRecordLayout.OFF_FAMILY, HttpRecordLayout.OFF_DIRECTION,
            HttpRecordLayout.OFF_IFINDEX, HttpRecordLayout.OFF_PATH_LEN, HttpRecordLayout.OFF_METHOD_LEN,
            HttpRecordLayout.OFF_HOST_LEN, HttpRecordLayout.OFF_START_NS, HttpRecordLayout.OFF_TTFB_NS,
            HttpRecordLayout.OFF_LATENCY_NS, HttpRecordLayout.OFF_REQ_BYTES, HttpRecordLayout.OFF_RESP_BYTES,
            HttpRecordLayout.OFF_CLIENT_ADDR, HttpRecordLayout.OFF_SERVER_ADDR, HttpRecordLayout.OFF_CLIENT_PORT,
            HttpRecordLayout.OFF_SERVER_PORT, HttpRecordLayout.OFF_METHOD, HttpRecordLayout.OFF_HOST,
            HttpRecordLayout.OFF_PATH, KernelCounters.NAMES.length};
        assertEquals(java.length, l.length, "layout entries");
        for (int i = 0; i < java.length; i++) {
            assertEquals(l[i], java[i], "layout entry " + i + " (gatelens.h vs HttpRecordLayout/KernelCounters)");
        }
    }

    @Test
    void tlsChunkLayoutMatchesTheCompiledStruct() {
        int[] l = BpfProgram.nativeTlsChunkLayout();
        int[] java = {TlsChunkLayout.SIZE, TlsChunkLayout.OFF_TYPE, TlsChunkLayout.OFF_FLAGS, TlsChunkLayout.OFF_LEN,
            TlsChunkLayout.OFF_FAMILY, TlsChunkLayout.OFF_DIRECTION, TlsChunkLayout.OFF_IFINDEX, TlsChunkLayout.OFF_SEQ,
            TlsChunkLayout.OFF_TS_NS, TlsChunkLayout.OFF_FLIGHT_SEQ, TlsChunkLayout.OFF_FLIGHT_LEN,
            TlsChunkLayout.OFF_PAYLOAD_LEN, TlsChunkLayout.OFF_HS_TYPE, TlsChunkLayout.OFF_CLIENT_ADDR,
            TlsChunkLayout.OFF_SERVER_ADDR, TlsChunkLayout.OFF_CLIENT_PORT, TlsChunkLayout.OFF_SERVER_PORT,
            TlsChunkLayout.OFF_SIZE, TlsChunkLayout.OFF_DATA, TlsChunkLayout.CHUNK_MAX, RecordTypes.MAX_SIZE};
        assertEquals(java.length, l.length, "layout entries");
        for (int i = 0; i < java.length; i++) {
            assertEquals(l[i], java[i], "TLS layout entry " + i + " (gatelens.h vs TlsChunkLayout/RecordTypes)");
        }
    }

    @Test
    void drainRejectsBuffersItCannotFill() {
        try (BpfProgram p = BpfProgram.load(CaptureConfig.defaults())) {
            assertThrows(IllegalArgumentException.class, () -> p.drain(ByteBuffer.allocate(1 << 16), 0));
            CollectorException e = assertThrows(CollectorException.class, () -> p.drain(ByteBuffer.allocateDirect(64), 0));
            assertEquals(CollectorException.Reason.BAD_ARGUMENT, e.reason());
        }
        BpfProgram closed = BpfProgram.load(CaptureConfig.defaults());
        closed.close();
        assertEquals(CollectorException.Reason.CLOSED,
                assertThrows(CollectorException.class, closed::counters).reason());
    }

    static String sh(String cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("sh", "-c", cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }
}
