package io.shardis.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.shardis.it.support.Elapsed;
import io.shardis.it.support.RespConnection;
import io.shardis.it.support.SingleBackendShardis;
import io.shardis.it.support.StopChildProcesses;
import io.shardis.it.support.TestThreads;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import redis.clients.jedis.Jedis;

/**
 * What a pipelining client relies on when its commands move between the shared backend connection
 * and one of its own: transactions, QUIT, and blocking commands past the pool timeout.
 */
@ExtendWith(StopChildProcesses.class)
@Timeout(60)
class PipelineGuaranteesIT {

    @RegisterExtension
    static final SingleBackendShardis env = SingleBackendShardis.withTimeout(300);

    @RegisterExtension
    final TestThreads threads = new TestThreads();

    @ParameterizedTest
    @ValueSource(strings = {"MONITOR", "NOSUCHCOMMAND tx:a", "GET"})
    void aCommandRefusedInsideMultiAbortsTheWholeTransaction(String refused) {
        try (RespConnection client = client()) {
            client.write(RespConnection.pipeline(
                    "MULTI", "SET tx:a 1", refused, "INCR tx:b", "EXEC", "SET tx:after 1", "EXEC"));
            assertThat(client.read()).isEqualTo("+OK");
            assertThat(client.read()).isEqualTo("+QUEUED");
            assertThat(client.read()).as("reply to %s", refused).asString().startsWith("-ERR");
            assertThat(client.read()).isEqualTo("+QUEUED");
            assertThat(client.read()).isEqualTo("-EXECABORT Transaction discarded because of previous errors.");
            // The transaction is over: the next commands run as plain commands.
            assertThat(client.read()).isEqualTo("+OK");
            assertThat(client.read()).asString().startsWith("-ERR EXEC without MULTI");
        }
        try (Jedis direct = env.redis().client()) {
            assertThat(direct.exists("tx:a", "tx:b"))
                    .as("keys the aborted transaction wrote")
                    .isZero();
            assertThat(direct.get("tx:after")).isEqualTo("1");
        }
    }

    @Test
    void commandsPipelinedBeforeMultiRunBeforeTheTransaction() {
        try (RespConnection client = client()) {
            client.write(RespConnection.pipeline("SET tx:k 1", "MULTI", "INCR tx:k", "EXEC", "GET tx:k"));
            assertThat(readAll(client, 5)).containsExactly("+OK", "+OK", "+QUEUED", List.of(2L), "2");
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "MULTI|PING|ECHO hello|SET tx:local 1|EXEC",
                "MULTI|SELECT 0|INCR tx:local|EXEC",
                "MULTI|SET tx:local 1|WAIT 0 0|EXEC"
            })
    void commandsShardisHandlesItselfAreQueuedInsideMultiAsRedisQueuesThem(String commands) {
        String[] scenario = commands.split("\\|");
        List<Object> fromRedis;
        try (RespConnection direct = new RespConnection(env.redis().socketAddress())) {
            fromRedis = readAll(direct.write(RespConnection.pipeline(scenario)), scenario.length);
        }
        env.redis().flushAll();
        try (RespConnection client = client()) {
            assertThat(readAll(client.write(RespConnection.pipeline(scenario)), scenario.length))
                    .as("through Shardis (left), straight from Redis: %s", fromRedis)
                    .containsExactlyElementsOf(fromRedis);
        }
    }

    @Test
    void quitInAPipelineAnswersWhatCameBeforeAndRunsNothingAfter() {
        try (RespConnection client = client()) {
            client.write(RespConnection.pipeline("SET quit:a 1", "QUIT", "SET quit:a 2", "SET quit:b 1"));
            assertThat(client.read()).isEqualTo("+OK");
            assertThat(client.read()).isEqualTo("+OK");
            assertThat(client.closedByServer()).isTrue();
        }
        try (Jedis direct = env.redis().client()) {
            assertThat(direct.get("quit:a")).isEqualTo("1");
            assertThat(direct.exists("quit:b")).isFalse();
        }
    }

    @Test
    void aBlockingCommandOutlastsThePoolTimeoutAndTheCommandsQueuedBehindItToo() {
        try (RespConnection client = client()) {
            assertThat(client.call("SET", "block:k", "v")).isEqualTo("+OK");
            long started = System.nanoTime();
            client.write(RespConnection.pipeline("BLPOP block:empty 2", "GET block:k", "PING"));
            assertThat(client.read())
                    .as("BLPOP on an empty list after its own 2 s")
                    .isNull();
            assertThat(Elapsed.millisSince(started)).isBetween(1_900L, 5_000L);
            assertThat(client.read()).isEqualTo("v".getBytes(StandardCharsets.US_ASCII));
            assertThat(client.read()).isEqualTo("+PONG");
            // The connection serves plain commands again.
            assertThat(client.call("INCR", "block:after")).isEqualTo(1L);
        }
    }

    @Test
    void aBlockingCommandPushedToAfterThePoolTimeoutReturnsTheValue() throws Exception {
        try (Jedis blocked = env.jedis();
                Jedis pusher = env.jedis()) {
            CompletableFuture<List<String>> popped =
                    CompletableFuture.supplyAsync(() -> blocked.blpop(10, "block:later"), threads);
            // Well past the 300 ms pool timeout, BLPOP is still waiting, not failed.
            await().during(Duration.ofSeconds(1))
                    .atMost(Duration.ofSeconds(3))
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> !popped.isDone());
            assertThat(pusher.rpush("block:later", "job")).isEqualTo(1L);
            assertThat(popped.get(5, TimeUnit.SECONDS)).containsExactly("block:later", "job");
            assertThat(blocked.get("block:later")).isNull();
        }
    }

    private static RespConnection client() {
        return new RespConnection(env.address());
    }

    /** {@code count} replies, bulk strings as text so that lists of replies compare by value. */
    private static List<Object> readAll(RespConnection connection, int count) {
        List<Object> replies = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            replies.add(readable(connection.read()));
        }
        return replies;
    }

    private static Object readable(Object reply) {
        if (reply instanceof byte[] bulk) {
            return new String(bulk, StandardCharsets.UTF_8);
        }
        if (reply instanceof List<?> items) {
            List<Object> converted = new ArrayList<>();
            items.forEach(item -> converted.add(readable(item)));
            return converted;
        }
        return reply;
    }
}
