package io.shardis.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.shardis.it.support.Elapsed;
import io.shardis.it.support.RespConnection;
import io.shardis.it.support.SingleBackendShardis;
import io.shardis.it.support.StopChildProcesses;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * A backend that dies or hangs gives prompt {@code -ERR} replies, never a hang; when it comes back
 * on the same address, traffic resumes without restarting Shardis.
 */
@ExtendWith(StopChildProcesses.class)
@Timeout(120)
class BackendFailureIT {

    private static final int TIMEOUT_MILLIS = 1_000;
    /** Time for scheduling on a busy two-core machine, beyond the configured timeout. */
    private static final long MARGIN_MILLIS = 1_500;

    @RegisterExtension
    final SingleBackendShardis env =
            SingleBackendShardis.withTimeout(TIMEOUT_MILLIS).perTest();

    @Test
    void aKilledBackendGivesPromptErrorsAndTheClientConnectionStaysUsable() {
        try (Jedis jedis = env.jedis()) {
            assertThat(jedis.set("k", "v")).isEqualTo("OK");
            env.redis().kill();
            for (int i = 0; i < 5; i++) {
                long started = System.nanoTime();
                assertThatThrownBy(() -> jedis.get("k"))
                        .isInstanceOf(JedisDataException.class)
                        .hasMessageStartingWith("ERR");
                assertThat(Elapsed.millisSince(started))
                        .as("error reply time")
                        .isLessThan(TIMEOUT_MILLIS + MARGIN_MILLIS);
            }
            assertThat(jedis.ping()).isEqualTo("PONG");
        }
    }

    @Test
    void aTransactionStartedWhileTheBackendIsDownFailsAndClosesTheClient() {
        try (RespConnection client = new RespConnection(env.address())) {
            assertThat(client.call("SET", "k", "v")).isEqualTo("+OK");
            env.redis().kill();
            // Shardis answers MULTI and sends it with the first queued command, which is when the
            // transaction's server is known; that server is down, so the transaction never began
            // and the client must not go on believing it is in one.
            assertThat(client.call("MULTI")).isEqualTo("+OK");
            Object reply = client.call("SET", "k", "in-transaction");
            assertThat(reply).asString().startsWith("-ERR Shardis:").contains("unreachable");
            assertThat(client.closedByServer()).isTrue();
        }
        try (Jedis jedis = env.jedis()) {
            assertThat(jedis.ping()).isEqualTo("PONG");
        }
    }

    @Test
    void trafficResumesWhenTheBackendComesBackOnTheSameAddress() {
        try (Jedis jedis = env.jedis()) {
            assertThat(jedis.set("k", "before")).isEqualTo("OK");
            env.redis().kill();
            assertThatThrownBy(() -> jedis.get("k")).isInstanceOf(JedisDataException.class);

            env.redis().restart();
            // The restarted server is empty (no persistence): a successful SET then GET proves the path is back.
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(100))
                    .ignoreException(JedisDataException.class)
                    .until(() -> "OK".equals(jedis.set("k", "after")));
            assertThat(jedis.get("k")).isEqualTo("after");
        }
        try (Jedis fresh = env.jedis()) {
            assertThat(fresh.get("k")).isEqualTo("after");
        }
    }

    @Test
    void aHungBackendTimesOutWithAnErrorAndRecovers() {
        try (Jedis jedis = env.jedis()) {
            assertThat(jedis.set("k", "v")).isEqualTo("OK");
            env.redis().freeze();
            try {
                long started = System.nanoTime();
                assertThatThrownBy(() -> jedis.get("k"))
                        .isInstanceOf(JedisDataException.class)
                        .hasMessageStartingWith("ERR");
                long elapsed = Elapsed.millisSince(started);
                assertThat(elapsed).as("waited for the timeout").isGreaterThanOrEqualTo(TIMEOUT_MILLIS / 2);
                assertThat(elapsed).as("error reply time").isLessThan(TIMEOUT_MILLIS + MARGIN_MILLIS);
                assertThat(jedis.ping()).isEqualTo("PONG");
            } finally {
                env.redis().thaw();
            }
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(100))
                    .ignoreException(JedisDataException.class)
                    .until(() -> "v".equals(jedis.get("k")));
        }
    }

    @Test
    void aBlockedClientGetsAnErrorWhenItsBackendDies() throws Exception {
        try (Jedis blocked = env.jedis()) {
            CompletableFuture<Object> blpop = CompletableFuture.supplyAsync(() -> {
                try {
                    return blocked.blpop(0, "never-filled");
                } catch (RuntimeException e) {
                    return e;
                }
            });
            try (Jedis direct = env.redis().client()) {
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> direct.clientList().contains("cmd=blpop"));
            }
            env.redis().kill();
            Object outcome = blpop.get(TIMEOUT_MILLIS + MARGIN_MILLIS + 5_000, TimeUnit.MILLISECONDS);
            assertThat(outcome).isInstanceOf(JedisDataException.class);
            assertThat(((JedisDataException) outcome).getMessage()).startsWith("ERR");
        }
    }

    @Test
    void otherClientsAreAnsweredWhileOneWaitsOnAHungBackend() throws Exception {
        try (Jedis first = env.jedis();
                Jedis second = env.jedis()) {
            env.redis().freeze();
            try {
                CompletableFuture<String> one = CompletableFuture.supplyAsync(() -> messageOf(first));
                CompletableFuture<String> two = CompletableFuture.supplyAsync(() -> messageOf(second));
                long started = System.nanoTime();
                assertThat(one.get(30, TimeUnit.SECONDS)).startsWith("ERR");
                assertThat(two.get(30, TimeUnit.SECONDS)).startsWith("ERR");
                assertThat(Elapsed.millisSince(started)).isLessThan(TIMEOUT_MILLIS + MARGIN_MILLIS);
            } finally {
                env.redis().thaw();
            }
        }
    }

    private static String messageOf(Jedis jedis) {
        try {
            return "unexpected reply " + jedis.get("k");
        } catch (JedisDataException e) {
            return e.getMessage();
        }
    }
}
