package io.shardis.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardis.it.support.Http;
import io.shardis.it.support.Poll;
import io.shardis.it.support.RedisProcess;
import io.shardis.it.support.SentinelFixture;
import io.shardis.it.support.ShardisProcess;
import io.shardis.it.support.StopChildProcesses;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * A Sentinel pool changed by a reload (same listen address) keeps its clients' connections, and
 * the pool as reloaded follows the next failover: the Sentinel watcher of the new settings is the
 * one that moves traffic, the old one is closed.
 */
@ExtendWith(StopChildProcesses.class)
@Timeout(180)
class ReloadSentinelPoolIT {

    private static final String CONFIG = """
            shardis:
              admin: true
            ha:
              listen: 127.0.0.1:%s
              timeout: %d
              connect_timeout: 10000
              failover_timeout: 15000
              sentinels: [%s]
              servers:
                - %s:1 shard1
            """;

    @Test
    void aChangedSentinelPoolKeepsItsClientsAndFollowsTheNextFailover() throws Exception {
        try (SentinelFixture sentinel = SentinelFixture.builder().masters(1).start()) {
            List<String> sentinels = new ArrayList<>();
            for (InetSocketAddress address : sentinel.sentinelAddresses()) {
                sentinels.add(address.getHostString() + ":" + address.getPort());
            }
            String list = String.join(", ", sentinels);
            String master = sentinel.master("shard1").address();
            try (ShardisProcess shardis = ShardisProcess.start(
                            CONFIG.formatted("${port.ha}", 2000, list, master),
                            Map.of(),
                            "--http",
                            "127.0.0.1:${port.http}");
                    Jedis client = new Jedis("127.0.0.1", shardis.port("ha"), 10_000)) {
                int http = shardis.port("http");
                assertThat(client.set("before", "1")).isEqualTo("OK");

                Files.writeString(shardis.configFile(), CONFIG.formatted(shardis.port("ha"), 3000, list, master));
                Http.Response reloaded = Http.post(http, "/reload");
                assertThat(reloaded.status()).as(reloaded.body()).isEqualTo(200);
                assertThat(reloaded.body()).contains("pool 'ha' changed", "2000 -> 3000");
                assertThat(client.get("before"))
                        .as("the same client connection, after the reload")
                        .isEqualTo("1");

                // The next failover is followed by the pool as reloaded.
                RedisProcess old = sentinel.master("shard1");
                try (Jedis direct = old.client()) {
                    assertThat(direct.waitReplicas(1, 10_000)).isGreaterThanOrEqualTo(1);
                }
                sentinel.killMaster("shard1");
                RedisProcess promoted = sentinel.awaitFailover("shard1");
                boolean written = Poll.until(
                        Duration.ofSeconds(30),
                        () -> {
                            try (Jedis fresh = new Jedis("127.0.0.1", shardis.port("ha"), 5_000)) {
                                return "OK".equals(fresh.set("after", "2"));
                            } catch (JedisException e) {
                                return false;
                            }
                        },
                        () -> !shardis.isAlive());
                assertThat(written)
                        .as("a write through the reloaded pool after the failover\n%s", shardis.log())
                        .isTrue();
                try (Jedis direct = promoted.client()) {
                    assertThat(direct.get("after"))
                            .as("on the promoted replica")
                            .isEqualTo("2");
                    assertThat(direct.get("before")).isEqualTo("1");
                }
                assertThat(shardis.log()).doesNotContain("Exception in");
            }
        }
    }
}
