package io.shardis.it.support;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.function.ToLongFunction;

/**
 * Samples a process' RSS, file descriptors, threads and heap every second on a thread of its own,
 * and judges whether they stayed flat: the last third of the run against the middle third (the
 * first is warm-up: JIT, pools, buffers filling).
 */
public final class ResourceSampler implements AutoCloseable {

    /** One sample; heap is -1 when it could not be read. */
    public record Sample(long residentBytes, long fileDescriptors, long threads, long heapBytes) {}

    private final long pid;
    private final LongSupplier heap;
    private final List<Sample> samples = new ArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;

    private ResourceSampler(long pid, LongSupplier heap) {
        this.pid = pid;
        this.heap = heap;
        this.thread = new Thread(this::run, "resource-sampler-" + pid);
        thread.setDaemon(true);
    }

    public static ResourceSampler start(long pid, LongSupplier heapBytes) {
        ResourceSampler sampler = new ResourceSampler(pid, heapBytes);
        sampler.thread.start();
        return sampler;
    }

    public synchronized List<Sample> samples() {
        return List.copyOf(samples);
    }

    /**
     * What grew from the middle third of the samples to the last beyond {@code rssSlackBytes},
     * {@code fdSlack}, {@code threadSlack} and {@code heapSlackBytes}; empty when all stayed flat.
     */
    public List<String> growth(long rssSlackBytes, long fdSlack, long threadSlack, long heapSlackBytes) {
        List<Sample> all = samples();
        List<String> grown = new ArrayList<>();
        if (all.size() < 6) {
            return List.of("only " + all.size() + " samples");
        }
        List<Sample> middle = all.subList(all.size() / 3, 2 * all.size() / 3);
        List<Sample> last = all.subList(2 * all.size() / 3, all.size());
        compare("RSS bytes", middle, last, Sample::residentBytes, rssSlackBytes, grown);
        compare("file descriptors", middle, last, Sample::fileDescriptors, fdSlack, grown);
        compare("threads", middle, last, Sample::threads, threadSlack, grown);
        if (all.stream().allMatch(s -> s.heapBytes() >= 0)) {
            compare("heap bytes", middle, last, Sample::heapBytes, heapSlackBytes, grown);
        }
        return grown;
    }

    /** First, middle-third maximum and last sample, for the log. */
    public String summary() {
        List<Sample> all = samples();
        if (all.isEmpty()) {
            return "no samples";
        }
        Sample first = all.get(0);
        Sample last = all.get(all.size() - 1);
        return String.format(
                "%d samples; RSS %d -> %d MiB (max %d), fds %d -> %d (max %d), threads %d -> %d (max %d),"
                        + " heap max %d MiB",
                all.size(),
                first.residentBytes() >> 20,
                last.residentBytes() >> 20,
                max(all, Sample::residentBytes) >> 20,
                first.fileDescriptors(),
                last.fileDescriptors(),
                max(all, Sample::fileDescriptors),
                first.threads(),
                last.threads(),
                max(all, Sample::threads),
                max(all, Sample::heapBytes) >> 20);
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        while (running) {
            try {
                ProcessResources.Snapshot snapshot = ProcessResources.of(pid);
                long heapBytes;
                try {
                    heapBytes = heap.getAsLong();
                } catch (RuntimeException e) {
                    heapBytes = -1;
                }
                synchronized (this) {
                    samples.add(new Sample(
                            snapshot.residentBytes(), snapshot.fileDescriptors(), snapshot.threads(), heapBytes));
                }
                Thread.sleep(1_000);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // The process is gone (its /proc entry with it): nothing more to sample.
                return;
            }
        }
    }

    private static void compare(
            String what,
            List<Sample> middle,
            List<Sample> last,
            ToLongFunction<Sample> field,
            long slack,
            List<String> grown) {
        long before = max(middle, field);
        long after = max(last, field);
        if (after > before + slack) {
            grown.add(what + " grew from " + before + " to " + after + " (slack " + slack + ")");
        }
    }

    private static long max(List<Sample> samples, ToLongFunction<Sample> field) {
        return samples.stream().mapToLong(field).max().orElse(0);
    }
}
