package io.shardis.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.shardis.it.support.RedisProcess;
import io.shardis.it.support.ShardisFixture;
import io.shardis.it.support.StopChildProcesses;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;

/** Blocking commands and pub/sub through Shardis with Jedis. */
@ExtendWith(StopChildProcesses.class)
@Timeout(60)
class BlockingAndPubSubIT {

    private static RedisProcess redis;
    private static ShardisFixture shardis;
    private final ExecutorService threads = Executors.newCachedThreadPool();

    @BeforeAll
    static void start() {
        redis = RedisProcess.start();
        shardis = ShardisFixture.singlePool(redis, 2_000, "");
    }

    @AfterAll
    static void stop() {
        if (shardis != null) {
            shardis.close();
        }
        if (redis != null) {
            redis.stop();
        }
    }

    @BeforeEach
    void flush() {
        try (Jedis jedis = redis.client()) {
            jedis.flushAll();
        }
    }

    @AfterEach
    void stopThreads() throws InterruptedException {
        threads.shutdownNow();
        assertThat(threads.awaitTermination(20, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void blpopWaitsForAPushAndDoesNotBlockOtherClients() throws Exception {
        try (Jedis blocked = shardis.jedis("alpha"); Jedis other = shardis.jedis("alpha")) {
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
        try (Jedis jedis = shardis.jedis("alpha")) {
            long started = System.nanoTime();
            assertThat(jedis.blpop(1, "empty")).isNull();
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isGreaterThanOrEqualTo(900);
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
                Jedis jedis = shardis.jedis("alpha");
                connections.add(jedis);
                pops.add(CompletableFuture.supplyAsync(() -> jedis.brpop(20, "work"), threads));
            }
            awaitBlockedClients(clients);
            try (Jedis producer = shardis.jedis("alpha")) {
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
        try (Jedis subscriber = shardis.jedis("alpha"); Jedis publisher = shardis.jedis("alpha")) {
            CompletableFuture<Void> subscription = CompletableFuture.runAsync(
                    () -> subscriber.subscribe(listener, "news", "sport"), threads);
            await().atMost(Duration.ofSeconds(10)).until(() -> publisher.pubsubNumSub("news").get("news") == 1L);

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
        try (Jedis direct = redis.client()) {
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                    .until(() -> blockedClients(direct) >= count);
        }
    }

    private static long blockedClients(Jedis direct) {
        return direct.info("clients").lines()
                .filter(line -> line.startsWith("blocked_clients:"))
                .mapToLong(line -> Long.parseLong(line.substring("blocked_clients:".length()).trim()))
                .findFirst()
                .orElse(0);
    }
}
