package io.shardis.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.shardis.it.support.RedisProcess;
import io.shardis.it.support.RespConnection;
import io.shardis.it.support.ShardisFixture;
import io.shardis.it.support.StopChildProcesses;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Stopping Shardis: clients get the replies to what they had already sent, then are closed. */
@ExtendWith(StopChildProcesses.class)
class ShutdownIT {

    @Test
    @Timeout(30)
    void aStoppingShardisAnswersWhatItAcceptedBeforeClosing() throws Exception {
        try (RedisProcess redis = RedisProcess.start()) {
            ShardisFixture shardis = ShardisFixture.singlePool(redis, 5_000, "");
            try (RespConnection client = new RespConnection(shardis.address("alpha"))) {
                // A blocking call that ends by itself after 500 ms, then a write behind it.
                ByteArrayOutputStream pipeline = new ByteArrayOutputStream();
                RespConnection.appendCommand(pipeline, "BLPOP", "shutdown:nothing", "0.5");
                RespConnection.appendCommand(pipeline, "SET", "shutdown:after", "1");
                client.write(pipeline.toByteArray());
                // Shardis has read both once the BLPOP blocks on the backend (they came in one write).
                await().atMost(Duration.ofSeconds(10))
                        .pollInterval(Duration.ofMillis(10))
                        .until(() -> redis.blockedClients() == 1);

                CompletableFuture<Void> stopping = CompletableFuture.runAsync(shardis::close);

                assertThat(client.read()).isNull(); // BLPOP timed out: null array
                assertThat(client.read()).isEqualTo("+OK");
                assertThat(client.closedByServer()).isTrue();
                stopping.get(10, TimeUnit.SECONDS);
            }
            try (var jedis = redis.client()) {
                assertThat(jedis.get("shutdown:after")).isEqualTo("1");
            }
        }
    }
}
