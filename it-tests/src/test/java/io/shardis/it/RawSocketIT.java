package io.shardis.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.shardis.it.support.RespConnection;
import io.shardis.it.support.SingleBackendShardis;
import io.shardis.it.support.StopChildProcesses;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/** Byte-level clients: huge pipelines in one write, clients that read late or never. */
@ExtendWith(StopChildProcesses.class)
@Timeout(120)
class RawSocketIT {

    @RegisterExtension
    static final SingleBackendShardis env = SingleBackendShardis.withTimeout(10_000);

    @Test
    void tenThousandPipelinedSetsAndGetsInOneWriteAreAnsweredInOrder() {
        int pairs = 5_000;
        ByteArrayOutputStream pipeline = new ByteArrayOutputStream();
        for (int i = 0; i < pairs; i++) {
            RespConnection.appendCommand(pipeline, "SET", "raw:" + i, "value:" + i);
            RespConnection.appendCommand(pipeline, "GET", "raw:" + (i / 2));
        }
        try (RespConnection raw = new RespConnection(env.address())) {
            raw.write(pipeline.toByteArray());
            for (int i = 0; i < pairs; i++) {
                assertThat(raw.read()).as("reply to SET %d", i).isEqualTo("+OK");
                assertThat(new String((byte[]) raw.read(), StandardCharsets.UTF_8))
                        .as("reply to GET after SET %d", i)
                        .isEqualTo("value:" + (i / 2));
            }
            assertThat(raw.call("DBSIZE")).isEqualTo((long) pairs);
        }
    }

    @Test
    void aClientThatReadsLateGetsEveryReplyInOrder() {
        byte[] value = new byte[64 * 1024];
        Arrays.fill(value, (byte) 'v');
        try (Jedis jedis = env.jedis()) {
            jedis.set("big".getBytes(), value);
        }
        int gets = 500;
        ByteArrayOutputStream pipeline = new ByteArrayOutputStream();
        for (int i = 0; i < gets; i++) {
            RespConnection.appendCommand(pipeline, "GET", "big");
            RespConnection.appendCommand(pipeline, "ECHO", Integer.toString(i));
        }
        try (RespConnection raw = new RespConnection(env.address())) {
            // About 32 MiB of replies build up behind a client that has not started reading.
            raw.write(pipeline.toByteArray());
            try (Jedis other = env.jedis()) {
                assertThat(other.ping()).isEqualTo("PONG");
                assertThat(other.strlen("big")).isEqualTo(value.length);
            }
            for (int i = 0; i < gets; i++) {
                assertThat((byte[]) raw.read()).as("GET %d", i).isEqualTo(value);
                assertThat(new String((byte[]) raw.read(), StandardCharsets.US_ASCII))
                        .isEqualTo(Integer.toString(i));
            }
        }
    }

    @Test
    void clientsThatDisconnectMidPipelineLeaveShardisHealthy() {
        byte[] value = new byte[1024];
        Arrays.fill(value, (byte) 'x');
        try (Jedis jedis = env.jedis()) {
            jedis.set("big".getBytes(), value);
        }
        ByteArrayOutputStream pipeline = new ByteArrayOutputStream();
        for (int i = 0; i < 1_000; i++) {
            RespConnection.appendCommand(pipeline, "GET", "big");
            RespConnection.appendCommand(pipeline, "INCR", "counter");
        }
        byte[] bytes = pipeline.toByteArray();
        for (int client = 0; client < 10; client++) {
            try (RespConnection raw = new RespConnection(env.address())) {
                raw.write(bytes);
            }
        }
        // Half a command, then gone.
        try (RespConnection raw = new RespConnection(env.address())) {
            raw.write("*3\r\n$3\r\nSET\r\n$4\r\nhalf");
        }
        try (Jedis next = env.jedis()) {
            assertThat(next.ping()).isEqualTo("PONG");
            assertThat(next.set("after", "fine")).isEqualTo("OK");
            assertThat(next.get("after")).isEqualTo("fine");
            assertThat(next.exists("half")).isFalse();
            // Commands read from those clients before they left may still be on their way to the
            // backend: let them land before the next test empties it.
            String[] last = {"none"};
            await().atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(300))
                    .until(() -> {
                        String now = String.valueOf(next.get("counter"));
                        boolean settled = now.equals(last[0]);
                        last[0] = now;
                        return settled;
                    });
        }
    }

    @Test
    void dedicatedBackendConnectionsAreClosedWhenTheirClientsLeave() {
        try (Jedis warmUp = env.jedis()) {
            warmUp.set("warm", "up");
        }
        long baseline = backendClients();
        for (int client = 0; client < 10; client++) {
            try (RespConnection raw = new RespConnection(env.address())) {
                switch (client % 3) {
                    case 0 -> {
                        assertThat(raw.call("MULTI")).isEqualTo("+OK");
                        assertThat(raw.call("SET", "queued", "1")).isEqualTo("+QUEUED");
                    }
                    case 1 -> assertThat(raw.call("WATCH", "watched")).isEqualTo("+OK");
                    default -> raw.write(RespConnection.command("BLPOP", "never-filled", "0"));
                }
            }
        }
        await().atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> assertThat(backendClients())
                        .as("connections to the backend, besides this check's own")
                        .isLessThanOrEqualTo(baseline));
        try (Jedis jedis = env.redis().client()) {
            assertThat(jedis.exists("queued")).isFalse();
        }
    }

    /** How many connections the backend has, not counting the one asking. */
    private static long backendClients() {
        try (Jedis jedis = env.redis().client()) {
            return jedis.clientList().lines().filter(line -> !line.isBlank()).count() - 1;
        }
    }
}
