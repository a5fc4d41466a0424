package io.shardis.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shardis.it.support.Closeables;
import io.shardis.it.support.Poll;
import io.shardis.it.support.RedisProcess;
import io.shardis.it.support.ShardisFixture;
import io.shardis.it.support.ShardisProcess;
import io.shardis.it.support.StopChildProcesses;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * The admin gate's back door: a pool without allow_admin refuses FLUSHALL, but a script runs inside
 * Redis. Behind the backend ACL user of conf/backend-acl.conf, scripts and functions cannot run it
 * either; behind the default user they can, and {@code -t} and the start-up log say so.
 */
@ExtendWith(StopChildProcesses.class)
class AdminGateScriptsIT {

    private static final String PASSWORD = "backend-secret";
    /** Redis 7.0's error for a command its ACL refuses inside a script. */
    private static final String REFUSED_IN_SCRIPT =
            "The user executing the script can't run this command or subcommand";

    private static final String FLUSH_SCRIPT = "return redis.call('flushall')";
    private static final String POOLS = """
            guarded:
              listen: 127.0.0.1:${port.guarded}
              redis_user: shardis
              redis_auth: %s
              servers:
                - ${guarded}:1
            open:
              listen: 127.0.0.1:${port.open}
              servers:
                - ${open}:1
            """.formatted(PASSWORD);

    private static RedisProcess guarded;
    private static RedisProcess open;
    private static ShardisFixture shardis;

    @BeforeAll
    static void start() throws IOException {
        guarded = RedisProcess.builder().config(backendAcl()).start();
        open = RedisProcess.start();
        shardis = ShardisFixture.start(
                POOLS, Map.of("guarded", guarded.address(), "open", open.address(), "port.guarded", 0, "port.open", 0));
    }

    /** conf/backend-acl.conf as shipped, with a real password. */
    private static String backendAcl() throws IOException {
        String conf = Files.readString(ShardisProcess.repoRoot().resolve("conf/backend-acl.conf"));
        assertThat(conf).contains(" >change-me ");
        return conf.replace(" >change-me ", " >" + PASSWORD + " ");
    }

    @AfterAll
    static void stop() throws Exception {
        Closeables.closeAll(shardis, open, guarded);
    }

    @Test
    void behindTheDocumentedBackendAclScriptsCannotFlush() {
        try (Jedis jedis = shardis.jedis("guarded")) {
            // Without users, redis_auth is also the clients' password (Twemproxy's meaning).
            jedis.auth(PASSWORD);
            jedis.set("survivor", "1");
            assertThatThrownBy(jedis::flushAll).hasMessageContaining("admin commands are off");
            assertThatThrownBy(() -> jedis.eval(FLUSH_SCRIPT, 0))
                    .isInstanceOf(JedisDataException.class)
                    .hasMessageContaining(REFUSED_IN_SCRIPT);
            assertThatThrownBy(() -> jedis.eval("return redis.call('flushdb')", 0))
                    .hasMessageContaining(REFUSED_IN_SCRIPT);
            assertThat(jedis.functionLoad("#!lua name=wipe\nredis.register_function('wipe', function() "
                            + "return redis.call('flushall') end)"))
                    .isEqualTo("wipe");
            assertThatThrownBy(() -> jedis.fcall("wipe", java.util.List.of(), java.util.List.of()))
                    .hasMessageContaining(REFUSED_IN_SCRIPT);
            assertThat(jedis.get("survivor")).isEqualTo("1");
            // What the pool forwards still works for this backend user.
            assertThat(jedis.eval("return redis.call('get', KEYS[1])", 1, "survivor"))
                    .isEqualTo("1");
            assertThat(jedis.keys("surv*")).containsExactly("survivor");
            assertThat(jedis.info("server")).contains("redis_version");
            assertThat(jedis.dbSize()).isPositive();
        }
    }

    /**
     * RESET on the client's own backend connection (after WATCH, in MULTI) also logs that
     * connection out to the backend's default user: Shardis authenticates it again behind the RESET,
     * so the script route stays closed on it.
     */
    @Test
    void resetOnTheClientsOwnConnectionDoesNotReopenTheRoute() {
        try (Jedis jedis = shardis.jedis("guarded")) {
            jedis.auth(PASSWORD);
            jedis.set("kept", "1");
            assertThat(jedis.watch("kept")).isEqualTo("OK");
            assertThat(jedis.sendCommand(() -> "RESET".getBytes(java.nio.charset.StandardCharsets.US_ASCII)))
                    .isEqualTo("RESET".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            assertThatThrownBy(() -> jedis.get("kept")).hasMessage("NOAUTH Authentication required.");
            jedis.auth(PASSWORD);
            assertThatThrownBy(() -> jedis.eval(FLUSH_SCRIPT, 0)).hasMessageContaining(REFUSED_IN_SCRIPT);
            jedis.sendCommand(() -> "MULTI".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            assertThat(jedis.sendCommand(() -> "SET".getBytes(java.nio.charset.StandardCharsets.US_ASCII), "kept", "2"))
                    .isEqualTo("QUEUED".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            jedis.sendCommand(() -> "RESET".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            jedis.auth(PASSWORD);
            assertThatThrownBy(() -> jedis.eval(FLUSH_SCRIPT, 0)).hasMessageContaining(REFUSED_IN_SCRIPT);
            assertThat(jedis.get("kept")).isEqualTo("1");
        }
    }

    @Test
    void behindTheDefaultUserTheScriptRouteIsOpen() {
        try (Jedis jedis = shardis.jedis("open")) {
            jedis.set("victim", "1");
            assertThatThrownBy(jedis::flushAll).hasMessageContaining("admin commands are off");
            assertThat(jedis.eval(FLUSH_SCRIPT, 0)).isEqualTo("OK");
            assertThat(jedis.get("victim")).isNull();
        }
    }

    @Test
    void testConfigAndTheStartUpLogWarnWhereTheRouteIsOpen() {
        String yaml = POOLS.replace("${port.guarded}", "0")
                        .replace("${port.open}", "0")
                        .replace("${guarded}", guarded.address())
                        .replace("${open}", open.address())
                + "exposed:\n  listen: 0.0.0.0:22999\n  allow_admin: true\n  servers:\n    - " + open.address()
                + ":1\n";
        Path file = ShardisProcess.writeConfig(yaml);
        ShardisProcess.Result checked = ShardisProcess.run("-t", "-c", file.toString());
        assertThat(checked.exitCode()).isZero();
        assertThat(checked.output())
                .contains("syntax is ok")
                .contains("warning: pool 'open' refuses admin commands (allow_admin: false), but on " + open.address()
                        + " its backend the default user can run them from a script (")
                .doesNotContain("pool 'guarded' refuses admin commands")
                .doesNotContain("pool 'exposed' refuses admin commands")
                .contains("warning: pool 'exposed' listens on 0.0.0.0:22999, beyond loopback, without authentication")
                .doesNotContain("pool 'open' listens")
                .doesNotContain(PASSWORD);

        try (ShardisProcess process =
                ShardisProcess.start(POOLS, Map.of("guarded", guarded.address(), "open", open.address()))) {
            assertThat(Poll.until(
                            Duration.ofSeconds(30),
                            () -> process.log().contains("pool 'open' refuses admin commands"),
                            () -> !process.isAlive()))
                    .as(process.log())
                    .isTrue();
            assertThat(Poll.until(
                            Duration.ofSeconds(30),
                            () -> process.log()
                                    .contains("pool 'guarded': scripts on " + guarded.address() + " cannot run"),
                            () -> !process.isAlive()))
                    .as(process.log())
                    .isTrue();
            assertThat(process.log()).doesNotContain(PASSWORD);
        }
    }
}
