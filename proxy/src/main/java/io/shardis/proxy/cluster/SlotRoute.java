package io.shardis.proxy.cluster;

import io.shardis.proxy.backend.BackendSettings;
import io.shardis.proxy.backend.PendingCommand;
import io.shardis.proxy.backend.UnreachableHold;
import io.shardis.proxy.command.CommandFlag;
import io.shardis.proxy.command.CommandSpec;
import io.shardis.proxy.route.ClusterRouter;
import io.shardis.resp.RespCommand;
import io.shardis.topology.cluster.HashSlot;

/**
 * Where a cluster pool's held commands go: to whichever node the current slot map names for the
 * slot of their first key (a read: where the pool reads that slot from, as when it was first
 * sent). Commands without keys are not held: they went to one node on purpose (one master's share
 * of DBSIZE), and re-routing them by slot makes no sense.
 */
final class SlotRoute implements UnreachableHold.Route {

    /** Set in a key for a command that may be read from a replica; below it, the slot. */
    private static final int READ = HashSlot.SLOT_COUNT;

    private final ClusterRouter router;

    SlotRoute(ClusterRouter router) {
        this.router = router;
    }

    @Override
    public int keyOf(RespCommand view, CommandSpec spec, BackendSettings from) {
        if (spec.keyCount(view) <= 0) {
            return -1;
        }
        int arg = spec.keyIndex(view, 0);
        int slot = HashSlot.of(view.content(), view.content().readerIndex() + view.argOffset(arg), view.argLength(arg));
        return spec.has(CommandFlag.REPLICA_READABLE) ? slot | READ : slot;
    }

    @Override
    public int serverOf(int key, PendingCommand command) {
        int slot = key & (READ - 1);
        return (key & READ) != 0 ? router.readServerOfGroup(slot, command.readSeed()) : router.serverOfGroup(slot);
    }

    @Override
    public Object version() {
        return router.map();
    }

    @Override
    public String awaited(int key) {
        return "no node served hash slot " + (key & (READ - 1));
    }
}
