package io.gatelens.collector.testing;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What kernel and corpus tests need. Without root (or without ../shared/corpus) they skip with
 * a message; CI sets GATELENS_REQUIRE_BPF=1 / GATELENS_REQUIRE_CORPUS=1 and then they fail.
 */
public final class KernelAndCorpus {
    private KernelAndCorpus() {}

    public static void requireBpf() {
        String uid = effectiveUid();
        boolean root = "0".equals(uid);
        String why = "BPF tests load eBPF programs and need root (uid 0); this process is uid " + uid;
        if (!root && "1".equals(System.getenv("GATELENS_REQUIRE_BPF"))) {
            fail(why + ", and GATELENS_REQUIRE_BPF=1 says they must run");
        }
        assumeTrue(root, why + ": skipped (set GATELENS_REQUIRE_BPF=1 to make this a failure)");
    }

    private static String effectiveUid() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.substring(4).trim().split("\\s+")[1]; // real, EFFECTIVE, saved, fs
                }
            }
        } catch (java.io.IOException e) {
            // no procfs: fall back to the user name
        }
        return "root".equals(System.getProperty("user.name")) ? "0" : "?";
    }

    /** ../shared/corpus (GATELENS_CORPUS, set by the build). */
    public static Path corpus() {
        String env = System.getenv("GATELENS_CORPUS");
        Path dir = Path.of(env != null ? env : "../../shared/corpus").toAbsolutePath().normalize();
        boolean present = Files.isDirectory(dir.resolve("pcap")) && Files.isDirectory(dir.resolve("truth"));
        if (!present && "1".equals(System.getenv("GATELENS_REQUIRE_CORPUS"))) {
            fail("the corpus is missing at " + dir + " and GATELENS_REQUIRE_CORPUS=1 is set");
        }
        assumeTrue(present, "no corpus at " + dir + "; corpus tests skipped");
        return dir;
    }
}
