package io.shardis.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.shardis.it.support.Elapsed;
import io.shardis.it.support.SingleBackendShardis;
import io.shardis.it.support.StopChildProcesses;
import io.shardis.it.support.TestThreads;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;

/** Blocking commands and pub/sub through Shardis with Jedis. */
@ExtendWith(StopChildProcesses.class)
@Timeout(60)
class BlockingAndPubSubIT {

    @RegisterExtension
    static final SingleBackendShardis env = SingleBackendShardis.withTimeout(2_000);

    @RegisterExtension
    final TestThreads threads = new TestThreads();

    @Test
    void blpopWaitsForAPushAndDoesNotBlockOtherClients() throws Exception {
        try (Jedis blocked = env.jedis();
                Jedis other = env.jedis()) {
            CompletableFuture<List<String>> popped =
                    CompletableFuture.supplyAsync(() -> blocked.blpop(20, "queue"), threads);
            awaitBlockedClients(1);
            // Longer than the pool's 2 s timeout: a blocking command is not cut short by it.
            for (int i = 0; i < 200; i++) {
                assertThat(other.incr("busy")).isEqualTo(i + 1L);
            }
            assertThat(popped).isNotDone();
            assertThat(other.rpush("queue", "job")).isEqualTo(1L);
            assertThat(popped.get(10, TimeUnit.SECONDS)).containsExactly("queue", "job");
            assertThat(blocked.ping()).isEqualTo("PONG");
        }
    }

    @Test
    void blpopOnAnEmptyListTimesOutWithNil() {
        try (Jedis jedis = env.jedis()) {
            long started = System.nanoTime();
            assertThat(jedis.blpop(1, "empty")).isNull();
            assertThat(Elapsed.millisSince(started)).isGreaterThanOrEqualTo(900);
            assertThat(jedis.set("after", "1")).isEqualTo("OK");
        }
    }

    @Test
    void manyBlockedClientsAreServedEachWithItsOwnItem() throws Exception {
        int clients = 20;
        List<Jedis> connections = new ArrayList<>();
        List<CompletableFuture<List<String>>> pops = new ArrayList<>();
        try {
            for (int i = 0; i < clients; i++) {
                Jedis jedis = env.jedis();
                connections.add(jedis);
                pops.add(CompletableFuture.supplyAsync(() -> jedis.brpop(20, "work"), threads));
            }
            awaitBlockedClients(clients);
            try (Jedis producer = env.jedis()) {
                for (int i = 0; i < clients; i++) {
                    producer.lpush("work", "item-" + i);
                }
            }
            List<String> items = new ArrayList<>();
            for (CompletableFuture<List<String>> pop : pops) {
                items.add(pop.get(10, TimeUnit.SECONDS).get(1));
            }
            assertThat(items).hasSize(clients).doesNotHaveDuplicates();
        } finally {
            connections.forEach(Jedis::close);
        }
    }

    @Test
    void subscribersReceiveWhatIsPublished() throws Exception {
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        JedisPubSub listener = new JedisPubSub() {
            @Override
            public void onMessage(String channel, String message) {
                received.add(channel + ":" + message);
            }

            @Override
            public void onPMessage(String pattern, String channel, String message) {
                received.add(pattern + "|" + channel + ":" + message);
            }
        };
        try (Jedis subscriber = env.jedis();
                Jedis publisher = env.jedis()) {
            CompletableFuture<Void> subscription =
                    CompletableFuture.runAsync(() -> subscriber.subscribe(listener, "news", "sport"), threads);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> publisher.pubsubNumSub("news").get("news") == 1L);

            assertThat(publisher.publish("news", "first")).isEqualTo(1L);
            assertThat(publisher.publish("sport", "second")).isEqualTo(1L);
            assertThat(publisher.publish("weather", "nobody")).isZero();
            assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo("news:first");
            assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo("sport:second");

            listener.psubscribe("w*");
            await().atMost(Duration.ofSeconds(10)).until(() -> publisher.pubsubNumPat() == 1L);
            assertThat(publisher.publish("weather", "rain")).isEqualTo(1L);
            assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo("w*|weather:rain");

            listener.unsubscribe();
            listener.punsubscribe();
            subscription.get(10, TimeUnit.SECONDS);
            assertThat(received).isEmpty();
        }
    }

    private static void awaitBlockedClients(int count) {
        await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> env.redis().blockedClients() >= count);
    }
}
