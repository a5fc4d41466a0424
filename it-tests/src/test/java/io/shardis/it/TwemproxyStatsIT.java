package io.shardis.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.shardis.it.support.Closeables;
import io.shardis.it.support.NutcrackerProcess;
import io.shardis.it.support.Prerequisites;
import io.shardis.it.support.RedisProcess;
import io.shardis.it.support.ShardisFixture;
import io.shardis.it.support.StatsDocuments;
import io.shardis.it.support.StopChildProcesses;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Shardis' stats document beside nutcracker's for the same sharded configuration and traffic: the
 * same keys at every level, and server counters that follow the traffic, failures and ejections.
 */
@ExtendWith(StopChildProcesses.class)
class TwemproxyStatsIT {

    private static final String CONFIG = """
            alpha:
              listen: 127.0.0.1:${port.alpha}
              redis: true
              hash: md5
              distribution: ketama
              auto_eject_hosts: true
              server_failure_limit: 1
              server_retry_timeout: 60000
              timeout: 2000
              servers:
                - ${one}:1 shard-a
                - ${two}:1
                - ${three}:1 shard-c
            """;

    @Test
    void theDocumentHasNutcrackersKeysAndItsServerCountersFollowTheTraffic() throws Exception {
        Prerequisites.need(NutcrackerProcess.installed(), "nutcracker (Twemproxy) is not installed on this machine");
        RedisProcess one = RedisProcess.start();
        RedisProcess two = RedisProcess.start();
        RedisProcess three = RedisProcess.start();
        Map<String, Object> servers = Map.of("one", one.address(), "two", two.address(), "three", three.address());
        NutcrackerProcess nutcracker = NutcrackerProcess.start(CONFIG, servers);
        ShardisFixture shardis = ShardisFixture.startWithStats(CONFIG.replace("${port.alpha}", "0"), servers);
        try {
            try (Jedis viaNutcracker = nutcracker.jedis("alpha");
                    Jedis viaShardis = shardis.jedis("alpha")) {
                for (int i = 0; i < 300; i++) {
                    viaNutcracker.set("stat:" + i, "v");
                    viaShardis.set("stat:" + i, "v");
                    viaShardis.get("stat:" + i);
                }
            }
            JsonObject theirs = StatsDocuments.parseStrict(nutcracker.stats());
            JsonObject ours = StatsDocuments.parseStrict(StatsDocuments.fetch(shardis.statsAddress()));
            assertThat(keyPaths(ours, "")).isEqualTo(keyPaths(theirs, ""));

            JsonObject pool = ours.getAsJsonObject("alpha");
            long requests = 0;
            long responses = 0;
            long responseBytes = 0;
            for (String server : Set.of("shard-a", two.address(), "shard-c")) {
                JsonObject stats = pool.getAsJsonObject(server);
                assertThat(stats).as("server %s in %s", server, pool.keySet()).isNotNull();
                requests += stats.get("requests").getAsLong();
                responses += stats.get("responses").getAsLong();
                responseBytes += stats.get("response_bytes").getAsLong();
                assertThat(stats.get("out_queue").getAsLong())
                        .as("nothing waits for a reply")
                        .isZero();
            }
            assertThat(requests).isEqualTo(600);
            assertThat(responses).isEqualTo(600);
            assertThat(responseBytes).as("+OK and bulk replies").isGreaterThanOrEqualTo(600 * 5);
            assertThat(pool.getAsJsonObject("shard-c").get("requests").getAsLong())
                    .as("md5 gives the server whose death is tested below some of the 300 keys")
                    .isPositive();

            // A dead server is ejected after one failure, and the document says so.
            three.kill();
            try (Jedis viaShardis = shardis.jedis("alpha")) {
                for (int i = 0; i < 300; i++) {
                    try {
                        viaShardis.get("stat:" + i);
                    } catch (JedisException expectedWhileEjecting) {
                        // the dead server's keys fail until it is out
                    }
                }
            }
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                JsonObject now = StatsDocuments.parseStrict(StatsDocuments.fetch(shardis.statsAddress()))
                        .getAsJsonObject("alpha");
                assertThat(now.get("server_ejects").getAsLong()).isEqualTo(1);
                assertThat(now.getAsJsonObject("shard-c")
                                .get("server_ejected_at")
                                .getAsLong())
                        .isPositive();
                assertThat(now.getAsJsonObject("shard-c").get("server_err").getAsLong()
                                + now.getAsJsonObject("shard-c")
                                        .get("server_eof")
                                        .getAsLong())
                        .isPositive();
            });
        } finally {
            Closeables.closeAll(shardis, nutcracker, one, two, three);
        }
    }

    /** Every key path of a document ("alpha/shard-a/requests"), values ignored. */
    private static Set<String> keyPaths(JsonObject object, String prefix) {
        Set<String> paths = new TreeSet<>();
        for (Map.Entry<String, JsonElement> entry : object.entrySet()) {
            String path = prefix + entry.getKey();
            paths.add(path);
            if (entry.getValue().isJsonObject()) {
                paths.addAll(keyPaths(entry.getValue().getAsJsonObject(), path + "/"));
            }
        }
        return paths;
    }
}
