package io.gatelens.bench;

import io.gatelens.collector.bpf.CaptureConfig;
import io.gatelens.collector.capture.LiveCapture;
import io.gatelens.collector.record.TransactionBatcher;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * The collector as it runs in production, minus output: attach to an interface, drain the ring
 * buffer into Arrow batches, count rows. Used by bench/live-wrk.sh. Prints "attached" once
 * capturing, then on stdin EOF (or after SECONDS) prints "records N" and the kernel counters.
 *
 * <p>Args: INTERFACE PORT [SECONDS]
 */
public final class LiveCollector {
    public static void main(String[] args) throws Exception {
        String ifname = args[0];
        int port = Integer.parseInt(args[1]);
        AtomicLong rows = new AtomicLong();
        try (BufferAllocator allocator = new RootAllocator();
             TransactionBatcher batcher = new TransactionBatcher(allocator, 8192, 200, batch -> {
                 try (batch) {
                     rows.addAndGet(batch.getRowCount());
                 }
             })) {
            LiveCapture capture = LiveCapture.start(CaptureConfig.defaults().withPorts(Set.of(port)),
                    List.of(ifname), (buf, n, offset) -> batcher.append(buf, 0, n, offset), batcher::poll);
            System.out.println("attached");
            System.out.flush();
            if (args.length > 2) {
                Thread.sleep(Long.parseLong(args[2]) * 1000);
            } else {
                while (System.in.read() >= 0) {
                    // wait for the script to close our stdin
                }
            }
            Thread.sleep(1500); // let the last responses complete and drain
            capture.stop();
            batcher.flush();
            System.out.println("records " + rows.get());
            System.out.println("counters " + capture.counters().asMap());
            capture.close();
        }
    }
}
