package io.shardis.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardis.it.support.Closeables;
import io.shardis.it.support.RedisProcess;
import io.shardis.it.support.ShardisFixture;
import io.shardis.it.support.StopChildProcesses;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.commands.ProtocolCommand;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * What {@code allow_admin} lets through, and how Shardis words what it refuses: admin commands go
 * to every backend of the pool (one server's error names it), commands that would stop a backend
 * stay refused, and the errors Shardis makes itself read as Redis' own.
 */
@ExtendWith(StopChildProcesses.class)
class AdminCommandsIT {

    private static RedisProcess first;
    /** SLOWLOG is renamed away here, so that an admin command fails on this server only. */
    private static RedisProcess second;

    private static ShardisFixture shardis;

    @BeforeAll
    static void start() {
        first = RedisProcess.start();
        second = RedisProcess.start("--rename-command", "SLOWLOG", "");
        shardis = ShardisFixture.start("""
                admin:
                  listen: 127.0.0.1:0
                  timeout: 5000
                  allow_admin: true
                  servers:
                    - ${first}:1 s1
                    - ${second}:1 s2
                plain:
                  listen: 127.0.0.1:0
                  timeout: 5000
                  servers:
                    - ${first}:1 s1
                    - ${second}:1 s2
                """, Map.of("first", first.address(), "second", second.address()));
    }

    @AfterAll
    static void stop() throws Exception {
        Closeables.closeAll(shardis, first, second);
    }

    @Test
    void configSetGoesToEveryServerOfAnAdminPool() {
        try (Jedis jedis = shardis.jedis("admin")) {
            assertThat(jedis.configSet("maxmemory-policy", "allkeys-lru")).isEqualTo("OK");
            for (RedisProcess server : List.of(first, second)) {
                try (Jedis direct = server.client()) {
                    assertThat(direct.configGet("maxmemory-policy")).containsEntry("maxmemory-policy", "allkeys-lru");
                }
            }
            assertThat(jedis.configSet("maxmemory-policy", "noeviction")).isEqualTo("OK");
        }
    }

    @Test
    void configResetstatClearsEveryServersStatistics() {
        for (RedisProcess server : List.of(first, second)) {
            try (Jedis direct = server.client()) {
                direct.set("counted", "1");
                assertThat(direct.info("commandstats")).contains("cmdstat_set:");
            }
        }
        try (Jedis jedis = shardis.jedis("admin")) {
            assertThat(jedis.configResetStat()).isEqualTo("OK");
        }
        for (RedisProcess server : List.of(first, second)) {
            try (Jedis direct = server.client()) {
                assertThat(direct.info("commandstats")).doesNotContain("cmdstat_set:");
            }
        }
    }

    @Test
    void clientPauseAndUnpauseReachTheBackends() {
        try (Jedis jedis = shardis.jedis("admin")) {
            assertThat(send(jedis, "CLIENT", "PAUSE", "60000", "WRITE")).isEqualTo("OK");
            assertThat(send(jedis, "CLIENT", "UNPAUSE")).isEqualTo("OK");
            assertThat(jedis.set("after-pause", "1")).isEqualTo("OK");
        }
    }

    @Test
    void anErrorFromOneServerNamesThatServer() {
        try (Jedis jedis = shardis.jedis("admin")) {
            assertThat(errorOf(() -> jedis.slowlogReset()))
                    .startsWith("ERR unknown command")
                    .endsWith("(from pool 'admin' backend s2 (" + second.address() + "))");
            assertThat(jedis.ping()).isEqualTo("PONG");
        }
    }

    @Test
    void commandsThatWouldStopABackendStayRefusedWithAllowAdmin() {
        try (Jedis jedis = shardis.jedis("admin")) {
            for (String subcommand : List.of("SEGFAULT", "PANIC", "RESTART", "CRASH-AND-RECOVER", "RELOAD")) {
                assertThat(errorOf(() -> send(jedis, "DEBUG", subcommand)))
                        .isEqualTo("ERR unknown or unsupported command 'debug|" + subcommand.toLowerCase() + "'");
            }
            assertThat(errorOf(() -> send(jedis, "MONITOR"))).isEqualTo("ERR unknown or unsupported command 'monitor'");
        }
        assertThat(first.isAlive()).isTrue();
        assertThat(second.isAlive()).isTrue();
    }

    @Test
    void withoutAllowAdminTheErrorSaysWhatTurnsAdminCommandsOn() {
        try (Jedis jedis = shardis.jedis("plain")) {
            assertThat(errorOf(() -> jedis.configSet("maxmemory-policy", "allkeys-lru")))
                    .isEqualTo("ERR command 'config|set' is refused by Shardis: admin commands are off for pool"
                            + " 'plain' (allow_admin: true sends them to the pool's backends)");
            // MONITOR is never forwarded: its refusal must not promise that allow_admin helps.
            assertThat(errorOf(() -> send(jedis, "MONITOR"))).isEqualTo("ERR unknown or unsupported command 'monitor'");
        }
        try (Jedis direct = first.client()) {
            assertThat(direct.configGet("maxmemory-policy")).containsEntry("maxmemory-policy", "noeviction");
        }
    }

    @Test
    void errorsShardisMakesItselfReadAsRedisOwn() {
        List<String[]> inputs = List.of(
                new String[] {"PING", "x", "y", "z"},
                new String[] {"FUNCTION", "FOO"},
                new String[] {"CLIENT", "FOO"},
                new String[] {"CONFIG", "FOO"},
                new String[] {"OBJECT", "FOO"},
                new String[] {"FUNCTION"});
        try (Jedis jedis = shardis.jedis("admin");
                Jedis direct = first.client()) {
            for (String[] input : inputs) {
                String expected = errorOf(() -> send(direct, input));
                assertThat(errorOf(() -> send(jedis, input)))
                        .as(String.join(" ", input))
                        .isEqualTo(expected);
            }
        }
    }

    private static Object send(Jedis jedis, String... words) {
        byte[][] args = new byte[words.length - 1][];
        for (int i = 1; i < words.length; i++) {
            args[i - 1] = words[i].getBytes(StandardCharsets.UTF_8);
        }
        byte[] name = words[0].getBytes(StandardCharsets.UTF_8);
        ProtocolCommand command = () -> name;
        Object reply = jedis.sendCommand(command, args);
        return reply instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : reply;
    }

    private static String errorOf(Runnable call) {
        try {
            call.run();
        } catch (JedisDataException e) {
            return e.getMessage();
        }
        throw new AssertionError("expected an error reply");
    }
}
