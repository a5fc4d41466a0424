package io.shardis.proxy.cluster;

import io.shardis.topology.cluster.NodeAddress;
import io.shardis.topology.cluster.NodeRole;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.IntPredicate;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which nodes of a cluster pool may take reads now, for pools that read from replicas. A node is
 * skipped, on every event loop at once, from the moment one of its connections fails (refused,
 * dropped, timed out). It is taken back once a probe, run off the event loops, finds it serving:
 * {@code ROLE} says master, or replica with its link to its master up, so a replica that
 * restarted without its data is not read before it has synced again. Client reads are never the
 * probe: while a node is skipped, no client command waits for its connect timeout.
 *
 * <p>The first probe after a failure runs at once (a connection the node closed while idle should
 * not cost reads for long), unless the node failed again within {@link #PROBE_INTERVAL} of coming
 * back; then probes repeat every {@link #PROBE_INTERVAL}. A node the slot map no longer lists is
 * not probed until a map lists it again.
 *
 * <p>{@link #test} is what the router reads for every replica it considers: a volatile array read
 * and a volatile field read, no lock, no allocation.
 */
final class NodeReachability implements IntPredicate, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(NodeReachability.class);

    /** Time between probes of a node that still does not serve, and the least time a node must serve to be probed at once. */
    static final Duration PROBE_INTERVAL = Duration.ofSeconds(1);

    private final String pool;
    private final Function<NodeAddress, NodeRole> probe;
    private final Predicate<NodeAddress> listed;
    private final Runnable onBack;
    private final long intervalNanos;
    private final ScheduledThreadPoolExecutor executor;
    /** By server index; copied on growth, entries never replaced. */
    private volatile Node[] nodes = new Node[0];

    /** One node's state; written by event loops (failures) and the probe thread. */
    static final class Node {
        private final NodeAddress address;
        private volatile boolean skipped;
        /** When (nanoTime) the node last failed; a probe that started before does not clear it. */
        private volatile long failedAtNanos;
        /** When (nanoTime) a probe last found it serving. */
        private volatile long backAtNanos;

        private final AtomicBoolean probing = new AtomicBoolean();

        private Node(NodeAddress address, long createdNanos) {
            this.address = address;
            this.backAtNanos = createdNanos;
        }
    }

    /**
     * @param pool     names the pool in logs and the probe thread
     * @param probe    asks a node its ROLE; may block, may throw when the node does not answer
     * @param listed   whether the current slot map lists a node (else it is not probed)
     * @param onBack   told, on the probe thread, when a node serves again (to refresh the slot map)
     * @param interval {@link #PROBE_INTERVAL} outside tests
     */
    NodeReachability(
            String pool,
            Function<NodeAddress, NodeRole> probe,
            Predicate<NodeAddress> listed,
            Runnable onBack,
            Duration interval) {
        this.pool = pool;
        this.probe = probe;
        this.listed = listed;
        this.onBack = onBack;
        this.intervalNanos = interval.toNanos();
        this.executor = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "shardis-node-probe-" + pool);
            thread.setDaemon(true);
            return thread;
        });
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    /** Registers server {@code index}, reachable until it fails. Called as the node registry adds it. */
    synchronized Node add(int index, NodeAddress address) {
        Node[] current = nodes;
        if (index < current.length && current[index] != null) {
            return current[index];
        }
        Node node = new Node(address, System.nanoTime() - intervalNanos);
        Node[] grown = index < current.length ? current.clone() : Arrays.copyOf(current, index + 1);
        grown[index] = node;
        nodes = grown;
        return node;
    }

    /** Whether reads may go to server {@code index} now. Any thread; lock-free, allocation-free. */
    @Override
    public boolean test(int index) {
        Node[] all = nodes;
        if (index >= all.length) {
            return true;
        }
        Node node = all[index];
        return node == null || !node.skipped;
    }

    /** A connection to {@code node} failed: no reads go to it until a probe finds it serving. Any thread. */
    void failed(Node node, String reason) {
        node.failedAtNanos = System.nanoTime();
        if (!node.skipped) {
            node.skipped = true;
            log.info("pool '{}': reads skip node {} until it answers again ({})", pool, node.address, reason);
        }
        if (node.probing.compareAndSet(false, true)) {
            boolean steady = System.nanoTime() - node.backAtNanos >= intervalNanos;
            schedule(node, steady ? 0 : intervalNanos);
        }
    }

    /** A new slot map: skipped nodes it lists that are not being probed are probed again. */
    void mapChanged() {
        for (Node node : nodes) {
            if (node != null && node.skipped && node.probing.compareAndSet(false, true)) {
                schedule(node, 0);
            }
        }
    }

    private void schedule(Node node, long delayNanos) {
        try {
            executor.schedule(() -> probe(node), delayNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException closed) {
            node.probing.set(false);
        }
    }

    /** On the probe thread only. */
    private void probe(Node node) {
        if (!listed.test(node.address)) {
            // Gone from the cluster; a later map that lists it again restarts the probes.
            node.probing.set(false);
            return;
        }
        long started = System.nanoTime();
        String why;
        try {
            NodeRole role = probe.apply(node.address);
            why = role.servesReads() ? null : "replica link to its master is " + role.replicationState();
        } catch (RuntimeException e) {
            why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        }
        if (why != null || node.failedAtNanos - started > 0) {
            log.debug(
                    "pool '{}': node {} still takes no reads: {}",
                    pool,
                    node.address,
                    why != null ? why : "failed again while probed");
            schedule(node, intervalNanos);
            return;
        }
        node.backAtNanos = System.nanoTime();
        node.skipped = false;
        node.probing.set(false);
        if (node.failedAtNanos - started > 0) {
            // A failure reported while the flags changed would otherwise be lost.
            failed(node, "failed while probed");
            return;
        }
        log.info("pool '{}': node {} answers again; reads may go to it", pool, node.address);
        onBack.run();
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
