package io.shardis.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.shardis.it.support.Closeables;
import io.shardis.it.support.Elapsed;
import io.shardis.it.support.Margins;
import io.shardis.it.support.RedisProcess;
import io.shardis.it.support.RespConnection;
import io.shardis.it.support.ShardisFixture;
import io.shardis.it.support.StopChildProcesses;
import io.shardis.it.support.TestThreads;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/**
 * WAIT through Shardis, against a backend with one real replica: it counts the replicas that have
 * the client's own writes, and it blocks no one but that client.
 */
@ExtendWith(StopChildProcesses.class)
@Timeout(60)
class ReplicationWaitIT {

    private static RedisProcess master;
    private static RedisProcess replica;
    private static ShardisFixture shardis;

    @RegisterExtension
    final TestThreads threads = new TestThreads();

    @BeforeAll
    static void start() {
        master = RedisProcess.start();
        replica = RedisProcess.builder()
                .args("--replicaof", master.host(), Integer.toString(master.port()))
                .start();
        // One event loop: every client shares one backend connection, which WAIT must not hold up.
        // The pool timeout is shorter than the WAITs: they are not cut short by it.
        shardis = ShardisFixture.start("""
                alpha:
                  listen: 127.0.0.1:0
                  timeout: 200
                  servers:
                    - ${master}:1
                """, Map.of("master", master.address()), 1);
        try (Jedis direct = master.client();
                Jedis fromReplica = replica.client()) {
            await().atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(20))
                    .until(() -> fromReplica.info("replication").contains("master_link_status:up")
                            && direct.info("replication").contains("connected_slaves:1"));
        }
    }

    @AfterAll
    static void stop() throws Exception {
        Closeables.closeAll(shardis, replica, master);
    }

    /** A test that fails while the replica is frozen must not leave it frozen for the next one. */
    @AfterEach
    void thawReplica() {
        replica.thaw();
    }

    @Test
    void waitCountsTheReplicaThatHasTheClientsWrites() {
        try (Jedis jedis = shardis.jedis("alpha");
                Jedis fromReplica = replica.client()) {
            for (int i = 0; i < 3; i++) {
                String key = "wait:" + i;
                assertThat(jedis.set(key, "v" + i)).isEqualTo("OK");
                assertThat(jedis.waitReplicas(1, 2_000))
                        .as("WAIT after write %d", i)
                        .isEqualTo(1L);
                assertThat(fromReplica.get(key))
                        .as("%s on the replica once WAIT said so", key)
                        .isEqualTo("v" + i);
            }
            // SET and WAIT in one write: WAIT runs only once the SET is done, and counts it.
            try (RespConnection raw = new RespConnection(shardis.address("alpha"))) {
                raw.write(RespConnection.pipeline("SET wait:pipelined yes", "WAIT 1 2000"));
                assertThat(raw.read()).isEqualTo("+OK");
                assertThat(raw.read()).isEqualTo(1L);
            }
            assertThat(fromReplica.get("wait:pipelined")).isEqualTo("yes");
            // The client is served as before after its WAITs.
            assertThat(jedis.incr("wait:after")).isEqualTo(1L);
        }
    }

    @Test
    void waitForAStalledReplicaTimesOutWithZeroWithoutBlockingOtherClients() throws Exception {
        try (Jedis waiting = shardis.jedis("alpha");
                Jedis other = shardis.jedis("alpha");
                Jedis direct = master.client()) {
            replica.freeze();
            assertThat(waiting.set("stalled", "1")).isEqualTo("OK");
            long started = System.nanoTime();
            // WAIT's timeout is long enough for the other client's reply to come first on a loaded machine.
            CompletableFuture<Long> acknowledged =
                    CompletableFuture.supplyAsync(() -> waiting.waitReplicas(1, 3_000), threads);
            await().atMost(Duration.ofSeconds(5))
                    .pollInterval(Duration.ofMillis(2))
                    .until(() -> acknowledged.isDone() || direct.info("clients").contains("blocked_clients:1"));

            assertThat(acknowledged).as("WAIT is blocked on the master").isNotDone();
            // Answered before WAIT's 3 s are up: it did not wait behind WAIT on the shared connection.
            assertThat(other.incr("other:counter")).isEqualTo(1L);
            assertThat(acknowledged)
                    .as("WAIT still blocked after the other client's reply")
                    .isNotDone();

            assertThat(acknowledged.get(10, TimeUnit.SECONDS)).isZero();
            assertThat(Elapsed.millisSince(started)).isBetween(2_980L, 3_000L + Margins.millis(3_000));
            assertThat(waiting.get("stalled")).isEqualTo("1");
        }
    }
}
