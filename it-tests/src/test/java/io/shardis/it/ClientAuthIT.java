package io.shardis.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.api.StatefulRedisConnection;
import io.shardis.it.support.Closeables;
import io.shardis.it.support.Commands;
import io.shardis.it.support.LettuceClients;
import io.shardis.it.support.NutcrackerProcess;
import io.shardis.it.support.RedisBinaries;
import io.shardis.it.support.RedisClusterFixture;
import io.shardis.it.support.RedisProcess;
import io.shardis.it.support.RespConnection;
import io.shardis.it.support.SentinelFixture;
import io.shardis.it.support.ShardisFixture;
import io.shardis.it.support.StopChildProcesses;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * Client authentication and proxy users in every kind of pool, against real Redis servers, a Redis
 * Cluster and Sentinels, with Jedis, Lettuce and redis-cli: before AUTH only AUTH, HELLO, QUIT and
 * RESET are answered ({@code -NOAUTH}), a wrong password gets {@code -WRONGPASS}, the right one
 * {@code OK}; a user limited to {@code +@read ~cache:*} gets Redis' {@code -NOPERM} texts. And
 * nutcracker beside Shardis on the same {@code redis_auth} configuration.
 */
@ExtendWith(StopChildProcesses.class)
class ClientAuthIT {

    private static final String NOAUTH = "NOAUTH Authentication required.";
    private static final String WRONGPASS = "WRONGPASS invalid username-password pair or user is disabled.";
    /** The users of the 'sharded', 'cluster' and 'sentinel' pools. */
    private static final String USERS = """
              users:
                app: "on >apppw ~cache:* +@read"
                ops: "on >opspw ~* &* +@all"
            """;

    @RegisterExtension
    static final LettuceClients lettuce = LettuceClients.withDefaultProtocol();

    private static RedisProcess single;
    private static RedisProcess shardA;
    private static RedisProcess shardB;
    private static RedisClusterFixture cluster;
    private static SentinelFixture sentinel;
    private static ShardisFixture shardis;

    @BeforeAll
    static void start() {
        single = RedisProcess.start("--requirepass", "s3cret");
        shardA = RedisProcess.start();
        shardB = RedisProcess.start();
        cluster = RedisClusterFixture.builder().masters(3).replicasPerMaster(0).start();
        sentinel = SentinelFixture.builder().masters(1).start();
        List<String> sentinels = new ArrayList<>();
        for (InetSocketAddress address : sentinel.sentinelAddresses()) {
            sentinels.add(address.getHostString() + ":" + address.getPort());
        }
        shardis = ShardisFixture.start(
                """
                single:
                  listen: 127.0.0.1:0
                  redis_auth: s3cret
                  servers:
                    - ${single}:1
                sharded:
                  listen: 127.0.0.1:0
                ${users}  servers:
                    - ${shardA}:1 a
                    - ${shardB}:1 b
                cluster:
                  listen: 127.0.0.1:0
                  timeout: 5000
                ${users}  cluster:
                    seeds: [${seed}]
                sentinel:
                  listen: 127.0.0.1:0
                  timeout: 5000
                ${users}  sentinels: [${sentinels}]
                  servers:
                    - ${shard1}:1 shard1
                """,
                Map.of(
                        "single",
                        single.address(),
                        "shardA",
                        shardA.address(),
                        "shardB",
                        shardB.address(),
                        "seed",
                        cluster.nodes().get(0).address(),
                        "sentinels",
                        String.join(", ", sentinels),
                        "shard1",
                        sentinel.master("shard1").address(),
                        "users",
                        USERS));
    }

    @AfterAll
    static void stop() throws Exception {
        Closeables.closeAll(shardis, sentinel, cluster, shardB, shardA, single);
    }

    /** The user and password that may do everything in {@code pool}; the user is null for the default one. */
    private static String[] credentials(String pool) {
        return pool.equals("single") ? new String[] {null, "s3cret"} : new String[] {"ops", "opspw"};
    }

    @ParameterizedTest
    @ValueSource(strings = {"single", "sharded", "cluster", "sentinel"})
    void jedisSeesNoauthThenWrongpassThenOk(String pool) {
        String[] credentials = credentials(pool);
        try (Jedis jedis = shardis.jedis(pool)) {
            assertThatThrownBy(() -> jedis.get("k"))
                    .isInstanceOf(JedisDataException.class)
                    .hasMessage(NOAUTH);
            assertThatThrownBy(jedis::ping).hasMessage(NOAUTH);
            assertThatThrownBy(() -> jedis.set("k", "v")).hasMessage(NOAUTH);
            assertThatThrownBy(() -> jedis.auth("wrong")).hasMessage(WRONGPASS);
            assertThatThrownBy(() -> jedis.auth("ops", "wrong")).hasMessage(WRONGPASS);
            assertThatThrownBy(() -> jedis.get("k")).hasMessage(NOAUTH);
            assertThat(credentials[0] == null ? jedis.auth(credentials[1]) : jedis.auth(credentials[0], credentials[1]))
                    .isEqualTo("OK");
            assertThat(jedis.set("{" + pool + "}k", "v")).isEqualTo("OK");
            assertThat(jedis.get("{" + pool + "}k")).isEqualTo("v");
            assertThat(jedis.aclWhoAmI()).isEqualTo(credentials[0] == null ? "default" : credentials[0]);
            // A failed AUTH leaves the connection as it was, as on Redis.
            assertThatThrownBy(() -> jedis.auth("wrong")).hasMessage(WRONGPASS);
            assertThat(jedis.get("{" + pool + "}k")).isEqualTo("v");
            // RESET goes back to the default user, which needs a password here.
            assertThat(jedis.sendCommand(() -> "RESET".getBytes(StandardCharsets.US_ASCII)))
                    .isEqualTo("RESET".getBytes(StandardCharsets.US_ASCII));
            assertThatThrownBy(() -> jedis.get("k")).hasMessage(NOAUTH);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"single", "sharded", "cluster", "sentinel"})
    void lettuceConnectsWithAPasswordAsToRedis(String pool) {
        String[] credentials = credentials(pool);
        InetSocketAddress address = shardis.address(pool);
        // Without a password Lettuce's HELLO is refused, as by Redis with requirepass: no connection.
        assertThat(refusedConnection(() -> lettuce.connect(address).close()))
                .isInstanceOf(RedisConnectionException.class)
                .hasStackTraceContaining("NOAUTH HELLO must be called with the client already authenticated");
        assertThat(refusedConnection(
                        () -> lettuce.connect(address, credentials[0], "wrong").close()))
                .isInstanceOf(RedisConnectionException.class)
                .hasStackTraceContaining(WRONGPASS);
        // Lettuce sends HELLO 3 with AUTH: authenticated, it speaks RESP3.
        try (StatefulRedisConnection<String, String> connection =
                lettuce.connect(address, credentials[0], credentials[1])) {
            assertThat(connection.sync().set("{" + pool + "}lettuce", "v")).isEqualTo("OK");
            assertThat(connection.sync().get("{" + pool + "}lettuce")).isEqualTo("v");
        }
    }

    /**
     * The failure of a Lettuce connect that the server refuses. When the refusal closes the
     * channel before Lettuce's own connect listener runs, Lettuce reports "RedisHandshakeHandler
     * not registered" instead of the server's error (a race inside Lettuce, seen against Redis as
     * well); such a try is made again, at most five times.
     */
    private static Throwable refusedConnection(Runnable connect) {
        Throwable failure = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            failure = catchThrowable(connect::run);
            assertThat(failure).as("a connection the server should refuse").isNotNull();
            if (!stackTraceOf(failure).contains("RedisHandshakeHandler not registered")) {
                return failure;
            }
        }
        return failure;
    }

    private static String stackTraceOf(Throwable failure) {
        StringWriter text = new StringWriter();
        failure.printStackTrace(new PrintWriter(text));
        return text.toString();
    }

    @ParameterizedTest
    @ValueSource(strings = {"single", "sharded", "cluster", "sentinel"})
    void redisCliWithAPassword(String pool) {
        String[] credentials = credentials(pool);
        int port = shardis.port(pool);
        assertThat(redisCli(port, List.of("SET", "{" + pool + "}cli", "v")).trim())
                .isEqualTo(NOAUTH);
        List<String> wrong =
                credentials[0] == null ? List.of("-a", "wrong") : List.of("--user", credentials[0], "-a", "wrong");
        assertThat(redisCli(port, concat(wrong, List.of("SET", "{" + pool + "}cli", "v"))))
                .contains("AUTH failed: " + WRONGPASS);
        List<String> right = credentials[0] == null
                ? List.of("-a", credentials[1])
                : List.of("--user", credentials[0], "-a", credentials[1]);
        assertThat(redisCli(port, concat(right, List.of("SET", "{" + pool + "}cli", "v")))
                        .trim())
                .isEqualTo("OK");
        assertThat(redisCli(port, concat(right, List.of("GET", "{" + pool + "}cli")))
                        .trim())
                .isEqualTo("v");
    }

    @ParameterizedTest
    @ValueSource(strings = {"sharded", "cluster"})
    void aReadUserLimitedToAKeyPatternIsRefusedWritesAndOtherKeys(String pool) {
        try (Jedis ops = shardis.jedis(pool);
                Jedis app = shardis.jedis(pool)) {
            ops.auth("ops", "opspw");
            // Keys on every shard or slot owner, so that splits are checked too.
            for (int i = 0; i < 8; i++) {
                ops.set("cache:" + i, "c" + i);
                ops.set("other:" + i, "o" + i);
            }
            assertThat(app.auth("app", "apppw")).isEqualTo("OK");
            assertThat(app.get("cache:1")).isEqualTo("c1");
            assertThat(app.mget("cache:1", "cache:2", "cache:3", "cache:4")).containsExactly("c1", "c2", "c3", "c4");
            assertThatThrownBy(() -> app.set("cache:1", "x"))
                    .hasMessage("NOPERM this user has no permissions to run the 'set' command");
            assertThatThrownBy(() -> app.get("other:1"))
                    .hasMessage("NOPERM this user has no permissions to access one of the keys used as arguments");
            assertThatThrownBy(() -> app.mget("cache:1", "other:2"))
                    .hasMessage("NOPERM this user has no permissions to access one of the keys used as arguments");
            assertThatThrownBy(() -> app.eval("return redis.call('set', KEYS[1], 'x')", 1, "cache:1"))
                    .hasMessage("NOPERM this user has no permissions to run the 'eval' command");
            assertThatThrownBy(() -> app.flushAll())
                    .hasMessage("NOPERM this user has no permissions to run the 'flushall' command");
            // The connection stays open and usable; nothing was written.
            assertThat(app.get("cache:1")).isEqualTo("c1");
            assertThat(ops.get("cache:1")).isEqualTo("c1");
            // ACL WHOAMI is not @read: refused as Redis refuses it.
            assertThatThrownBy(app::aclWhoAmI)
                    .hasMessage("NOPERM this user has no permissions to run the 'acl|whoami' command");
        }
    }

    /**
     * nutcracker 0.5.0 and Shardis on one {@code redis_auth} pool: the same commands are refused
     * before AUTH, a wrong password is refused and changes nothing, the right one opens the same
     * data. The wording differs where the README's Twemproxy section says so: Shardis answers as
     * Redis 7 does.
     */
    @Test
    void besideNutcrackerTheSameRedisAuthRefusesTheSame() {
        String template = """
                alpha:
                  listen: 127.0.0.1:${port.alpha}
                  redis: true
                  redis_auth: s3cret
                  servers:
                    - ${backend}:1
                """;
        try (NutcrackerProcess nutcracker = NutcrackerProcess.start(template, Map.of("backend", single.address()))) {
            Map<String, Object> values = new HashMap<>(Map.of("backend", single.address(), "port.alpha", 0));
            try (ShardisFixture twin = ShardisFixture.start(template, values);
                    RespConnection viaNutcracker =
                            new RespConnection(new InetSocketAddress("127.0.0.1", nutcracker.listenPort("alpha")));
                    RespConnection viaShardis = new RespConnection(twin.address("alpha"))) {
                List<String[]> before = List.of(
                        new String[] {"GET", "side"},
                        new String[] {"SET", "side", "x"},
                        new String[] {"PING"},
                        new String[] {"DEL", "side"});
                for (String[] command : before) {
                    assertThat(viaNutcracker.call(command))
                            .as("nutcracker, %s", command[0])
                            .isEqualTo("-NOAUTH Authentication required");
                    assertThat(viaShardis.call(command))
                            .as("Shardis, %s", command[0])
                            .isEqualTo("-" + NOAUTH);
                }
                assertThat(viaNutcracker.call("AUTH", "wrong")).isEqualTo("-ERR invalid password");
                assertThat(viaShardis.call("AUTH", "wrong")).isEqualTo("-" + WRONGPASS);
                assertThat(viaNutcracker.call("GET", "side")).isEqualTo("-NOAUTH Authentication required");
                assertThat(viaShardis.call("GET", "side")).isEqualTo("-" + NOAUTH);
                assertThat(viaNutcracker.call("AUTH", "s3cret")).isEqualTo("+OK");
                assertThat(viaShardis.call("AUTH", "s3cret")).isEqualTo("+OK");
                assertThat(viaNutcracker.call("SET", "side", "from-nutcracker")).isEqualTo("+OK");
                assertThat(viaShardis.call("GET", "side"))
                        .isEqualTo("from-nutcracker".getBytes(StandardCharsets.UTF_8));
                assertThat(viaShardis.call("SET", "side", "from-shardis")).isEqualTo("+OK");
                assertThat(viaNutcracker.call("GET", "side"))
                        .isEqualTo("from-shardis".getBytes(StandardCharsets.UTF_8));
                assertThat(viaNutcracker.call("PING")).isEqualTo(viaShardis.call("PING"));
            }
        }
    }

    private static String redisCli(int port, List<String> args) {
        Path cli = RedisBinaries.get().redisCli().orElseThrow();
        List<String> command = new ArrayList<>(
                List.of(cli.toString(), "-h", "127.0.0.1", "-p", Integer.toString(port), "--no-auth-warning"));
        command.addAll(args);
        return Commands.run(command, Duration.ofSeconds(20)).output();
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
