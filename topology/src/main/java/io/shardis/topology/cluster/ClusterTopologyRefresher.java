package io.shardis.topology.cluster;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a cluster's {@link SlotMap} fresh on a thread of its own, never on an event loop: it
 * fetches at start, every {@code interval}, and when the data path asks
 * ({@link #requestRefresh(String)} after a MOVED, an ASK to an unknown node, a connection
 * failure). Requests are rate limited: however many arrive, at most one fetch starts per
 * {@code minInterval}, so a MOVED storm during resharding costs one refresh, not thousands
 * (Lettuce's adaptive refresh does the same).
 *
 * <p>A fetched map that equals the current one is dropped; a different one becomes
 * {@link #current()} and is handed to the listener, on the refresher's thread, and the change is
 * logged. A failed fetch keeps the current map.
 */
public final class ClusterTopologyRefresher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ClusterTopologyRefresher.class);

    private final String name;
    private final ClusterTopologySource source;
    private final Consumer<SlotMap> listener;
    private final Duration interval;
    private final long minIntervalNanos;
    private final ScheduledThreadPoolExecutor executor;
    private final AtomicBoolean requestPending = new AtomicBoolean();
    private final AtomicBoolean started = new AtomicBoolean();

    private volatile SlotMap current = SlotMap.EMPTY;
    /** When the last fetch started ({@link System#nanoTime()}); written by the refresher thread only. */
    private volatile long lastFetchStart;

    private volatile long fetchCount;
    private boolean failing;

    /**
     * @param name        names the thread and log lines, e.g. the pool name
     * @param source      where maps come from
     * @param interval    time between periodic refreshes
     * @param minInterval least time between the starts of two fetches asked by {@link #requestRefresh}
     * @param listener    receives each new map, on the refresher's thread; should not block long
     */
    public ClusterTopologyRefresher(
            String name,
            ClusterTopologySource source,
            Duration interval,
            Duration minInterval,
            Consumer<SlotMap> listener) {
        this.name = Objects.requireNonNull(name, "name");
        this.source = Objects.requireNonNull(source, "source");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.interval = positive(interval, "interval");
        this.minIntervalNanos = positive(minInterval, "minInterval").toNanos();
        this.lastFetchStart = System.nanoTime() - minIntervalNanos;
        this.executor = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "shardis-cluster-topology-" + name);
            thread.setDaemon(true);
            return thread;
        });
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    /** Fetches at once, then every {@code interval}. Returns at once; the first map arrives through the listener. */
    public void start() {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("already started");
        }
        executor.scheduleWithFixedDelay(() -> refresh("periodic"), 0, interval.toNanos(), TimeUnit.NANOSECONDS);
    }

    /**
     * Asks for a refresh soon: at once if the last fetch started at least {@code minInterval} ago,
     * else when it has. Requests arriving before that fetch starts are merged into it. Never
     * blocks on the network; safe from any thread, event loops included.
     *
     * @param reason for the log, e.g. {@code "MOVED 3999 10.0.0.2:7001"}
     */
    public void requestRefresh(String reason) {
        if (executor.isShutdown() || !requestPending.compareAndSet(false, true)) {
            return;
        }
        long wait = Math.max(0, lastFetchStart + minIntervalNanos - System.nanoTime());
        try {
            executor.schedule(
                    () -> {
                        requestPending.set(false);
                        refresh(reason);
                    },
                    wait,
                    TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException closed) {
            requestPending.set(false);
        }
    }

    /** The latest map; {@link SlotMap#EMPTY} until a fetch succeeded. */
    public SlotMap current() {
        return current;
    }

    /** How many fetches have started: to observe the rate limit. */
    public long fetchCount() {
        return fetchCount;
    }

    /** Stops refreshing; waits briefly for a fetch in progress. */
    @Override
    public void close() {
        executor.shutdownNow();
        try {
            if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
                log.warn("cluster {}: topology refresh did not stop within 5 s", name);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Runs on the refresher's thread only. */
    private void refresh(String reason) {
        lastFetchStart = System.nanoTime();
        fetchCount++;
        log.debug("cluster {}: refreshing topology ({})", name, reason);
        SlotMap fetched;
        try {
            fetched = source.fetch();
        } catch (RuntimeException e) {
            if (!failing) {
                log.warn(
                        "cluster {}: topology refresh ({}) failed, keeping the last map: {}",
                        name,
                        reason,
                        e.getMessage());
            } else {
                log.debug("cluster {}: topology refresh ({}) failed again: {}", name, reason, e.getMessage());
            }
            failing = true;
            return;
        }
        if (failing) {
            log.info("cluster {}: topology refresh works again", name);
            failing = false;
        }
        publishIfChanged(fetched, reason);
    }

    private void publishIfChanged(SlotMap fetched, String reason) {
        SlotMap previous = current;
        if (fetched.equals(previous)) {
            return;
        }
        current = fetched;
        if (previous == SlotMap.EMPTY) {
            log.info(
                    "cluster {}: topology learned: {} masters, {} replicas, {}/{} slots covered",
                    name,
                    fetched.masters().size(),
                    fetched.replicas().size(),
                    fetched.coveredSlotCount(),
                    HashSlot.SLOT_COUNT);
        } else {
            log.info("cluster {}: topology changed ({}): {}", name, reason, SlotMapDiff.between(previous, fetched));
        }
        if (!fetched.isCovered()) {
            log.warn("cluster {}: slots without a master: {}", name, fetched.uncoveredSlots());
        }
        try {
            listener.accept(fetched);
        } catch (RuntimeException e) {
            log.error("cluster {}: topology listener failed", name, e);
        }
    }

    private static Duration positive(Duration duration, String what) {
        Objects.requireNonNull(duration, what);
        if (duration.isZero() || duration.isNegative()) {
            throw new IllegalArgumentException(what + " must be positive: " + duration);
        }
        return duration;
    }
}
