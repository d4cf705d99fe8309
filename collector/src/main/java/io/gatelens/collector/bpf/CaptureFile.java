package io.gatelens.collector.bpf;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A pcap/pcapng capture (plain or gzip'd) replayed packet by packet through the ingress program
 * with BPF_PROG_TEST_RUN, the capture's timestamps as the clock. Requires an offline program.
 */
public final class CaptureFile implements AutoCloseable {
    private final Path path;
    private final long size;
    private final long[] progress = new long[4];
    private long handle;

    private CaptureFile(Path path, long handle, long size) {
        this.path = path;
        this.handle = handle;
        this.size = size;
    }

    public static CaptureFile open(Path path) {
        if (!Files.isRegularFile(path)) {
            throw new CollectorException(CollectorException.Reason.CAPTURE_UNREADABLE,
                    "no capture file at " + path);
        }
        long size;
        try {
            size = Files.size(path);
        } catch (java.io.IOException e) {
            throw new CollectorException(CollectorException.Reason.CAPTURE_UNREADABLE,
                    "cannot read " + path + ": " + e.getMessage());
        }
        return new CaptureFile(path, GatelensNative.captureOpen(path.toString()), size);
    }

    /**
     * Feeds up to maxPackets packets, draining records into dst (from 0). Returns the bytes of
     * records written, or -1 when the capture is over.
     */
    public int feed(BpfProgram program, int maxPackets, ByteBuffer dst) {
        if (!program.config().offline()) {
            throw new IllegalArgumentException("replaying a capture needs a program loaded with offline=true");
        }
        int fed = GatelensNative.captureFeed(program.handle(), live(), maxPackets, dst, progress);
        return fed < 0 ? -1 : (int) progress[0];
    }

    public long packetsRead() { return progress[1]; }
    public long packetsSkipped() { return progress[2]; }
    public long lastTimestampNs() { return progress[3]; }
    public long bytesRead() { return GatelensNative.captureOffset(live()); }
    public long fileSize() { return size; }
    public int linkType() { return GatelensNative.captureLinkType(live()); }
    public Path path() { return path; }

    private long live() {
        if (handle == 0) {
            throw new CollectorException(CollectorException.Reason.CLOSED, "capture " + path + " is closed");
        }
        return handle;
    }

    @Override
    public void close() {
        if (handle != 0) {
            GatelensNative.captureClose(handle);
            handle = 0;
        }
    }
}
