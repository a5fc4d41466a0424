package io.shardis.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardis.it.support.Poll;
import io.shardis.it.support.RedisProcess;
import io.shardis.it.support.SentinelFixture;
import io.shardis.it.support.ShardisFixture;
import io.shardis.it.support.TestCertificates;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * A Sentinel-managed pool where everything speaks TLS only: the master, its replica and the three
 * Sentinels ({@code --port 0 --tls-port}, {@code tls-replication yes}). Shardis asks the Sentinels
 * over TLS ({@code sentinel_tls}), writes to the master over TLS ({@code backend_tls}), and follows
 * a failover.
 */
class TlsSentinelIT {

    @Test
    void aSentinelPoolOverTlsFollowsAFailover() throws Exception {
        TestCertificates certs = TestCertificates.create("sentinel");
        try (SentinelFixture sentinel = SentinelFixture.builder().tls(certs).start()) {
            List<String> sentinels = new ArrayList<>();
            for (InetSocketAddress address : sentinel.sentinelAddresses()) {
                sentinels.add(address.getHostString() + ":" + address.getPort());
            }
            RedisProcess first = sentinel.master("shard1");
            try (ShardisFixture shardis = ShardisFixture.start(
                            """
                    ha:
                      listen: 127.0.0.1:0
                      timeout: 2000
                      failover_timeout: 20000
                      sentinels: [${sentinels}]
                      sentinel_tls:
                        ca_file: ${ca}
                      backend_tls:
                        ca_file: ${ca}
                      servers:
                        - ${shard1}:1 shard1
                    """,
                            Map.of(
                                    "sentinels",
                                    String.join(", ", sentinels),
                                    "ca",
                                    certs.caFile(),
                                    "shard1",
                                    first.address()));
                    Jedis client = shardis.jedis("ha")) {
                assertThat(client.set("before", "failover")).isEqualTo("OK");
                try (Jedis direct = first.client()) {
                    assertThat(direct.get("before")).isEqualTo("failover");
                }
                sentinel.killMaster("shard1");
                RedisProcess promoted = sentinel.awaitFailover("shard1");
                // Held while the master is gone, then sent to the one Sentinel names.
                assertThat(client.set("after", "failover")).isEqualTo("OK");
                assertThat(Poll.until(
                                Duration.ofSeconds(20),
                                () -> {
                                    try (Jedis direct = promoted.client()) {
                                        return "failover".equals(direct.get("after"));
                                    } catch (JedisException e) {
                                        return false;
                                    }
                                },
                                () -> false))
                        .as("the write reached the promoted master over TLS")
                        .isTrue();
                assertThat(client.get("before")).isEqualTo("failover");
            }
        }
    }
}
