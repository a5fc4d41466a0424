package io.shardis.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ProcessConfigTest {

    private static final String POOL = """
            alpha:
              listen: 127.0.0.1:22121
              servers:
                - 127.0.0.1:6379:1
            """;

    @Test
    void absentBlockMeansHttpOnLoopbackAndNoChangesNorJmx() throws ConfigException {
        ProcessConfig process = ShardisConfig.parse(POOL, "t.yml").process();
        assertThat(process.http()).isEqualTo(new HostPort("127.0.0.1", 22223));
        assertThat(process.admin()).isFalse();
        assertThat(process.jmx()).isFalse();
    }

    @Test
    void theShardisBlockIsNotAPool() throws ConfigException {
        ShardisConfig config = ShardisConfig.parse("""
                shardis:
                  http: 0.0.0.0:9100
                  admin: true
                  jmx: true
                """ + POOL, "t.yml");
        assertThat(config.pools()).extracting(PoolConfig::name).containsExactly("alpha");
        assertThat(config.process()).isEqualTo(new ProcessConfig(new HostPort("0.0.0.0", 9100), true, true));
    }

    @Test
    void watchIsMillisecondsOrZeroForNever() throws ConfigException {
        assertThat(ShardisConfig.parse(POOL, "t.yml").process().watchMillis()).isZero();
        assertThat(ShardisConfig.parse("shardis:\n  watch: 2000\n" + POOL, "t.yml")
                        .process()
                        .watchMillis())
                .isEqualTo(2000);
        assertThatThrownBy(() -> ShardisConfig.parse("shardis:\n  watch: 10\n" + POOL, "t.yml"))
                .hasMessageContaining(
                        "'shardis': key 'watch': expected milliseconds from 100 to 3600000, or 0 for never, got '10'");
        assertThatThrownBy(() -> ShardisConfig.parse("shardis:\n  watch: often\n" + POOL, "t.yml"))
                .hasMessageContaining("key 'watch'");
    }

    @Test
    void httpOffOrZeroDisablesTheListener() throws ConfigException {
        for (String off : new String[] {"off", "0", "false"}) {
            assertThat(ShardisConfig.parse("shardis:\n  http: " + off + "\n" + POOL, "t.yml")
                            .process()
                            .http())
                    .as(off)
                    .isNull();
        }
    }

    @Test
    void badValuesAreRefusedNamingTheKey() {
        assertThatThrownBy(() -> ShardisConfig.parse("shardis:\n  http: nowhere\n" + POOL, "t.yml"))
                .hasMessageContaining("t.yml: 'shardis': key 'http': expected host:port, or off, got 'nowhere'");
        assertThatThrownBy(() -> ShardisConfig.parse("shardis:\n  listen: 127.0.0.1:1\n" + POOL, "t.yml"))
                .hasMessageContaining("'shardis': key 'listen': unknown key")
                .hasMessageContaining("a pool cannot be named 'shardis'");
        assertThatThrownBy(() -> ShardisConfig.parse("shardis:\n  jmx: maybe\n" + POOL, "t.yml"))
                .hasMessageContaining("key 'jmx': expected true or false");
        assertThatThrownBy(() -> ShardisConfig.parse("shardis:\n  jmx: true\n", "t.yml"))
                .hasMessageContaining("no pool defined");
    }

    @Test
    void transportIsAutoUnlessTheBlockNamesOne() throws ConfigException {
        assertThat(ShardisConfig.parse(POOL, "t.yml").process().transport()).isEqualTo("auto");
        for (String given : new String[] {"io_uring", "io-uring", "IO_URING"}) {
            assertThat(ShardisConfig.parse("shardis:\n  transport: " + given + "\n" + POOL, "t.yml")
                            .process()
                            .transport())
                    .as(given)
                    .isEqualTo("io_uring");
        }
        assertThat(ShardisConfig.parse("shardis:\n  transport: nio\n" + POOL, "t.yml")
                        .process()
                        .transport())
                .isEqualTo("nio");
        assertThatThrownBy(() -> ShardisConfig.parse("shardis:\n  transport: kqueue\n" + POOL, "t.yml"))
                .hasMessageContaining("t.yml: 'shardis': key 'transport': expected one of [auto, io_uring, epoll, nio],"
                        + " got 'kqueue'");
    }
}
