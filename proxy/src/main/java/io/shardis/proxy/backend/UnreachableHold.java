package io.shardis.proxy.backend;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoop;
import io.shardis.proxy.command.CommandFlag;
import io.shardis.proxy.command.CommandSpec;
import io.shardis.proxy.command.CommandTable;
import io.shardis.resp.RespCommand;
import io.shardis.resp.RespCommands;
import io.shardis.resp.RespReplies;
import java.util.ArrayDeque;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds, on one event loop, the commands of servers that cannot be reached, until a server can take
 * them again: a master killed or partitioned is replaced (by Redis Cluster, or by Sentinel) within
 * seconds, and its clients should see a pause rather than errors.
 *
 * <p>Held commands are sent again, in the order they came, where their {@link Route} says then;
 * each waits at most the pool's {@code failover_timeout} from when it was first sent, then its
 * client gets the connection's error. Commands for a server that has held ones queue behind them,
 * so one client's commands to one server still run in order.
 *
 * <p>Only commands that did not run are re-sent: those never written, and reads whose connection
 * dropped after they were written. A write in flight when its server died may have run; it fails
 * rather than risk running twice.
 */
public final class UnreachableHold implements Redirects {

    private static final Logger log = LoggerFactory.getLogger(UnreachableHold.class);

    /** Where held commands go: a cluster routes them by slot, a Sentinel-managed pool to the same (moved) server. */
    public interface Route {

        /**
         * What {@link #serverOf} needs to place a command ({@code view} is its frame), or -1 when it
         * must not wait (it has no place but the server it was sent to).
         */
        int keyOf(RespCommand view, CommandSpec spec, BackendSettings from);

        /** Where a held command goes now: a server index, or negative to go on waiting. */
        int serverOf(int key, PendingCommand command);

        /** Changes (by identity) when placement does: held commands are then sent at once. */
        Object version();

        /** What the client is told it waited for, e.g. "no node served hash slot 12". */
        String awaited(int key);
    }

    /** First wait before held commands are tried again; it doubles up to {@link #MAX_PASS_DELAY_MILLIS}. */
    static final long FIRST_PASS_DELAY_MILLIS = 10;

    static final long MAX_PASS_DELAY_MILLIS = 100;

    private final Route route;
    private final CommandTable commands;
    private final EventLoop loop;
    private final long windowNanos;
    private BackendPool backends;

    private ArrayDeque<Held> held = new ArrayDeque<>();
    /** The size of {@link #held} last added to the pool's held-now gauge, and that pool's metrics. */
    private int reportedHeld;

    private io.shardis.proxy.metrics.PoolMetrics heldMetrics;
    /** How many held commands each server has, and the error they will get if they expire. */
    private final Map<BackendSettings, Integer> heldPerServer = new IdentityHashMap<>();

    private final Map<BackendSettings, String> reasons = new IdentityHashMap<>();
    /** The placement the last pass routed by: a new one sends held commands at once. */
    private Object versionAtLastPass;

    private boolean passScheduled;
    private long passDelayMillis = FIRST_PASS_DELAY_MILLIS;
    private boolean passing;
    /**
     * One failover's holding, for its log line: from the first command held (nanoTime; 0 when none
     * is under way) to the last time the queue emptied, once it has stayed empty a while (a re-sent
     * command may come back when its server still cannot be reached).
     */
    private long episodeStart;

    private long lastEmptied;
    private boolean reportScheduled;
    private long heldCommands;
    private long expiredCommands;
    private String pool;

    private record Held(PendingCommand command, BackendSettings from, int key) {}

    /** @param windowMillis the pool's {@code failover_timeout}; 0 holds nothing */
    public UnreachableHold(Route route, CommandTable commands, EventLoop loop, long windowMillis) {
        this.route = route;
        this.commands = commands;
        this.loop = loop;
        this.windowNanos = TimeUnit.MILLISECONDS.toNanos(windowMillis);
    }

    /** The loop's connections, where held commands go; set once, right after they are made. */
    public void attach(BackendPool pool) {
        this.backends = pool;
    }

    /** No redirections to follow here; a cluster pool's {@code ClusterRedirects} follows them and holds through this. */
    @Override
    public boolean follow(PendingCommand command, ByteBuf reply, BackendSettings from) {
        return false;
    }

    @Override
    public boolean isHolding() {
        return !held.isEmpty();
    }

    @Override
    public boolean holdUnreachable(PendingCommand command, BackendSettings from, String reason, boolean written) {
        if (windowNanos == 0 || expired(command)) {
            return false;
        }
        RespCommand view = RespCommands.view(command.keptFrame());
        CommandSpec spec = view == null ? null : commands.lookup(view);
        if (spec == null || (written && !spec.has(CommandFlag.READONLY))) {
            return false;
        }
        int key = route.keyOf(view, spec, from);
        if (key < 0) {
            return false;
        }
        reasons.put(from, reason);
        countNewlyHeld(command, from);
        add(command, from, key);
        return true;
    }

    @Override
    public boolean queueBehindHeld(PendingCommand command, ByteBuf frame, BackendSettings to) {
        if (!passing && route.version() != versionAtLastPass) {
            pass();
        }
        if (!heldPerServer.containsKey(to)) {
            return false;
        }
        RespCommand view = RespCommands.view(command.keptFrame());
        CommandSpec spec = view == null ? null : commands.lookup(view);
        int key = spec == null ? -1 : route.keyOf(view, spec, to);
        if (key < 0) {
            return false;
        }
        frame.release();
        countNewlyHeld(command, to);
        add(command, to, key);
        return true;
    }

    private void add(PendingCommand command, BackendSettings from, int key) {
        // The pass first: should the loop refuse it (shutting down), the command is not held and
        // its caller fails it, rather than it being both failed and held (its pooled holder could
        // then be answered twice, the second time in another client's place).
        if (!passScheduled) {
            loop.schedule(this::scheduledPass, passDelayMillis, TimeUnit.MILLISECONDS);
            passScheduled = true;
        }
        held.add(new Held(command, from, key));
        heldPerServer.merge(from, 1, Integer::sum);
        if (heldMetrics == null) {
            heldMetrics = from.poolMetrics();
        }
        reportHeldNow();
    }

    private void scheduledPass() {
        passScheduled = false;
        int before = held.size();
        pass();
        // While nothing gets through, try less often; once something does, keep up.
        passDelayMillis =
                held.size() < before ? FIRST_PASS_DELAY_MILLIS : Math.min(MAX_PASS_DELAY_MILLIS, passDelayMillis * 2);
        if (!held.isEmpty() && !passScheduled) {
            passScheduled = true;
            loop.schedule(this::scheduledPass, passDelayMillis, TimeUnit.MILLISECONDS);
        }
        if (held.isEmpty() && episodeStart != 0) {
            lastEmptied = System.nanoTime();
            if (!reportScheduled) {
                reportScheduled = true;
                loop.schedule(this::reportWhenQuiet, QUIET_MILLIS, TimeUnit.MILLISECONDS);
            }
        }
    }

    /** How long the queue must stay empty before a failover's holding counts as over. */
    static final long QUIET_MILLIS = 1_000;

    private void countNewlyHeld(PendingCommand command, BackendSettings from) {
        if (command.countHold() == 1) {
            heldCommands++;
            from.poolMetrics().commandHeld();
        }
        if (episodeStart == 0) {
            episodeStart = System.nanoTime();
            pool = from.pool();
        }
    }

    /** One line per failover and event loop: how many commands waited, for how long, how many in vain. */
    private void reportWhenQuiet() {
        reportScheduled = false;
        if (!held.isEmpty() || episodeStart == 0) {
            return;
        }
        long quietNanos = System.nanoTime() - lastEmptied;
        long quietNeeded = TimeUnit.MILLISECONDS.toNanos(QUIET_MILLIS);
        if (quietNanos < quietNeeded) {
            reportScheduled = true;
            loop.schedule(this::reportWhenQuiet, quietNeeded - quietNanos, TimeUnit.NANOSECONDS);
            return;
        }
        report();
    }

    private void report() {
        log.info(
                "pool '{}': {} command(s) waited for a server to take them, for {} ms in all; {} sent on,"
                        + " {} failed",
                pool,
                heldCommands,
                TimeUnit.NANOSECONDS.toMillis(lastEmptied - episodeStart),
                heldCommands - expiredCommands,
                expiredCommands);
        episodeStart = 0;
        heldCommands = 0;
        expiredCommands = 0;
    }

    /**
     * Sends every held command again, in order, where its route now says; those whose server still
     * cannot be reached come back to the queue (still in order), those past their wait fail.
     */
    private void pass() {
        versionAtLastPass = route.version();
        ArrayDeque<Held> batch = held;
        held = new ArrayDeque<>();
        heldPerServer.clear();
        passing = true;
        try {
            Held next;
            while ((next = batch.poll()) != null) {
                PendingCommand command = next.command();
                if (expired(command)) {
                    expiredCommands++;
                    fail(next);
                    continue;
                }
                int server = route.serverOf(next.key(), command);
                if (server < 0) {
                    add(command, next.from(), next.key());
                } else {
                    backends.shared(server, command.sharedIndex(), command.protocol())
                            .send(command.resendableFrame(), command);
                }
            }
        } finally {
            passing = false;
            reportHeldNow();
        }
    }

    /** Feeds the pool's held-now gauge with the change in this queue's size since the last report. */
    private void reportHeldNow() {
        int now = held.size();
        if (now != reportedHeld && heldMetrics != null) {
            heldMetrics.heldNow(now - reportedHeld);
            reportedHeld = now;
        }
    }

    /** Fails what is held, for a pool that is closing. */
    @Override
    public void close() {
        Held next;
        while ((next = held.poll()) != null) {
            expiredCommands++;
            fail(next);
        }
        heldPerServer.clear();
        reportHeldNow();
        if (episodeStart != 0) {
            lastEmptied = System.nanoTime();
            report();
        }
    }

    private void fail(Held held) {
        BackendSettings from = held.from();
        from.poolMetrics().forwardFailed();
        from.poolMetrics().heldCommandFailed();
        String reason = reasons.getOrDefault(from, "unreachable");
        held.command()
                .complete(RespReplies.error(
                        ByteBufAllocator.DEFAULT,
                        "ERR Shardis: " + from.describe() + " "
                                + reason + "; " + route.awaited(held.key()) + " within the failover_timeout ("
                                + TimeUnit.NANOSECONDS.toMillis(windowNanos) + " ms)"));
    }

    private boolean expired(PendingCommand command) {
        return System.nanoTime() - command.firstSentNanos() > windowNanos;
    }
}
