package io.shardis.proxy.channel;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * A warning that may repeat thousands of times a second (clients dropped for their replies, failed
 * deliveries) written at most once per interval, with the count of those left out since: the log
 * says what happened without becoming the next problem. Thread-safe; no lock.
 */
public final class RateLimitedLog {

    private final Logger log;
    private final long intervalNanos;
    private final AtomicLong nextNanos;
    private final AtomicLong suppressed = new AtomicLong();

    public RateLimitedLog(Logger log, long interval, TimeUnit unit) {
        this.log = log;
        this.intervalNanos = unit.toNanos(interval);
        this.nextNanos = new AtomicLong(System.nanoTime());
    }

    /** Logs {@code message} (SLF4J placeholders) as a warning unless one was logged within the interval. */
    public void warn(String message, Object... args) {
        long now = System.nanoTime();
        long next = nextNanos.get();
        if (now - next < 0 || !nextNanos.compareAndSet(next, now + intervalNanos)) {
            suppressed.incrementAndGet();
            return;
        }
        long left = suppressed.getAndSet(0);
        if (left > 0) {
            log.warn(message + " (and {} more like it since the last such line)", append(args, left));
        } else {
            log.warn(message, args);
        }
    }

    private static Object[] append(Object[] args, Object last) {
        Object[] all = java.util.Arrays.copyOf(args, args.length + 1);
        all[args.length] = last;
        return all;
    }
}
