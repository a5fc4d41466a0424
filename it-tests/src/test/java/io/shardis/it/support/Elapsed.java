package io.shardis.it.support;

import java.util.concurrent.TimeUnit;

/** Time measured with {@link System#nanoTime()}, for assertions on how long a reply took. */
public final class Elapsed {

    private Elapsed() {}

    /** Milliseconds since {@code startedNanos}, a value of {@link System#nanoTime()}. */
    public static long millisSince(long startedNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
    }
}
