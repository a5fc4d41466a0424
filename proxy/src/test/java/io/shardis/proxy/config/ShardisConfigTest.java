package io.shardis.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ShardisConfigTest {

    private static ShardisConfig parse(String yaml) throws ConfigException {
        return ShardisConfig.parse(yaml, "test.yml");
    }

    @Test
    void readsANutcrackerPoolWithTwemproxyDefaults() throws ConfigException {
        ShardisConfig config = parse("""
                alpha:
                  listen: 127.0.0.1:22121
                  redis: true
                  servers:
                    - 127.0.0.1:6379:1
                """);
        PoolConfig pool = config.pool("alpha");
        assertThat(pool.listen().address()).isEqualTo(new HostPort("127.0.0.1", 22121));
        assertThat(pool.sharding().hash()).isEqualTo("fnv1a_64");
        assertThat(pool.sharding().distribution()).isEqualTo("ketama");
        assertThat(pool.timeouts().requestMillis()).isZero();
        assertThat(pool.timeouts().connectMillis())
                .as("no timeout: a few seconds to connect")
                .isEqualTo(3000);
        assertThat(pool.listen().backlog()).isEqualTo(512);
        assertThat(pool.backend().serverConnections()).isEqualTo(1);
        assertThat(pool.sharding().serverRetryTimeoutMillis()).isEqualTo(30000);
        assertThat(pool.sharding().serverFailureLimit()).isEqualTo(2);
        assertThat(pool.allowAdmin()).isFalse();
        assertThat(pool.sharding().servers())
                .containsExactly(new ServerConfig(new HostPort("127.0.0.1", 6379), 1, null));
    }

    @Test
    void failoverTimeoutIsForSentinelPoolsAndRefusedWhereNoFailoverIsFollowed() throws ConfigException {
        PoolConfig sentinel = parse("""
                ha:
                  listen: 127.0.0.1:22124
                  sentinels: [127.0.0.1:26379]
                  failover_timeout: 15000
                  servers: [127.0.0.1:6379:1 shard1]
                """).pool("ha");
        assertThat(sentinel.timeouts().failoverMillis()).isEqualTo(15000);
        assertThat(sentinel.holdsForFailover()).isTrue();
        PoolConfig plain = parse("""
                plain:
                  listen: 127.0.0.1:22125
                  servers: [127.0.0.1:6379:1]
                """).pool("plain");
        assertThat(plain.holdsForFailover())
                .as("nothing replaces a plain server")
                .isFalse();
        assertThatThrownBy(() -> parse("""
                plain:
                  listen: 127.0.0.1:22125
                  failover_timeout: 5000
                  servers: [127.0.0.1:6379:1]
                """))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("key 'failover_timeout'")
                .hasMessageContaining("'sentinels' or 'cluster'");
    }

    @Test
    void connectTimeoutIsItsOwnWhenSet() throws ConfigException {
        PoolConfig pool = parse("""
                gamma:
                  listen: 127.0.0.1:22123
                  timeout: 400
                  connect_timeout: 1500
                  servers: [127.0.0.1:6379:1]
                """).pool("gamma");
        assertThat(pool.timeouts().connectMillis()).isEqualTo(1500);
        assertThat(pool.timeouts().requestMillis()).isEqualTo(400);
    }

    @Test
    void readsEveryKeyAndServerNames() throws ConfigException {
        PoolConfig pool = parse("""
                beta:
                  listen: 0.0.0.0:22122
                  hash: murmur
                  hash_tag: "{}"
                  distribution: modula
                  timeout: 400
                  backlog: 1024
                  preconnect: true
                  redis: true
                  redis_auth: secret
                  redis_db: 3
                  server_connections: 4
                  client_connections: 100
                  auto_eject_hosts: true
                  server_retry_timeout: 2000
                  server_failure_limit: 3
                  allow_admin: yes
                  max_pipeline: 1000
                  max_request_bytes: 64m
                  max_bulk_bytes: 1m
                  servers:
                    - 10.0.0.1:6379:2 shard1
                """).pool("beta");
        assertThat(pool.sharding().hash()).isEqualTo("murmur");
        assertThat(pool.sharding().hashTag()).isEqualTo("{}");
        assertThat(pool.sharding().distribution()).isEqualTo("modula");
        assertThat(pool.timeouts().requestMillis()).isEqualTo(400);
        assertThat(pool.timeouts().connectMillis())
                .as("the request timeout when not set")
                .isEqualTo(400);
        assertThat(pool.backend().preconnect()).isTrue();
        assertThat(pool.auth().redisAuth()).isEqualTo("secret");
        assertThat(pool.backend().redisDb()).isEqualTo(3);
        assertThat(pool.backend().serverConnections()).isEqualTo(4);
        assertThat(pool.limits().clientConnections()).isEqualTo(100);
        assertThat(pool.sharding().autoEjectHosts()).isTrue();
        assertThat(pool.allowAdmin()).isTrue();
        assertThat(pool.limits().maxPipeline()).isEqualTo(1000);
        assertThat(pool.limits().maxRequestBytes()).isEqualTo(64L << 20);
        assertThat(pool.limits().maxBulkBytes()).isEqualTo(1L << 20);
        assertThat(pool.sharding().servers().get(0).name()).isEqualTo("shard1");
        assertThat(pool.sharding().servers().get(0).weight()).isEqualTo(2);
        assertThat(pool.sharding().servers().get(0).label()).isEqualTo("shard1");
    }

    @Test
    void readsShardedPoolsAndUnixSocketsAsNutcrackerDoes() throws ConfigException {
        PoolConfig pool = parse("""
                alpha:
                  listen: /var/run/shardis.sock 0660
                  hash: murmur
                  distribution: modula
                  hash_tag: "{}"
                  servers:
                    - 10.0.0.1:6379:2 shard1
                    - /var/run/redis.sock:1
                    - "[::1]:6380:1"
                """).pools().get(0);
        assertThat(pool.listen().address()).isEqualTo(HostPort.unix("/var/run/shardis.sock"));
        assertThat(pool.listen().mode()).isEqualTo(0660);
        assertThat(pool.sharding().servers())
                .containsExactly(
                        new ServerConfig(new HostPort("10.0.0.1", 6379), 2, "shard1"),
                        new ServerConfig(HostPort.unix("/var/run/redis.sock"), 1, null),
                        new ServerConfig(new HostPort("::1", 6380), 1, null));
        assertThat(pool.sharding().servers().get(1).address().isUnix()).isTrue();
    }

    @Test
    void refusesServersNutcrackerWouldRefuse() {
        assertThatThrownBy(() -> parse("""
                alpha:
                  listen: 127.0.0.1:22121
                  servers:
                    - 10.0.0.1:6379:1 same
                    - 10.0.0.2:6379:1 same
                """))
                .hasMessageContaining("pool 'alpha': key 'servers'")
                .hasMessageContaining("same");
        assertThatThrownBy(() -> parse("""
                alpha:
                  listen: /tmp/x.sock 999
                  servers: [127.0.0.1:6379:1]
                """))
                .hasMessageContaining("key 'listen'")
                .hasMessageContaining("octal mode");
    }

    @Test
    void anAclUserNeedsItsPassword() throws ConfigException {
        assertThatThrownBy(() -> parse("""
                alpha:
                  listen: 127.0.0.1:22121
                  redis_user: app
                  servers: [127.0.0.1:6379:1]
                """)).hasMessageContaining("pool 'alpha': key 'redis_user': needs redis_auth");
        assertThat(parse("""
                alpha:
                  listen: 127.0.0.1:22121
                  redis_user: app
                  redis_auth: secret
                  servers: [127.0.0.1:6379:1]
                """).pools().get(0).auth().redisUser()).isEqualTo("app");
    }

    @Test
    void keepsPoolsInFileOrder() throws ConfigException {
        ShardisConfig config = parse("""
                one:
                  listen: 127.0.0.1:1001
                  servers: [127.0.0.1:6379:1]
                two:
                  listen: 127.0.0.1:1002
                  servers: [127.0.0.1:6380:1]
                """);
        assertThat(config.pools()).extracting(PoolConfig::name).containsExactly("one", "two");
    }

    @Test
    void maxClientReplyBytesTakesRedisClientOutputBufferLimitsForm() throws ConfigException {
        assertThat(parse(pool("")).pool("delta").limits().clientReplyLimit())
                .isEqualTo(ClientReplyLimit.DEFAULT)
                .isEqualTo(new ClientReplyLimit(32L << 20, 8L << 20, 60));
        assertThat(parse(pool("max_client_reply_bytes: 64m 16m 30"))
                        .pool("delta")
                        .limits()
                        .clientReplyLimit())
                .isEqualTo(new ClientReplyLimit(64L << 20, 16L << 20, 30));
        assertThat(parse(pool("max_client_reply_bytes: 4m"))
                        .pool("delta")
                        .limits()
                        .clientReplyLimit())
                .as("the soft limit a quarter of the hard one, 60 s")
                .isEqualTo(new ClientReplyLimit(4L << 20, 1L << 20, 60));
        assertThat(parse(pool("max_client_reply_bytes: 0"))
                        .pool("delta")
                        .limits()
                        .clientReplyLimit()
                        .isLimited())
                .isFalse();
        assertThatThrownBy(() -> parse(pool("max_client_reply_bytes: 8m 16m 60")))
                .hasMessageContaining(
                        "pool 'delta': key 'max_client_reply_bytes': the soft limit (16m) is above the hard limit (8m)");
        assertThatThrownBy(() -> parse(pool("max_client_reply_bytes: 8m 2m soon")))
                .hasMessageContaining("key 'max_client_reply_bytes': expected the soft limit's seconds");
        assertThatThrownBy(() -> parse(pool("max_client_reply_bytes: lots")))
                .hasMessageContaining("key 'max_client_reply_bytes': expected a size such as 512m, got 'lots'");
    }

    private static String pool(String key) {
        return "delta:\n  listen: 127.0.0.1:22124\n  servers: [127.0.0.1:6379:1]\n"
                + (key.isEmpty() ? "" : "  " + key + "\n");
    }

    @Test
    void namesFilePoolAndKeyInErrors() {
        assertThatThrownBy(() -> parse("""
                alpha:
                  listen: 127.0.0.1:22121
                  timeout: soon
                  servers: [127.0.0.1:6379:1]
                """))
                .isInstanceOf(ConfigException.class)
                .hasMessage("test.yml: pool 'alpha': key 'timeout': expected an integer, got 'soon'");
        assertThatThrownBy(() -> parse("""
                alpha:
                  listen: 127.0.0.1:22121
                  hash: sha1
                  servers: [127.0.0.1:6379:1]
                """))
                .hasMessageContaining("pool 'alpha': key 'hash': expected one of [crc16, crc32");
        assertThatThrownBy(() -> parse("""
                alpha:
                  listen: 127.0.0.1:22121
                  servers: [127.0.0.1:6379]
                """))
                .hasMessageContaining("key 'servers': expected 'host:port:weight [name]'")
                .hasMessageContaining("'127.0.0.1:6379'");
        assertThatThrownBy(() -> parse("""
                alpha:
                  listen: nowhere
                  servers: [127.0.0.1:6379:1]
                """)).hasMessageContaining("key 'listen': expected host:port");
    }

    @Test
    void refusesTyposMissingKeysAndMemcached() {
        assertThatThrownBy(() -> parse("""
                alpha:
                  listen: 127.0.0.1:22121
                  timeuot: 100
                  servers: [127.0.0.1:6379:1]
                """)).hasMessageContaining("pool 'alpha': key 'timeuot': unknown key");
        assertThatThrownBy(() -> parse("""
                alpha:
                  listen: 127.0.0.1:22121
                """)).hasMessageContaining("key 'servers': missing");
        assertThatThrownBy(() -> parse("""
                alpha:
                  servers: [127.0.0.1:6379:1]
                """)).hasMessageContaining("key 'listen': missing");
        assertThatThrownBy(() -> parse("""
                alpha:
                  listen: 127.0.0.1:22121
                  redis: false
                  servers: [127.0.0.1:11211:1]
                """)).hasMessageContaining("memcached");
        assertThatThrownBy(() -> parse("")).hasMessageContaining("no pool defined");
        assertThatThrownBy(() -> parse("alpha: [unclosed")).hasMessageContaining("test.yml: not valid YAML");
    }

    @Test
    void redisVersionIsWhatHelloReportsAndMustBeThreeNumbers() throws ConfigException {
        String pool = "alpha:\n  listen: 127.0.0.1:22121\n  servers: [127.0.0.1:6379:1]\n";
        PoolConfig plain = parse(pool).pool("alpha");
        assertThat(plain.redisVersion()).isNull();
        assertThat(plain.helloVersion()).as("Redis 7.0's API, as before").isEqualTo("7.0.0");
        PoolConfig set = parse(pool + "  redis_version: 7.4.0\n").pool("alpha");
        assertThat(set.redisVersion()).isEqualTo("7.4.0");
        assertThat(set.helloVersion()).isEqualTo("7.4.0");
        assertThat(parse(pool + "  redis_version: \"8.2.10\"\n").pool("alpha").helloVersion())
                .isEqualTo("8.2.10");
        for (String bad : List.of("7.4", "7", "7.4.0-rc1", "v7.4.0", "07.4.0", "7..0", "abc", "7.4.0.1")) {
            assertThatThrownBy(() -> parse(pool + "  redis_version: " + bad + "\n"))
                    .as(bad)
                    .hasMessageContaining("pool 'alpha': key 'redis_version': expected a Redis version such as 7.4.0")
                    .hasMessageContaining("got '" + bad + "'");
        }
    }

    @Test
    void refusesTwoPoolsOnOneAddress() {
        assertThatThrownBy(() -> parse("""
                one:
                  listen: 127.0.0.1:1001
                  servers: [127.0.0.1:6379:1]
                two:
                  listen: 127.0.0.1:1001
                  servers: [127.0.0.1:6380:1]
                """))
                .hasMessageContaining("pool 'two': key 'listen': 127.0.0.1:1001 is already used");
    }

    /** Found by ConfigParserFuzzTest: a key that is only an anchor ("&anchor:") escaped as a NullPointerException. */
    @Test
    void aPoolWithoutANameIsRefusedWithAMessage() {
        for (String yaml : new String[] {
            "&anchor:\n",
            "&anchor:\n  listen: 127.0.0.1:22121\n",
            "- alpha\n- beta\n",
            "just words\n",
            "alpha:\n  listen: 127.0.0.1:22121\n  &anchor:\n  servers:\n    - 127.0.0.1:6379:1\n"
        }) {
            assertThatThrownBy(() -> parse(yaml))
                    .as(yaml)
                    .isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith("test.yml: ");
        }
    }

    /** Found by ConfigParserFuzzTest: a pool name with brackets escaped as the configuration library's exception. */
    @Test
    void poolNamesWithBracketsAreRefusedWithAMessage() {
        for (String name : new String[] {"a(1)", ")ervers", "x[0]", "[@y]"}) {
            assertThatThrownBy(() ->
                            parse("'" + name + "':\n  listen: 127.0.0.1:22121\n  servers:\n    - 127.0.0.1:6379:1\n"))
                    .as(name)
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("pool '" + name + "'")
                    .hasMessageNotContaining("Exception");
        }
    }

    /** Found by ConfigParserFuzzTest: a pool given a list of maps escaped as the configuration library's exception. */
    @Test
    void aPoolGivenAListOfMapsIsRefusedWithAMessage() {
        assertThatThrownBy(() -> parse("alpha:\n  - listen: 127.0.0.1:22121\n  - servers: x\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("test.yml: pool 'alpha': ")
                .hasMessageNotContaining("Exception");
    }

    @Test
    void aCharacterYamlDoesNotAllowIsRefusedWithWhereNotAStackTraceOrTheText() {
        // Found by ConfigParserFuzzTest: the message named the reader's exception class.
        assertThatThrownBy(() -> parse("alpha:\n  redis_auth: s3cret\u0001\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(
                        "test.yml: not valid YAML: a character YAML does not allow (code point 1) at offset")
                .hasMessageNotContaining("Exception")
                .hasMessageNotContaining("s3cret");
    }
}
