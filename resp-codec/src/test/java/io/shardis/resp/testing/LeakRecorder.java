package io.shardis.resp.testing;

import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import io.netty.util.ResourceLeakTracker;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Records every leak Netty's detectors report in this JVM, so tests can fail on them instead of
 * leaving a log line nobody reads.
 *
 * <p>Netty only notices a leak when the leaked object has been garbage collected and a detector
 * is next asked to track something; {@link #collectLeaks()} makes both happen.
 */
public final class LeakRecorder {

    private static final ConcurrentLinkedQueue<String> REPORTS = new ConcurrentLinkedQueue<>();
    private static final List<ResourceLeakDetector<?>> DETECTORS = new CopyOnWriteArrayList<>();
    private static final int COLLECTION_ROUNDS = 2;
    private static final long GC_WAIT_MILLIS = 2_000;

    static {
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new RecordingFactory());
        attachToByteBufDetector();
    }

    private LeakRecorder() {}

    /** Makes sure the recording factory is in place; call before any buffer is allocated. */
    public static void install() {
        // The static initializer does the work, once.
    }

    /**
     * Collects garbage and polls every detector, then returns (and forgets) the leaks reported
     * since the last call. Bounded: a few GC rounds, each waiting at most a couple of seconds.
     */
    public static List<String> collectLeaks() throws InterruptedException {
        for (int round = 0; round < COLLECTION_ROUNDS; round++) {
            awaitGarbageCollection();
            pollDetectors();
        }
        return drain();
    }

    /** The leaks reported so far, without forcing a collection; forgets them. */
    public static List<String> drain() {
        List<String> reports = new ArrayList<>();
        String report;
        while ((report = REPORTS.poll()) != null) {
            reports.add(report);
        }
        return reports;
    }

    /** Runs a GC and waits until the reference queues have seen it, using a canary object. */
    private static void awaitGarbageCollection() throws InterruptedException {
        ReferenceQueue<Object> queue = new ReferenceQueue<>();
        WeakReference<Object> canary = new WeakReference<>(new Object(), queue);
        System.gc();
        if (queue.remove(GC_WAIT_MILLIS) == null) {
            System.gc();
            queue.remove(GC_WAIT_MILLIS);
        }
        canary.clear();
    }

    /** A detector reports what was collected only when it next tracks something: track and close a probe. */
    private static void pollDetectors() {
        for (ResourceLeakDetector<?> detector : DETECTORS) {
            poll(detector);
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> void poll(ResourceLeakDetector<T> detector) {
        Object probe = new Object();
        ResourceLeakTracker<T> tracker = detector.trackForcibly((T) probe);
        if (tracker != null) {
            tracker.close((T) probe);
        }
    }

    private static void record(String resourceType, String records) {
        REPORTS.add("LEAK: " + resourceType + " was garbage collected before it was released."
                + (records.isEmpty() ? " (no access records)" : "\n" + records));
    }

    /**
     * If buffers were allocated before the factory was installed, the buffer detector is already
     * built; listen to it instead, and poll it too.
     */
    private static void attachToByteBufDetector() {
        try {
            Class<?> abstractByteBuf = Class.forName("io.netty.buffer.AbstractByteBuf");
            Field field = abstractByteBuf.getDeclaredField("leakDetector");
            field.setAccessible(true);
            ResourceLeakDetector<?> detector = (ResourceLeakDetector<?>) field.get(null);
            if (detector != null && !(detector instanceof RecordingDetector)) {
                detector.setLeakListener(LeakRecorder::record);
                DETECTORS.add(detector);
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("cannot reach Netty's buffer leak detector", e);
        }
    }

    private static final class RecordingFactory extends ResourceLeakDetectorFactory {
        @Override
        @SuppressWarnings("deprecation") // the variant Netty's own ResourceLeakDetector.newInstance path still calls
        public <T> ResourceLeakDetector<T> newResourceLeakDetector(
                Class<T> resource, int samplingInterval, long maxActive) {
            RecordingDetector<T> detector = new RecordingDetector<>(resource, samplingInterval);
            DETECTORS.add(detector);
            return detector;
        }
    }

    private static final class RecordingDetector<T> extends ResourceLeakDetector<T> {
        RecordingDetector(Class<?> resource, int samplingInterval) {
            super(resource, samplingInterval);
        }

        /** Report even when error logging is off: the recorder is the audience. */
        @Override
        protected boolean needReport() {
            return true;
        }

        @Override
        protected void reportTracedLeak(String resourceType, String records) {
            record(resourceType, records);
            super.reportTracedLeak(resourceType, records);
        }

        @Override
        protected void reportUntracedLeak(String resourceType) {
            record(resourceType, "");
            super.reportUntracedLeak(resourceType);
        }
    }
}
