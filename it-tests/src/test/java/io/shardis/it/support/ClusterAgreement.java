package io.shardis.it.support;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.resps.ClusterShardInfo;
import redis.clients.jedis.resps.ClusterShardNodeInfo;

/** Whether the live nodes of a Redis Cluster have settled, for {@link RedisClusterFixture}'s bounded waits. */
final class ClusterAgreement {

    private ClusterAgreement() {}

    /**
     * Every live node: {@code cluster_state:ok}; the same view in {@code CLUSTER NODES}, with every
     * live node healthy and connected and every killed node marked failed; its replication link up
     * and not syncing if it is a replica; and, when the nodes know {@code CLUSTER SHARDS}, every
     * live node {@code online} there (a replica is {@code loading} until its offset is known).
     *
     * @param live      the live nodes by cluster id
     * @param killedIds the ids of nodes known to be dead
     */
    static boolean isSettled(Map<String, RedisProcess> live, Set<String> killedIds, boolean shardsSupported) {
        try {
            List<String> agreed = null;
            for (RedisProcess node : live.values()) {
                try (Jedis jedis = node.client()) {
                    ClusterNodesView view = ClusterNodesView.parse(jedis.clusterNodes());
                    if (agreed == null) {
                        agreed = view.agreed();
                    } else if (!agreed.equals(view.agreed())) {
                        return false;
                    }
                    if (!view.lines().stream()
                            .allMatch(line -> killedIds.contains(line.id())
                                    ? line.failState().equals("fail")
                                    : line.failState().isEmpty() && line.connected() && !line.handshake())) {
                        return false;
                    }
                    if (!jedis.clusterInfo().contains("cluster_state:ok")) {
                        return false;
                    }
                    String replication = jedis.info("replication");
                    if (replication.contains("role:slave")
                            && (!replication.contains("master_link_status:up")
                                    || replication.contains("master_sync_in_progress:1"))) {
                        return false;
                    }
                    if (shardsSupported && !allOnline(jedis.clusterShards(), live.keySet())) {
                        return false;
                    }
                }
            }
            return true;
        } catch (RuntimeException unreachableOrBusy) {
            return false;
        }
    }

    private static boolean allOnline(List<ClusterShardInfo> shards, Set<String> ids) {
        Set<String> online = new HashSet<>();
        for (ClusterShardInfo shard : shards) {
            for (ClusterShardNodeInfo node : shard.getNodes()) {
                if ("online".equals(node.getHealth())) {
                    online.add(node.getId());
                }
            }
        }
        return online.containsAll(ids);
    }
}
