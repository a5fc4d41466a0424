package io.shardis.it.support;

import io.shardis.sentinel.MasterChange;
import io.shardis.sentinel.MasterListener;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** A {@link MasterListener} that records every change, when it came and on which thread. */
public final class MasterChanges implements MasterListener {

    /** One call of the listener. */
    public record Received(MasterChange change, long nanos, String thread) {}

    private final List<Received> received = new ArrayList<>();

    @Override
    public synchronized void masterChanged(MasterChange change) {
        received.add(
                new Received(change, System.nanoTime(), Thread.currentThread().getName()));
        notifyAll();
    }

    public synchronized List<Received> all() {
        return List.copyOf(received);
    }

    /** The changes of {@code master}, in the order they came. */
    public synchronized List<MasterChange> of(String master) {
        return received.stream()
                .map(Received::change)
                .filter(change -> change.masterName().equals(master))
                .toList();
    }

    /**
     * Waits (bounded) for a change of {@code master} to {@code current}.
     *
     * @throws AssertionError naming what did come if none such came in time
     */
    public Received await(String master, InetSocketAddress current, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (this) {
            while (true) {
                Optional<Received> found = received.stream()
                        .filter(r -> r.change().masterName().equals(master)
                                && r.change().current().equals(current))
                        .findFirst();
                if (found.isPresent()) {
                    return found.get();
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no change of " + master + " to " + current + " within "
                            + timeout.toMillis() + " ms; received " + received);
                }
                try {
                    wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted", e);
                }
            }
        }
    }

    /** Waits (bounded) until {@code count} changes have come in all. */
    public synchronized List<Received> awaitCount(int count, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (received.size() < count) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError(
                        "expected " + count + " changes within " + timeout.toMillis() + " ms; received " + received);
            }
            try {
                wait(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
        return new ArrayList<>(received);
    }
}
