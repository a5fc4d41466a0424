package io.shardis.it.support;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** A bounded wait on a condition, for fixtures that must not depend on fixed sleeps. */
public final class Poll {

    private static final Duration INTERVAL = Duration.ofMillis(20);

    private Poll() {}

    /**
     * Checks {@code condition} until it holds, {@code giveUp} holds, or {@code timeout} passes.
     *
     * @return whether {@code condition} held
     */
    public static boolean until(Duration timeout, BooleanSupplier condition, BooleanSupplier giveUp) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (condition.getAsBoolean()) {
                return true;
            }
            if (giveUp.getAsBoolean() || System.nanoTime() - deadline > 0) {
                return false;
            }
            LockSupport.parkNanos(INTERVAL.toNanos());
            if (Thread.interrupted()) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }
}
