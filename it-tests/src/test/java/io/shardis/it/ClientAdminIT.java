package io.shardis.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.shardis.it.support.RespConnection;
import io.shardis.it.support.SingleBackendShardis;
import io.shardis.it.support.StopChildProcesses;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * CLIENT LIST and CLIENT KILL are about Shardis' own clients of the pool the caller is connected
 * to: the list shows them (not the backend's connections, not other pools' clients), and KILL really
 * closes the other client's connection. Both need {@code allow_admin} and the user's right to run
 * them, as any admin command.
 */
@ExtendWith(StopChildProcesses.class)
class ClientAdminIT {

    @RegisterExtension
    static final SingleBackendShardis env = SingleBackendShardis.withConfig("""
            admin:
              listen: 127.0.0.1:0
              redis: true
              timeout: 5000
              allow_admin: true
              servers:
                - ${backend}:1
            plain:
              listen: 127.0.0.1:0
              redis: true
              timeout: 5000
              servers:
                - ${backend}:1
            users:
              listen: 127.0.0.1:0
              redis: true
              timeout: 5000
              allow_admin: true
              servers:
                - ${backend}:1
              users:
                ops: "on >opspw ~* &* +@all"
                app: "on >apppw ~* &* +@all -@admin"
            """);

    private static Jedis connect(String pool, String name) {
        Jedis jedis = env.shardis().jedis(pool);
        jedis.clientSetname(name);
        return jedis;
    }

    private static List<String> lines(String list) {
        return Arrays.stream(list.split("\n")).filter(line -> !line.isBlank()).toList();
    }

    private static String field(String line, String key) {
        for (String field : line.split(" ")) {
            if (field.startsWith(key + "=")) {
                return field.substring(key.length() + 1);
            }
        }
        throw new AssertionError("no " + key + " in " + line);
    }

    private static void awaitClosed(Jedis jedis) {
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            try {
                jedis.ping();
                return false;
            } catch (JedisConnectionException e) {
                return true;
            }
        });
    }

    @Test
    @SuppressWarnings("try") // b is held open to be listed, never used
    void clientListShowsThePoolsOwnClients() {
        try (Jedis a = connect("admin", "a");
                Jedis b = connect("admin", "b");
                Jedis other = connect("plain", "elsewhere")) {
            other.ping();
            InetSocketAddress listen = env.shardis().address("admin");
            // Clients of earlier tests leave as their connections close: waited for, boundedly.
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> lines(a.clientList()).size() == 2);
            List<String> lines = lines(a.clientList());
            assertThat(lines).extracting(line -> field(line, "name")).containsExactlyInAnyOrder("a", "b");
            String mine = lines.stream()
                    .filter(line -> field(line, "name").equals("a"))
                    .findFirst()
                    .orElseThrow();
            assertThat(field(mine, "id")).isEqualTo(String.valueOf(a.clientId()));
            assertThat(field(mine, "cmd")).isEqualTo("client|list");
            assertThat(field(mine, "laddr")).isEqualTo("127.0.0.1:" + listen.getPort());
            assertThat(field(mine, "addr"))
                    .startsWith("127.0.0.1:")
                    .isEqualTo(field(lines(a.clientInfo()).get(0), "addr"));
            assertThat(field(mine, "user")).isEqualTo("default");
            String b_line = lines.stream()
                    .filter(line -> field(line, "name").equals("b"))
                    .findFirst()
                    .orElseThrow();
            assertThat(field(b_line, "cmd")).isEqualTo("client|setname");
            assertThat(lines(a.clientInfo())).singleElement().satisfies(info -> {
                assertThat(field(info, "name")).isEqualTo("a");
                assertThat(field(info, "cmd")).isEqualTo("client|info");
            });
        }
    }

    @Test
    void killByIdClosesTheOtherClientsConnection() {
        try (Jedis a = connect("admin", "killer");
                Jedis b = connect("admin", "victim")) {
            long victim = b.clientId();
            assertThat(a.sendCommand(redis.clients.jedis.Protocol.Command.CLIENT, "KILL", "ID", String.valueOf(victim)))
                    .isEqualTo(1L);
            awaitClosed(b);
            assertThat(a.ping()).isEqualTo("PONG");
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> lines(a.clientList()).size() == 1);
            assertThat(a.sendCommand(redis.clients.jedis.Protocol.Command.CLIENT, "KILL", "ID", String.valueOf(victim)))
                    .isEqualTo(0L);
        }
    }

    @Test
    void theOldFormKillsByAddressAndSaysOkOrNoSuchClient() {
        try (Jedis a = connect("admin", "killer");
                Jedis b = connect("admin", "victim")) {
            String address = field(lines(b.clientInfo()).get(0), "addr");
            assertThat(a.clientKill(address)).isEqualTo("OK");
            awaitClosed(b);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> lines(a.clientList()).size() == 1);
            assertThatThrownBy(() -> a.clientKill(address))
                    .isInstanceOf(JedisDataException.class)
                    .hasMessage("ERR No such client");
        }
    }

    @Test
    void filtersSkipTheCallerUnlessToldNot() {
        try (RespConnection caller = new RespConnection(env.shardis().address("admin"));
                Jedis b = connect("admin", "b");
                Jedis c = connect("admin", "c")) {
            b.ping();
            c.ping();
            assertThat(caller.call("CLIENT", "SETNAME", "caller")).isEqualTo("+OK");
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> lines(b.clientList()).size() == 3);
            assertThat(caller.call("CLIENT", "KILL", "USER", "default")).isEqualTo(2L);
            awaitClosed(b);
            awaitClosed(c);
            assertThat(caller.call("PING")).isEqualTo("+PONG");
            Object id = caller.call("CLIENT", "ID");
            assertThat(caller.call("CLIENT", "KILL", "ID", String.valueOf(id), "SKIPME", "no"))
                    .isEqualTo(1L);
            assertThat(caller.closedByServer())
                    .as("killed itself: closed after the reply")
                    .isTrue();
        }
    }

    @Test
    void aPoolWithoutAllowAdminRefusesThem() {
        try (Jedis jedis = connect("plain", "p")) {
            assertThatThrownBy(jedis::clientList)
                    .isInstanceOf(JedisDataException.class)
                    .hasMessage("ERR command 'client|list' is refused by Shardis: admin commands are off for pool"
                            + " 'plain' (allow_admin: true turns them on)");
            assertThatThrownBy(() -> jedis.clientKill("127.0.0.1:1"))
                    .isInstanceOf(JedisDataException.class)
                    .hasMessageStartingWith("ERR command 'client|kill' is refused by Shardis");
            assertThat(jedis.clientGetname()).isEqualTo("p");
        }
    }

    @Test
    void aUserWithoutAdminRightsMayNotKillOthers() {
        try (Jedis ops = env.shardis().jedis("users");
                Jedis app = env.shardis().jedis("users")) {
            ops.auth("ops", "opspw");
            app.auth("app", "apppw");
            long opsId = ops.clientId();
            assertThatThrownBy(() -> app.sendCommand(
                            redis.clients.jedis.Protocol.Command.CLIENT, "KILL", "ID", String.valueOf(opsId)))
                    .isInstanceOf(JedisDataException.class)
                    .hasMessage("NOPERM this user has no permissions to run the 'client|kill' command");
            assertThat(ops.ping()).isEqualTo("PONG");
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> lines(ops.clientList()).size() == 2);
            List<String> lines = lines(ops.clientList());
            assertThat(lines).extracting(line -> field(line, "user")).containsExactlyInAnyOrder("ops", "app");
            assertThat(ops.sendCommand(redis.clients.jedis.Protocol.Command.CLIENT, "KILL", "USER", "app"))
                    .isEqualTo(1L);
            awaitClosed(app);
            assertThatThrownBy(() ->
                            ops.sendCommand(redis.clients.jedis.Protocol.Command.CLIENT, "KILL", "USER", "nobody"))
                    .isInstanceOf(JedisDataException.class)
                    .hasMessage("ERR No such user 'nobody'");
        }
    }
}
