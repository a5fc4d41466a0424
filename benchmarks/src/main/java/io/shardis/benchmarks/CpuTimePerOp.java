package io.shardis.benchmarks;

import io.netty.util.concurrent.FastThreadLocalThread;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.function.IntSupplier;

/**
 * The MGET benchmarks' operations timed by the CPU time of the thread running them, not the wall
 * clock: on a machine whose cores are shared with other work, a thread that waits for a core does
 * not count it. Each operation runs in rounds (after a warm-up of twenty); prints the fastest and
 * the median round's nanoseconds per operation. Runs on a FastThreadLocalThread, as on an event loop.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.shardis.benchmarks.CpuTimePerOp</pre>
 */
public final class CpuTimePerOp {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final int ROUNDS = 15;

    private static int sink;

    private CpuTimePerOp() {}

    public static void main(String[] args) throws InterruptedException {
        Thread thread = new FastThreadLocalThread(CpuTimePerOp::measureAll);
        thread.start();
        thread.join();
    }

    private static void measureAll() {
        MgetCodecBenchmark codec = new MgetCodecBenchmark();
        codec.setUp();
        MgetMergeBenchmark merge4 = merge(4);
        MgetMergeBenchmark merge16 = merge(16);
        measure("MgetCodecBenchmark.decodeMgetRequest", codec::decodeMgetRequest, 20_000);
        measure("MgetCodecBenchmark.frameMgetReply", codec::frameMgetReply, 20_000);
        measure("MgetCodecBenchmark.writeMgetHeaders", codec::writeMgetHeaders, 20_000);
        measure("MgetMergeBenchmark.mergeKeyOrder 4", merge4::mergeKeyOrder, 20_000);
        measure("MgetMergeBenchmark.mergeKeyOrder 16", merge16::mergeKeyOrder, 20_000);
        codec.tearDown();
        merge4.tearDown();
        merge16.tearDown();
        System.out.println(sink == 42 ? "" : "done");
    }

    private static MgetMergeBenchmark merge(int servers) {
        MgetMergeBenchmark merge = new MgetMergeBenchmark();
        merge.servers = servers;
        merge.setUp();
        return merge;
    }

    private static void measure(String name, IntSupplier operation, int perRound) {
        for (int i = 0; i < perRound * 20; i++) {
            sink += operation.getAsInt();
        }
        double[] nanos = new double[ROUNDS];
        for (int r = 0; r < ROUNDS; r++) {
            long start = THREADS.getCurrentThreadCpuTime();
            for (int i = 0; i < perRound; i++) {
                sink += operation.getAsInt();
            }
            nanos[r] = (THREADS.getCurrentThreadCpuTime() - start) / (double) perRound;
        }
        Arrays.sort(nanos);
        System.out.printf("%-40s CPU ns/op fastest %8.0f median %8.0f%n", name, nanos[0], nanos[ROUNDS / 2]);
    }
}
