package io.shardis.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shardis.it.support.RespConnection;
import io.shardis.it.support.SingleBackendShardis;
import io.shardis.it.support.StopChildProcesses;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.commands.ProtocolCommand;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * Errors are answers: unknown and refused commands get an error and the connection goes on; Redis'
 * own errors pass through unchanged; malformed requests are answered and closed as Redis does.
 */
@ExtendWith(StopChildProcesses.class)
class ErrorsIT {

    @RegisterExtension
    static final SingleBackendShardis env = SingleBackendShardis.withConfig("""
            alpha:
              listen: 127.0.0.1:0
              redis: true
              timeout: 5000
              servers:
                - ${backend}:1
            admin:
              listen: 127.0.0.1:0
              redis: true
              timeout: 5000
              allow_admin: true
              servers:
                - ${backend}:1
            """);

    /** Runs after the extension has flushed the backend. */
    @BeforeEach
    void seed() {
        try (Jedis jedis = env.redis().client()) {
            jedis.set("canary", "alive");
        }
    }

    @Test
    void anUnknownCommandIsRefusedAndTheConnectionStaysUsable() {
        try (Jedis jedis = env.jedis()) {
            assertThatThrownBy(() -> jedis.sendCommand(command("FOO"), "bar"))
                    .isInstanceOf(JedisDataException.class)
                    .hasMessage("ERR unknown command 'FOO', with args beginning with: 'bar' ");
            assertThat(jedis.ping()).isEqualTo("PONG");
            assertThat(jedis.get("canary")).isEqualTo("alive");
        }
    }

    @Test
    void aRefusedCommandInAPipelineKeepsTheOtherRepliesInOrder() {
        try (RespConnection raw = new RespConnection(env.address())) {
            raw.write(concat(
                    RespConnection.command("SET", "p", "1"),
                    RespConnection.command("FOO"),
                    RespConnection.command("MONITOR"),
                    RespConnection.command("GET", "p")));
            assertThat(raw.read()).isEqualTo("+OK");
            assertThat((String) raw.read()).isEqualTo("-ERR unknown command 'FOO', with args beginning with: ");
            assertThat((String) raw.read()).startsWith("-ERR").contains("monitor");
            assertThat(raw.read()).isEqualTo("1".getBytes());
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "MONITOR",
                "SHUTDOWN",
                "FLUSHALL",
                "FLUSHDB",
                "CONFIG GET maxmemory",
                "DEBUG SLEEP 0",
                "REPLICAOF NO ONE",
                "SAVE"
            })
    void adminAndConnectionStateCommandsAreRefusedByDefault(String line) {
        String[] words = line.split(" ");
        try (Jedis jedis = env.jedis()) {
            assertThatThrownBy(() -> jedis.sendCommand(command(words[0]), Arrays.copyOfRange(words, 1, words.length)))
                    .isInstanceOf(JedisDataException.class)
                    .hasMessageStartingWith("ERR")
                    .hasMessageContaining(words[0].toLowerCase());
            assertThat(jedis.get("canary")).isEqualTo("alive");
        }
        try (Jedis direct = env.redis().client()) {
            assertThat(direct.ping()).isEqualTo("PONG");
        }
    }

    @Test
    void aPoolWithAllowAdminPassesAdminCommands() {
        try (Jedis jedis = env.shardis().jedis("admin")) {
            assertThat(jedis.configGet("maxmemory")).containsKey("maxmemory");
            assertThat(jedis.flushAll()).isEqualTo("OK");
            assertThat(jedis.exists("canary")).isFalse();
        }
    }

    @Test
    void redisErrorsPassThroughUnchanged() {
        try (Jedis direct = env.redis().client();
                Jedis jedis = env.jedis()) {
            direct.set("text", "abc");
            String expectedWrongType = messageOf(() -> direct.lpush("text", "x"));
            String expectedNotInteger = messageOf(() -> direct.incr("text"));
            String expectedSyntax = messageOf(() -> direct.sendCommand(command("SET"), "k", "v", "BOGUS"));

            assertThat(expectedWrongType).startsWith("WRONGTYPE");
            assertThat(messageOf(() -> jedis.lpush("text", "x"))).isEqualTo(expectedWrongType);
            assertThat(messageOf(() -> jedis.incr("text"))).isEqualTo(expectedNotInteger);
            assertThat(messageOf(() -> jedis.sendCommand(command("SET"), "k", "v", "BOGUS")))
                    .isEqualTo(expectedSyntax);
            assertThat(jedis.get("text")).isEqualTo("abc");
        }
    }

    @Test
    void aWrongNumberOfArgumentsIsAnsweredAsRedisAnswersIt() {
        try (Jedis direct = env.redis().client();
                Jedis jedis = env.jedis()) {
            String expected = messageOf(() -> direct.sendCommand(command("GET")));
            assertThat(messageOf(() -> jedis.sendCommand(command("GET")))).isEqualToIgnoringCase(expected);
            assertThat(jedis.ping()).isEqualTo("PONG");
        }
    }

    @Test
    void aMalformedRequestIsAnsweredWithAProtocolErrorAndClosed() {
        for (Target target :
                List.of(new Target("redis", env.redis().socketAddress()), new Target("shardis", env.address()))) {
            try (RespConnection raw = new RespConnection(target.address())) {
                raw.write("*1\r\n$x\r\n");
                assertThat((String) raw.read()).as(target.name()).startsWith("-ERR Protocol error");
                assertThat(raw.closedByServer())
                        .as(target.name() + " closes the connection")
                        .isTrue();
            }
        }
    }

    @Test
    void aHugeDeclaredArrayLengthIsRefusedWithoutAllocating() {
        try (RespConnection raw = new RespConnection(env.address())) {
            raw.write("*2000000000\r\n$3\r\nGET\r\n");
            assertThat((String) raw.read()).startsWith("-ERR Protocol error");
            assertThat(raw.closedByServer()).isTrue();
        }
        try (Jedis jedis = env.jedis()) {
            assertThat(jedis.get("canary")).isEqualTo("alive");
        }
    }

    @Test
    void inlineCommandsWorkAsWithRedis() {
        try (RespConnection raw = new RespConnection(env.address())) {
            raw.write("PING\r\nSET inline \"two words\"\r\nGET inline\r\nECHO hi\r\n");
            assertThat(raw.read()).isEqualTo("+PONG");
            assertThat(raw.read()).isEqualTo("+OK");
            assertThat(raw.read()).isEqualTo("two words".getBytes(StandardCharsets.UTF_8));
            assertThat(raw.read()).isEqualTo("hi".getBytes(StandardCharsets.UTF_8));
        }
    }

    @Test
    void pingEchoAndQuitAreAnsweredAndQuitCloses() {
        try (RespConnection raw = new RespConnection(env.address())) {
            assertThat(raw.call("PING")).isEqualTo("+PONG");
            assertThat(raw.call("PING", "hello")).isEqualTo("hello".getBytes(StandardCharsets.UTF_8));
            assertThat(raw.call("ECHO", "")).isEqualTo(new byte[0]);
            assertThat(raw.call("QUIT")).isEqualTo("+OK");
            assertThat(raw.closedByServer()).isTrue();
        }
    }

    private record Target(String name, InetSocketAddress address) {}

    private static ProtocolCommand command(String name) {
        byte[] raw = name.getBytes(StandardCharsets.UTF_8);
        return () -> raw;
    }

    private static String messageOf(Runnable call) {
        try {
            call.run();
        } catch (JedisDataException e) {
            return e.getMessage();
        }
        throw new AssertionError("expected an error reply");
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
