package io.shardis.proxy.cluster;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoop;
import io.shardis.proxy.backend.BackendPool;
import io.shardis.proxy.backend.BackendSettings;
import io.shardis.proxy.backend.PendingCommand;
import io.shardis.proxy.command.CommandFlag;
import io.shardis.proxy.command.CommandSpec;
import io.shardis.proxy.command.CommandTable;
import io.shardis.resp.RespCommand;
import io.shardis.resp.RespCommands;
import io.shardis.resp.RespReplies;
import io.shardis.topology.cluster.HashSlot;
import io.shardis.topology.cluster.SlotMap;

import java.util.ArrayDeque;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Holds, on one event loop, the commands of cluster nodes that cannot be reached, until a node
 * serves their hash slot again: a master killed or partitioned is replaced by its replica within
 * the cluster's node timeout, and its clients should see a pause rather than errors.
 *
 * <p>Held commands are sent again, in the order they came, to the node the current slot map names
 * for their slot (a MOVED from there is followed as usual); each waits at most the pool's
 * {@code failover_timeout} from when it was first sent, then its client gets the connection's
 * error. Commands for a server that has held ones queue behind them, so one client's commands to
 * one slot still run in order.
 *
 * <p>Only commands that did not run are re-sent: those never written, and reads whose connection
 * dropped after they were written. A write in flight when its node died may have run; it fails
 * rather than risk running twice. Commands without keys (they go to one node on purpose, such as
 * one master's part of DBSIZE) are not held.
 */
final class FailoverHold {

    /** First wait before held commands are tried again; it doubles up to {@link #MAX_PASS_DELAY_MILLIS}. */
    static final long FIRST_PASS_DELAY_MILLIS = 10;
    static final long MAX_PASS_DELAY_MILLIS = 100;

    private final ClusterNodes cluster;
    private final CommandTable commands;
    private final EventLoop loop;
    private final long windowNanos;
    private BackendPool backends;

    private ArrayDeque<Held> held = new ArrayDeque<>();
    /** How many held commands each server has, and the error they will get if they expire. */
    private final Map<BackendSettings, Integer> heldPerServer = new IdentityHashMap<>();
    private final Map<BackendSettings, String> reasons = new IdentityHashMap<>();
    /** The slot map the last pass routed by: a new one sends held commands at once. */
    private SlotMap mapAtLastPass;
    private boolean passScheduled;
    private long passDelayMillis = FIRST_PASS_DELAY_MILLIS;
    private boolean passing;

    /** @param read whether the command may be read from a replica of its slot, as when it was first sent */
    private record Held(PendingCommand command, BackendSettings from, boolean read) {
    }

    FailoverHold(ClusterNodes cluster, CommandTable commands, EventLoop loop, long windowMillis) {
        this.cluster = cluster;
        this.commands = commands;
        this.loop = loop;
        this.windowNanos = TimeUnit.MILLISECONDS.toNanos(windowMillis);
    }

    void attach(BackendPool pool) {
        this.backends = pool;
    }

    boolean isHolding() {
        return !held.isEmpty();
    }

    /** See {@link io.shardis.proxy.backend.Redirects#holdUnreachable}. */
    boolean hold(PendingCommand command, BackendSettings from, String reason, boolean written) {
        if (windowNanos == 0 || expired(command)) {
            return false;
        }
        CommandSpec spec = slotOf(command);
        if (spec == null || (written && !spec.has(CommandFlag.READONLY))) {
            return false;
        }
        reasons.put(from, reason);
        add(command, from, spec.has(CommandFlag.REPLICA_READABLE));
        return true;
    }

    /** See {@link io.shardis.proxy.backend.Redirects#queueBehindHeld}. */
    boolean queueBehind(PendingCommand command, ByteBuf frame, BackendSettings to) {
        if (!passing && cluster.router().map() != mapAtLastPass) {
            pass();
        }
        if (!heldPerServer.containsKey(to)) {
            return false;
        }
        CommandSpec spec = slotOf(command);
        if (spec == null) {
            return false;
        }
        frame.release();
        add(command, to, spec.has(CommandFlag.REPLICA_READABLE));
        return true;
    }

    private void add(PendingCommand command, BackendSettings from, boolean read) {
        held.add(new Held(command, from, read));
        heldPerServer.merge(from, 1, Integer::sum);
        if (!passScheduled) {
            passScheduled = true;
            loop.schedule(this::scheduledPass, passDelayMillis, TimeUnit.MILLISECONDS);
        }
    }

    private void scheduledPass() {
        passScheduled = false;
        int before = held.size();
        pass();
        // While nothing gets through, try less often; once something does, keep up.
        passDelayMillis = held.size() < before ? FIRST_PASS_DELAY_MILLIS
                : Math.min(MAX_PASS_DELAY_MILLIS, passDelayMillis * 2);
        if (!held.isEmpty() && !passScheduled) {
            passScheduled = true;
            loop.schedule(this::scheduledPass, passDelayMillis, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Sends every held command again, in order, where the slot map now says; those whose node still
     * cannot be reached come back to the queue (still in order), those past their wait fail.
     */
    private void pass() {
        mapAtLastPass = cluster.router().map();
        ArrayDeque<Held> batch = held;
        held = new ArrayDeque<>();
        heldPerServer.clear();
        passing = true;
        try {
            Held next;
            while ((next = batch.poll()) != null) {
                PendingCommand command = next.command();
                if (expired(command)) {
                    fail(command, next.from());
                    continue;
                }
                int server = next.read() ? cluster.router().readServerOfGroup(command.slot(), command.readSeed())
                        : cluster.router().serverOfGroup(command.slot());
                if (server < 0) {
                    add(command, next.from(), next.read());
                } else {
                    backends.shared(server, command.sharedIndex()).send(command.resendableFrame(), command);
                }
            }
        } finally {
            passing = false;
        }
    }

    /** Fails what is held, for a pool that is closing. */
    void failAll() {
        Held next;
        while ((next = held.poll()) != null) {
            fail(next.command(), next.from());
        }
        heldPerServer.clear();
    }

    private void fail(PendingCommand command, BackendSettings from) {
        from.poolMetrics().forwardFailed();
        String reason = reasons.getOrDefault(from, "unreachable");
        command.complete(RespReplies.error(ByteBufAllocator.DEFAULT, "ERR Shardis: " + from.describe() + " "
                + reason + "; no node served hash slot " + command.slot() + " within the failover_timeout ("
                + TimeUnit.NANOSECONDS.toMillis(windowNanos) + " ms)"));
    }

    private boolean expired(PendingCommand command) {
        return System.nanoTime() - command.firstSentNanos() > windowNanos;
    }

    /**
     * The command's spec, recording the slot of its first key on it; null for a command without
     * keys (or one this table does not know), which is not held.
     */
    private CommandSpec slotOf(PendingCommand command) {
        RespCommand view = RespCommands.view(command.keptFrame());
        CommandSpec spec = view == null ? null : commands.lookup(view);
        if (spec == null || spec.keyCount(view) <= 0) {
            return null;
        }
        if (command.slot() < 0) {
            int key = spec.keyIndex(view, 0);
            command.slot(HashSlot.of(view.content(), view.content().readerIndex() + view.argOffset(key),
                    view.argLength(key)));
        }
        return spec;
    }
}
