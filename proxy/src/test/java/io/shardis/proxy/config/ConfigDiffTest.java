package io.shardis.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigDiffTest {

    private static PoolConfig pool(String extra, String... servers) throws ConfigException {
        StringBuilder yaml = new StringBuilder("alpha:\n  listen: 127.0.0.1:22121\n")
                .append(extra)
                .append("  servers:\n");
        for (String server : servers) {
            yaml.append("    - ").append(server).append('\n');
        }
        return ShardisConfig.parse(yaml.toString(), "test.yml").pool("alpha");
    }

    @Test
    void serversAddedRemovedAndReweightedAreListedKeyByKey() throws ConfigException {
        PoolConfig before = pool("  timeout: 100\n", "10.0.0.1:6379:1", "10.0.0.2:6379:1 b");
        PoolConfig after = pool("  timeout: 250\n", "10.0.0.2:6379:3 b", "10.0.0.3:6379:1");

        assertThat(ConfigDiff.of(before, after))
                .containsExactly(
                        "sharding.servers: +10.0.0.2:6379:3 b, +10.0.0.3:6379:1, -10.0.0.1:6379:1, -10.0.0.2:6379:1 b",
                        "timeouts.requestMillis: 100 -> 250",
                        "timeouts.connectMillis: 100 -> 250");
        assertThat(ConfigDiff.keys(before, after)).containsExactly("sharding", "timeouts");
        assertThat(ConfigDiff.of(before, before)).isEmpty();
    }

    @Test
    void secretsAreSaidToChangeButNeverShown() throws ConfigException {
        PoolConfig before = pool("  redis_auth: old-secret-1\n", "10.0.0.1:6379:1");
        PoolConfig after = pool(
                "  redis_auth: new-secret-2\n  users:\n    app: \"on >pw-secret-3 ~* +@all\"\n", "10.0.0.1:6379:1");

        List<String> diff = ConfigDiff.of(before, after);
        assertThat(diff)
                .containsExactly("auth.redisAuth: changed (value hidden)", "auth.users: changed (value hidden)");
        assertThat(String.join("\n", diff)).doesNotContain("secret", "pw-");
    }
}
