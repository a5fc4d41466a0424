package io.shardis.proxy.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.shardis.proxy.backend.BackendPool;
import io.shardis.proxy.backend.BackendServers;
import io.shardis.proxy.backend.BackendSettings;
import io.shardis.proxy.backend.PendingCommand;
import io.shardis.proxy.backend.Redirects;
import io.shardis.proxy.backend.UnreachableHold;
import io.shardis.proxy.command.CommandSpec;
import io.shardis.resp.RespCommand;

import java.util.function.Supplier;

/**
 * A Sentinel-managed pool's commands on one event loop: there are no redirections to follow, but
 * the commands of a master that cannot be reached wait (an {@link UnreachableHold}) until Sentinel
 * names its successor, and then go to the same server, which has moved there.
 */
final class SentinelRedirects implements Redirects {

    private final UnreachableHold hold;

    /** @param moves changes (by identity) every time a server of the pool moves */
    SentinelRedirects(PoolRuntime pool, BackendServers servers, Supplier<Object> moves, EventLoop loop) {
        this.hold = new UnreachableHold(new SameServer(servers, moves), pool.commands(), loop,
                pool.config().failoverTimeoutMillis());
    }

    void attach(BackendPool backends) {
        hold.attach(backends);
    }

    @Override
    public boolean follow(PendingCommand command, ByteBuf reply, BackendSettings from) {
        return false;
    }

    @Override
    public boolean holdUnreachable(PendingCommand command, BackendSettings from, String reason, boolean written) {
        return hold.hold(command, from, reason, written);
    }

    @Override
    public boolean isHolding() {
        return hold.isHolding();
    }

    @Override
    public boolean queueBehindHeld(PendingCommand command, ByteBuf frame, BackendSettings to) {
        return hold.queueBehind(command, frame, to);
    }

    @Override
    public void close() {
        hold.failAll();
    }

    /** A held command goes back to the server it was sent to, wherever Sentinel says that is by then. */
    private record SameServer(BackendServers servers, Supplier<Object> moves) implements UnreachableHold.Route {

        @Override
        public int keyOf(RespCommand view, CommandSpec spec, BackendSettings from) {
            for (int server = 0; server < servers.size(); server++) {
                if (servers.get(server) == from) {
                    return server;
                }
            }
            return -1;
        }

        @Override
        public int serverOf(int key, PendingCommand command) {
            return key;
        }

        @Override
        public Object version() {
            return moves.get();
        }

        @Override
        public String awaited(int key) {
            return "Sentinel named no reachable master for '" + servers.get(key).label() + "'";
        }
    }
}
