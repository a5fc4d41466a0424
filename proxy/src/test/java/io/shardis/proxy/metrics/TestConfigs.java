package io.shardis.proxy.metrics;

import io.shardis.proxy.config.ConfigException;
import io.shardis.proxy.config.ShardisConfig;
import java.util.List;
import java.util.Map;

/** Configurations with several pools and servers, read by the real parser. */
final class TestConfigs {

    private TestConfigs() {}

    /** Pools in the map's order, each with its {@code servers:} lines ({@code host:port:weight [name]}). */
    static ShardisConfig pools(Map<String, List<String>> serversByPool) {
        StringBuilder yaml = new StringBuilder();
        serversByPool.forEach((name, lines) -> {
            yaml.append(name).append(":\n  listen: 127.0.0.1:0\n  servers:\n");
            for (String line : lines) {
                yaml.append("    - ").append(line).append('\n');
            }
        });
        try {
            return ShardisConfig.parse(yaml.toString(), "test");
        } catch (ConfigException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }
}
