package io.shardis.proxy.server;

import io.shardis.proxy.backend.BackendSettings;
import io.shardis.topology.cluster.ClusterNode;
import io.shardis.topology.cluster.SlotMap;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * What a pool needs reachable to serve every key, read off the event loops for {@code /ready}:
 * each server of a pool of {@code servers} that is not ejected (an ejected server's keys went to
 * the others), where Sentinel says its master is now; each master of a cluster pool's slot map,
 * which must cover every slot.
 */
public final class PoolStatus {

    /** A backend to probe: its name in the pool, and where it is now. */
    public record Target(String label, SocketAddress address) {}

    /**
     * @param targets   the backends that must answer
     * @param problems  what is wrong whatever the backends answer (slots no master covers, every server ejected)
     */
    public record Needs(List<Target> targets, List<String> problems) {}

    private PoolStatus() {}

    public static Needs of(PoolRuntime pool) {
        List<Target> targets = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        if (pool.cluster() != null) {
            SlotMap map = pool.cluster().router().map();
            if (!map.isCovered()) {
                problems.add((16384 - map.coveredSlotCount()) + " hash slots have no master in the cluster's slot map");
            }
            for (ClusterNode master : map.masters()) {
                targets.add(new Target(
                        master.host() + ":" + master.port(), new InetSocketAddress(master.host(), master.port())));
            }
            return new Needs(targets, problems);
        }
        List<BackendSettings> servers = pool.servers();
        for (int s = 0; s < servers.size(); s++) {
            if (!pool.health().isEjected(s)) {
                targets.add(new Target(servers.get(s).label(), servers.get(s).address()));
            }
        }
        if (targets.isEmpty()) {
            problems.add("every server is ejected");
        }
        return new Needs(targets, problems);
    }
}
