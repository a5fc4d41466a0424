package io.shardis.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClusterConfigTest {

    private static PoolConfig parse(String yaml) throws ConfigException {
        return ShardisConfig.parse(yaml, "test.yml").pools().get(0);
    }

    @Test
    void readsAClusterPoolWithDefaults() throws ConfigException {
        PoolConfig pool = parse("""
                sessions:
                  listen: 127.0.0.1:22121
                  redis_auth: secret
                  timeout: 400
                  cluster:
                    seeds: [10.0.0.1:7000, 10.0.0.2:7000]
                """);
        assertThat(pool.isCluster()).isTrue();
        assertThat(pool.sharding().servers()).isEmpty();
        assertThat(pool.auth().redisAuth()).isEqualTo("secret");
        assertThat(pool.timeouts().requestMillis()).isEqualTo(400);
        assertThat(pool.cluster())
                .isEqualTo(new ClusterConfig(
                        List.of(new HostPort("10.0.0.1", 7000), new HostPort("10.0.0.2", 7000)),
                        ReadFrom.MASTER,
                        10_000));
        assertThat(pool.timeouts().failoverMillis()).isEqualTo(5_000);
    }

    @Test
    void aClusterPoolAndAPoolOfServersShareEveryDefaultTheyHaveInCommon() throws ConfigException {
        PoolConfig cluster = parse("c:\n  listen: 127.0.0.1:22121\n  cluster:\n    seeds: [10.0.0.1:7000]\n");
        PoolConfig servers = parse("s:\n  listen: 127.0.0.1:22121\n  servers: [127.0.0.1:6379:1]\n");
        assertThat(cluster.listen()).isEqualTo(servers.listen());
        assertThat(cluster.backend()).isEqualTo(servers.backend());
        assertThat(cluster.limits()).isEqualTo(servers.limits());
        assertThat(cluster.auth()).isEqualTo(servers.auth());
        assertThat(cluster.timeouts().requestMillis())
                .isEqualTo(servers.timeouts().requestMillis());
        assertThat(cluster.timeouts().connectMillis())
                .isEqualTo(servers.timeouts().connectMillis());
        assertThat(cluster.allowAdmin()).isEqualTo(servers.allowAdmin());
        PoolConfig.Sharding placement = servers.sharding();
        assertThat(cluster.sharding())
                .as("the placement keys a cluster pool does not take, at their defaults")
                .isEqualTo(new PoolConfig.Sharding(
                        List.of(),
                        placement.hash(),
                        placement.hashTag(),
                        placement.distribution(),
                        placement.autoEjectHosts(),
                        placement.serverRetryTimeoutMillis(),
                        placement.serverFailureLimit()));
    }

    @Test
    void readsReadFromRefreshIntervalAndFailoverTimeout() throws ConfigException {
        PoolConfig pool = parse("""
                sessions:
                  listen: 127.0.0.1:22121
                  cluster:
                    seeds:
                      - 127.0.0.1:7000
                    read_from: master
                    refresh_interval: 2500
                  failover_timeout: 0
                """);
        assertThat(pool.cluster().refreshIntervalMillis()).isEqualTo(2500);
        assertThat(pool.timeouts().failoverMillis()).as("0 fails at once").isZero();
        assertThat(pool.cluster().readFrom()).isEqualTo(ReadFrom.MASTER);
    }

    @Test
    void aServersPoolIsNotACluster() throws ConfigException {
        assertThat(parse("a:\n  listen: 127.0.0.1:1\n  servers: [127.0.0.1:6379:1]\n")
                        .isCluster())
                .isFalse();
    }

    @Test
    void readsEveryReadFromValueInAnyCaseWithDashOrUnderscore() throws ConfigException {
        Map<String, ReadFrom> spellings = Map.of(
                "master", ReadFrom.MASTER,
                "MASTER", ReadFrom.MASTER,
                "replica", ReadFrom.REPLICA,
                "Replica", ReadFrom.REPLICA,
                "replica_preferred", ReadFrom.REPLICA_PREFERRED,
                "replica-preferred", ReadFrom.REPLICA_PREFERRED,
                "REPLICA_PREFERRED", ReadFrom.REPLICA_PREFERRED,
                "' replica-Preferred '", ReadFrom.REPLICA_PREFERRED);
        for (Map.Entry<String, ReadFrom> spelling : spellings.entrySet()) {
            PoolConfig pool = parse("sessions:\n  listen: 127.0.0.1:22121\n  cluster:\n    seeds: [127.0.0.1:7000]\n"
                    + "    read_from: " + spelling.getKey() + "\n");
            assertThat(pool.cluster().readFrom()).as(spelling.getKey()).isEqualTo(spelling.getValue());
        }
    }

    @Test
    void refusesAnUnknownReadFromNamingTheKeyAndTheChoices() {
        for (String value : List.of("slave", "replicas", "nearest", "\"\"")) {
            assertThatThrownBy(() ->
                            parse("sessions:\n  listen: 127.0.0.1:22121\n  cluster:\n    seeds: [127.0.0.1:7000]\n"
                                    + "    read_from: " + value + "\n"))
                    .as(value)
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("test.yml")
                    .hasMessageContaining("pool 'sessions'")
                    .hasMessageContaining("key 'cluster.read_from'")
                    .hasMessageContaining("master, replica_preferred, replica");
        }
    }

    @Test
    void refusesKeysThatMakeNoSenseWithACluster() {
        for (String key : List.of(
                "servers: [127.0.0.1:6379:1]",
                "hash: md5",
                "distribution: modula",
                "hash_tag: \"{}\"",
                "auto_eject_hosts: true",
                "sentinels: [127.0.0.1:26379]")) {
            String name = key.substring(0, key.indexOf(':'));
            assertThatThrownBy(() -> parse("sessions:\n  listen: 127.0.0.1:22121\n  " + key
                            + "\n  cluster:\n    seeds: [127.0.0.1:7000]\n"))
                    .as(name)
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("key '" + name + "'")
                    .hasMessageContaining("not allowed with 'cluster'");
        }
    }

    @Test
    void refusesAnotherDatabaseThanZero() {
        assertThatThrownBy(() -> parse("""
                sessions:
                  listen: 127.0.0.1:22121
                  redis_db: 2
                  cluster:
                    seeds: [127.0.0.1:7000]
                """))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("redis_db")
                .hasMessageContaining("only database 0");
    }

    @Test
    void refusesMissingSeedsBadSeedsAndUnknownClusterKeys() {
        assertThatThrownBy(() -> parse("s:\n  listen: 127.0.0.1:1\n  cluster:\n    read_from: master\n"))
                .hasMessageContaining("cluster.seeds")
                .hasMessageContaining("missing");
        assertThatThrownBy(() -> parse("s:\n  listen: 127.0.0.1:1\n  cluster:\n    seeds: [nowhere]\n"))
                .hasMessageContaining("cluster.seeds")
                .hasMessageContaining("nowhere");
        assertThatThrownBy(() ->
                        parse("s:\n  listen: 127.0.0.1:1\n  cluster:\n    seeds: [127.0.0.1:7000]\n    nodes: 3\n"))
                .hasMessageContaining("cluster.nodes")
                .hasMessageContaining("unknown key");
    }
}
