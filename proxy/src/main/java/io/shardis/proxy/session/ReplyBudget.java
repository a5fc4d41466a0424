package io.shardis.proxy.session;

import io.netty.util.internal.PlatformDependent;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes of replies Shardis may hold for all clients of all pools together: a share of the
 * direct memory the JVM may use ({@code -XX:MaxDirectMemorySize}, set by {@code bin/shardis}),
 * {@value #DEFAULT_PERCENT}% unless {@code -Dshardis.client-reply-share=PERCENT} says otherwise.
 * While it is spent, a client past its soft limit is disconnected rather than merely not read.
 * Shared by every event loop; one atomic add per change.
 */
final class ReplyBudget {

    static final int DEFAULT_PERCENT = 50;

    /** The process-wide budget. */
    static final ReplyBudget PROCESS = new ReplyBudget(PlatformDependent.maxDirectMemory()
            / 100
            * Math.max(1, Math.min(100, Integer.getInteger("shardis.client-reply-share", DEFAULT_PERCENT))));

    private final long limitBytes;
    private final AtomicLong held = new AtomicLong();

    ReplyBudget(long limitBytes) {
        this.limitBytes = limitBytes;
    }

    void add(long delta) {
        if (delta != 0) {
            held.addAndGet(delta);
        }
    }

    boolean isSpent() {
        return held.get() > limitBytes;
    }

    long held() {
        return held.get();
    }

    long limitBytes() {
        return limitBytes;
    }
}
