package io.shardis.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardis.it.support.Http;
import io.shardis.it.support.Poll;
import io.shardis.it.support.RedisProcess;
import io.shardis.it.support.ShardisProcess;
import io.shardis.it.support.StopChildProcesses;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.Transaction;

/**
 * A changed pool reloaded while clients hold a backend connection of their own: a transaction
 * open across the reload commits whole, a subscriber keeps receiving, and a server an operator
 * took out for maintenance stays out; the clients' connections are never closed.
 */
@ExtendWith(StopChildProcesses.class)
@Timeout(120)
class ReloadPinnedClientsIT {

    private static final String CONFIG = """
            shardis:
              admin: true
            alpha:
              listen: 127.0.0.1:%s
              hash: fnv1a_64
              distribution: ketama
              timeout: %d
              servers:
                - %s:1 one
                - %s:1 two
            """;

    @Test
    void aTransactionAndASubscriptionLiveThroughAReloadAndMaintenanceStays() throws Exception {
        try (RedisProcess one = RedisProcess.start();
                RedisProcess two = RedisProcess.start();
                ShardisProcess shardis = ShardisProcess.start(
                        CONFIG.formatted("${port.alpha}", 4000, one.address(), two.address()),
                        Map.of(),
                        "--http",
                        "127.0.0.1:${port.http}")) {
            int port = shardis.port("alpha");
            int http = shardis.port("http");
            assertThat(Http.post(http, "/pools/alpha/servers/two/eject").status())
                    .isEqualTo(200);

            List<String> received = new CopyOnWriteArrayList<>();
            JedisPubSub listener = new JedisPubSub() {
                @Override
                public void onMessage(String channel, String message) {
                    received.add(message);
                    if (message.equals("last")) {
                        unsubscribe();
                    }
                }
            };
            Jedis subscriber = new Jedis("127.0.0.1", port, 10_000);
            CompletableFuture<Void> subscribed =
                    CompletableFuture.runAsync(() -> subscriber.subscribe(listener, "news"));
            try (Jedis publisher = new Jedis("127.0.0.1", port, 10_000);
                    Jedis transacting = new Jedis("127.0.0.1", port, 10_000)) {
                assertThat(Poll.until(
                                Duration.ofSeconds(10), () -> publisher.publish("news", "before") == 1, () -> false))
                        .isTrue();
                Transaction multi = transacting.multi();
                multi.set("{t}a", "1");

                Files.writeString(shardis.configFile(), CONFIG.formatted(port, 2500, one.address(), two.address()));
                Http.Response reloaded = Http.post(http, "/reload");
                assertThat(reloaded.status()).as(reloaded.body()).isEqualTo(200);
                assertThat(reloaded.body()).contains("pool 'alpha' changed");

                multi.set("{t}b", "2");
                assertThat(multi.exec()).containsExactly("OK", "OK");
                assertThat(transacting.mget("{t}a", "{t}b")).containsExactly("1", "2");
                assertThat(publisher.publish("news", "after")).isEqualTo(1);
                assertThat(publisher.publish("news", "last")).isEqualTo(1);
                subscribed.get(10, TimeUnit.SECONDS);
                assertThat(received).containsExactly("before", "after", "last");
                // The subscriber, out of push mode, moves to the new settings and goes on.
                assertThat(subscriber.ping()).isEqualTo("PONG");
                assertThat(subscriber.get("{t}a")).isEqualTo("1");
            } finally {
                subscriber.close();
            }
            // Server two stays in maintenance: every key goes to one.
            assertThat(Http.get(http, "/pools/alpha").body()).contains("\"state\": \"maintenance\"");
            try (Jedis jedis = new Jedis("127.0.0.1", port, 10_000);
                    Jedis direct = two.client()) {
                for (int i = 0; i < 50; i++) {
                    jedis.set("m:" + i, "v");
                }
                assertThat(direct.keys("m:*")).isEmpty();
            }
            assertThat(shardis.log()).contains("pool 'alpha' changed: ", "4000 -> 2500");
        }
    }
}
