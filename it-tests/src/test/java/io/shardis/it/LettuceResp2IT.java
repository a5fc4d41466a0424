package io.shardis.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.KeyValue;
import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.TransactionResult;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.shardis.it.support.LettuceClients;
import io.shardis.it.support.SingleBackendShardis;
import io.shardis.it.support.StopChildProcesses;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/**
 * Lettuce in RESP2 from the start: asynchronous pipelines with auto-flush off, many connections at
 * once, transactions, pub/sub and blocking commands.
 */
@ExtendWith(StopChildProcesses.class)
@Timeout(120)
class LettuceResp2IT {

    @RegisterExtension
    static final SingleBackendShardis env = SingleBackendShardis.withTimeout(5_000);

    @RegisterExtension
    static final LettuceClients lettuce = LettuceClients.withResp2();

    @Test
    void tenThousandAsyncCommandsFlushedAtOnceComeBackInOrder() {
        int commands = 10_000;
        try (StatefulRedisConnection<String, String> connection = lettuce.connect(env.address())) {
            connection.setAutoFlushCommands(false);
            RedisAsyncCommands<String, String> async = connection.async();
            List<RedisFuture<?>> futures = new ArrayList<>(commands);
            List<Object> expected = new ArrayList<>(commands);
            for (int i = 0; i < commands; i++) {
                switch (i % 4) {
                    case 0 -> {
                        futures.add(async.set("k" + (i % 50), "v" + i));
                        expected.add("OK");
                    }
                    case 1 -> {
                        futures.add(async.get("k" + ((i - 1) % 50)));
                        expected.add("v" + (i - 1));
                    }
                    case 2 -> {
                        futures.add(async.incr("counter"));
                        expected.add((long) (i / 4 + 1));
                    }
                    default -> {
                        futures.add(async.hset("hash", "f" + i, "x"));
                        expected.add(true);
                    }
                }
            }
            connection.flushCommands();
            assertThat(LettuceFutures.awaitAll(Duration.ofSeconds(60), futures.toArray(new Future<?>[0])))
                    .isTrue();
            List<Object> actual = futures.stream()
                    .map(f -> (Object) f.toCompletableFuture().join())
                    .toList();
            assertThat(actual).containsExactlyElementsOf(expected);
            connection.setAutoFlushCommands(true);
            assertThat(connection.sync().hlen("hash")).isEqualTo(commands / 4);
        }
    }

    @Test
    void manyAsyncConnectionsEachGetTheirOwnReplies() {
        int connections = 20;
        int perConnection = 1_000;
        List<StatefulRedisConnection<String, String>> open = new ArrayList<>();
        try {
            List<List<RedisFuture<String>>> all = new ArrayList<>();
            for (int c = 0; c < connections; c++) {
                StatefulRedisConnection<String, String> connection = lettuce.connect(env.address());
                open.add(connection);
                connection.sync().set("conn:" + c, "value-of-" + c);
            }
            for (int c = 0; c < connections; c++) {
                RedisAsyncCommands<String, String> async = open.get(c).async();
                List<RedisFuture<String>> gets = new ArrayList<>();
                for (int i = 0; i < perConnection; i++) {
                    gets.add(i % 2 == 0 ? async.get("conn:" + c) : async.echo(c + ":" + i));
                }
                all.add(gets);
            }
            for (int c = 0; c < connections; c++) {
                List<RedisFuture<String>> gets = all.get(c);
                assertThat(LettuceFutures.awaitAll(Duration.ofSeconds(60), gets.toArray(new Future<?>[0])))
                        .isTrue();
                for (int i = 0; i < perConnection; i++) {
                    String expected = i % 2 == 0 ? "value-of-" + c : c + ":" + i;
                    assertThat(gets.get(i).toCompletableFuture().join()).isEqualTo(expected);
                }
            }
        } finally {
            open.forEach(StatefulRedisConnection::close);
        }
    }

    @Test
    void binaryValuesRoundTrip() {
        byte[] value = new byte[256 * 1024];
        new Random(3).nextBytes(value);
        try (StatefulRedisConnection<byte[], byte[]> connection = lettuce.connectBinary(env.address())) {
            assertThat(connection.sync().set("bin".getBytes(), value)).isEqualTo("OK");
            assertThat(connection.sync().get("bin".getBytes())).isEqualTo(value);
            assertThat(connection.sync().set("empty".getBytes(), new byte[0])).isEqualTo("OK");
            assertThat(connection.sync().get("empty".getBytes())).isEmpty();
        }
    }

    @Test
    void transactionsAndWatch() {
        try (StatefulRedisConnection<String, String> first = lettuce.connect(env.address());
                StatefulRedisConnection<String, String> second = lettuce.connect(env.address())) {
            RedisCommands<String, String> tx = first.sync();
            assertThat(tx.multi()).isEqualTo("OK");
            tx.set("a", "1");
            tx.incr("a");
            TransactionResult result = tx.exec();
            assertThat(result.wasDiscarded()).isFalse();
            assertThat(result.<Object>get(0)).isEqualTo("OK");
            assertThat(result.<Object>get(1)).isEqualTo(2L);

            assertThat(tx.multi()).isEqualTo("OK");
            tx.set("b", "1");
            assertThat(tx.discard()).isEqualTo("OK");
            assertThat(second.sync().exists("b")).isZero();

            assertThat(tx.watch("a")).isEqualTo("OK");
            second.sync().set("a", "changed");
            tx.multi();
            tx.set("a", "mine");
            assertThat(tx.exec().wasDiscarded()).isTrue();
            assertThat(second.sync().get("a")).isEqualTo("changed");
        }
    }

    @Test
    void pubSub() throws Exception {
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        try (StatefulRedisPubSubConnection<String, String> subscriber = lettuce.connectPubSub(env.address());
                StatefulRedisConnection<String, String> publisher = lettuce.connect(env.address())) {
            subscriber.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String channel, String message) {
                    received.add(channel + ":" + message);
                }
            });
            subscriber.sync().subscribe("events");
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> publisher.sync().pubsubNumsub("events").get("events") == 1L);
            for (int i = 0; i < 100; i++) {
                assertThat(publisher.sync().publish("events", "m" + i)).isEqualTo(1L);
            }
            for (int i = 0; i < 100; i++) {
                assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo("events:m" + i);
            }
            subscriber.sync().unsubscribe("events");
            assertThat(subscriber.sync().ping()).isEqualTo("PONG");
        }
    }

    @Test
    void blockingPopIsServedWhileOtherConnectionsWork() throws Exception {
        try (StatefulRedisConnection<String, String> blocked = lettuce.connect(env.address());
                StatefulRedisConnection<String, String> other = lettuce.connect(env.address())) {
            RedisFuture<KeyValue<String, String>> pop = blocked.async().blpop(20, "jobs");
            try (Jedis direct = env.redis().client()) {
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> direct.info("clients").contains("blocked_clients:1"));
            }
            for (int i = 0; i < 100; i++) {
                assertThat(other.sync().incr("busy")).isEqualTo(i + 1L);
            }
            assertThat(pop.isDone()).isFalse();
            other.sync().rpush("jobs", "j1");
            KeyValue<String, String> popped = pop.get(10, TimeUnit.SECONDS);
            assertThat(popped.getKey()).isEqualTo("jobs");
            assertThat(popped.getValue()).isEqualTo("j1");
        }
    }
}
