package io.shardis.proxy.metrics;

import io.shardis.proxy.config.ConfigException;
import io.shardis.proxy.config.PoolConfig;
import io.shardis.proxy.config.ServerConfig;
import io.shardis.proxy.config.ShardisConfig;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Configurations with several servers per pool, which the configuration parser of this version
 * still refuses (a pool forwards to one server until sharding lands): each server line is read by
 * the real parser in a pool of its own, and the pool is assembled from them.
 */
final class TestConfigs {

    private TestConfigs() {
    }

    /** Pools in the map's order, each with its {@code servers:} lines ({@code host:port:weight [name]}). */
    static ShardisConfig pools(Map<String, List<String>> serversByPool) {
        List<PoolConfig> pools = new ArrayList<>();
        serversByPool.forEach((name, lines) -> {
            List<ServerConfig> servers = new ArrayList<>();
            for (String line : lines) {
                servers.add(onePool(name, line).servers().get(0));
            }
            PoolConfig p = onePool(name, lines.get(0));
            pools.add(new PoolConfig(p.name(), p.listen(), p.hash(), p.hashTag(), p.distribution(), p.timeoutMillis(),
                    p.backlog(), p.preconnect(), p.redisAuth(), p.redisDb(), p.serverConnections(),
                    p.clientConnections(), p.autoEjectHosts(), p.serverRetryTimeoutMillis(), p.serverFailureLimit(),
                    p.allowAdmin(), p.maxPipeline(), p.maxRequestBytes(), p.maxBulkBytes(), servers));
        });
        return new ShardisConfig("test", pools);
    }

    private static PoolConfig onePool(String name, String serverLine) {
        try {
            return ShardisConfig.parse(name + ":\n  listen: 127.0.0.1:0\n  servers:\n    - " + serverLine + "\n", "test")
                    .pool(name);
        } catch (ConfigException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }
}
