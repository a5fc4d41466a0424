package io.shardis.proxy.server;

import io.shardis.proxy.backend.BackendServers;
import io.shardis.proxy.backend.BackendSettings;
import io.shardis.proxy.backend.PendingCommand;
import io.shardis.proxy.backend.UnreachableHold;
import io.shardis.proxy.command.CommandSpec;
import io.shardis.resp.RespCommand;
import java.util.function.Supplier;

/**
 * Where a Sentinel-managed pool's held commands go: back to the server they were sent to, which
 * has moved to the master Sentinel named by then.
 *
 * @param moves changes (by identity) every time a server of the pool moves
 */
record SameServerRoute(BackendServers servers, Supplier<Object> moves) implements UnreachableHold.Route {

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
