package io.shardis.benchmarks;

import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * JMH's worker threads as Netty's event loops run: FastThreadLocalThreads, on which Netty's
 * Recycler pools objects (on other threads it hands out new ones, which would count allocations
 * production never makes). Selected with {@code -Djmh.executor=CUSTOM
 * -Djmh.executor.class=io.shardis.benchmarks.EventLoopThreads}.
 */
public final class EventLoopThreads extends ThreadPoolExecutor {

    public EventLoopThreads(int threads, String prefix) {
        super(threads, threads, 1, TimeUnit.MINUTES, new LinkedBlockingQueue<>(), new DefaultThreadFactory(prefix));
    }
}
