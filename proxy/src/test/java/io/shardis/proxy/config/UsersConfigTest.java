package io.shardis.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The pool key 'users', and that no configuration error ever quotes a secret. */
class UsersConfigTest {

    private static PoolConfig pool(String extra) throws ConfigException {
        return ShardisConfig.parse(
                        "alpha:\n  listen: 127.0.0.1:22121\n  servers: [127.0.0.1:6379:1]\n" + extra, "test.yml")
                .pools()
                .get(0);
    }

    @Test
    void readsUsersAsRuleLinesOrLists() throws ConfigException {
        PoolConfig pool = pool("""
                  redis_auth: backendpw
                  users:
                    app: "on >apppw ~cache:* +@read"
                    ops: [on, ">two words", "~*", "&*", "+@all"]
                """);
        assertThat(pool.auth().users()).containsOnlyKeys("app", "ops");
        assertThat(pool.auth().users().get("app")).containsExactly("on", ">apppw", "~cache:*", "+@read");
        assertThat(pool.auth().users().get("ops")).containsExactly("on", ">two words", "~*", "&*", "+@all");
        assertThat(pool("").auth().users()).isEmpty();
    }

    @Test
    void badRulesNameTheUserAndRuleButNotThePassword() {
        assertThatThrownBy(() -> pool("  users:\n    app: \"on >hunter2 +gett\"\n"))
                .hasMessage(
                        "test.yml: pool 'alpha': key 'users.app': rule 3 '+gett': Unknown command or category name in ACL")
                .hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> pool("  users:\n    app: \"on #hunter2\"\n"))
                .hasMessageContaining("key 'users.app': rule 2: a password hash is 64 hexadecimal digits")
                .hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> pool("  users: none\n")).hasMessageContaining("key 'users'");
        assertThatThrownBy(() -> pool("  users:\n    app:\n      rules: x\n")).hasMessageContaining("key 'users.app'");
    }

    @Test
    void secretsStayOutOfYamlErrorsAndToString() throws ConfigException {
        assertThatThrownBy(() -> pool("  redis_auth: \"hunter2\n"))
                .hasMessageContaining("not valid YAML")
                .hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> pool("  redis_auth: hunter2: x\n"))
                .hasMessageContaining("not valid YAML")
                .hasMessageNotContaining("hunter2");
        PoolConfig pool = pool("  redis_auth: hunter2\n  sentinels: [127.0.0.1:26379]\n  sentinel_auth: hunter3\n"
                        .replace("  sentinels: [127.0.0.1:26379]\n  sentinel_auth: hunter3\n", "")
                + "  users:\n    app: \"on >hunter4 ~* +@all\"\n");
        assertThat(pool.toString())
                .doesNotContain("hunter2")
                .doesNotContain("hunter4")
                .contains("app");
        assertThat(List.of(pool.auth().users().get("app"))).isNotEmpty();
        assertThat(new io.shardis.sentinel.SentinelSettings(
                                List.of(new java.net.InetSocketAddress("127.0.0.1", 26379)),
                                "u",
                                "hunter5",
                                java.time.Duration.ofSeconds(1),
                                java.time.Duration.ofSeconds(2))
                        .toString())
                .doesNotContain("hunter5");
        assertThat(new io.shardis.topology.cluster.ClusterSourceSettings(
                                List.of(new io.shardis.topology.cluster.NodeAddress("127.0.0.1", 7000)),
                                "u",
                                "hunter6",
                                java.time.Duration.ofSeconds(1),
                                java.time.Duration.ofSeconds(1),
                                io.shardis.topology.cluster.ClusterSourceSettings.TopologyCommand.SHARDS)
                        .toString())
                .doesNotContain("hunter6");
    }
}
