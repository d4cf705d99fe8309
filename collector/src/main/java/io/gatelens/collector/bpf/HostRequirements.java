package io.gatelens.collector.bpf;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks made before touching the kernel, so the user reads what to change rather than an
 * errno: the kernel version and the process's effective capabilities.
 */
public final class HostRequirements {
    /** Ring buffer (5.8) and bpf_for_each_map_elem for the idle sweep (5.13). */
    public static final int MIN_MAJOR = 5;
    public static final int MIN_MINOR = 13;

    static final int CAP_NET_ADMIN = 12;
    static final int CAP_SYS_ADMIN = 21;
    static final int CAP_PERFMON = 38;
    static final int CAP_BPF = 39;

    private HostRequirements() {}

    /** Throws KERNEL_TOO_OLD for a release older than 5.13 (e.g. "5.10.0-21-amd64"). */
    public static void checkKernel(String release) {
        Matcher m = Pattern.compile("^(\\d+)\\.(\\d+)").matcher(release);
        if (!m.find()) {
            return; // unknown format: let the kernel itself answer
        }
        int major = Integer.parseInt(m.group(1));
        int minor = Integer.parseInt(m.group(2));
        if (major < MIN_MAJOR || (major == MIN_MAJOR && minor < MIN_MINOR)) {
            throw new CollectorException(CollectorException.Reason.KERNEL_TOO_OLD,
                    "gatelens needs Linux >= " + MIN_MAJOR + "." + MIN_MINOR
                            + " (BPF ring buffer, bpf_for_each_map_elem); this kernel is " + release);
        }
    }

    /** Throws NOT_PERMITTED naming the missing capabilities (CapEff from /proc/self/status). */
    public static void checkCapabilities() {
        BigInteger eff;
        try {
            eff = effectiveCapabilities(Files.readString(Path.of("/proc/self/status")));
        } catch (IOException e) {
            return; // no procfs: let the kernel answer
        }
        List<String> missing = missingCapabilities(eff);
        if (!missing.isEmpty()) {
            throw new CollectorException(CollectorException.Reason.NOT_PERMITTED,
                    "gatelens must run as root or with " + String.join(", ", missing)
                            + " (e.g. sudo, or setcap cap_bpf,cap_net_admin,cap_perfmon+ep on the java binary)");
        }
    }

    static BigInteger effectiveCapabilities(String procStatus) {
        for (String line : procStatus.split("\n")) {
            if (line.startsWith("CapEff:")) {
                return new BigInteger(line.substring(7).trim(), 16);
            }
        }
        return BigInteger.ZERO;
    }

    static List<String> missingCapabilities(BigInteger eff) {
        List<String> missing = new ArrayList<>();
        if (!eff.testBit(CAP_NET_ADMIN)) {
            missing.add("CAP_NET_ADMIN");
        }
        boolean sysAdmin = eff.testBit(CAP_SYS_ADMIN);
        if (!sysAdmin && !eff.testBit(CAP_BPF)) {
            missing.add("CAP_BPF");
        }
        if (!sysAdmin && !eff.testBit(CAP_PERFMON)) {
            missing.add("CAP_PERFMON");
        }
        return missing;
    }
}
