package io.shardis.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardis.it.support.Closeables;
import io.shardis.it.support.Poll;
import io.shardis.it.support.Resp3Socket;
import io.shardis.it.support.SentinelFixture;
import io.shardis.it.support.ShardisFixture;
import io.shardis.it.support.StopChildProcesses;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Client-side caching across a Sentinel failover: the tracking client hears the null invalidation
 * when the master dies, and tracking works against the promoted master afterwards.
 */
@ExtendWith(StopChildProcesses.class)
class ClientTrackingSentinelIT {

    private static SentinelFixture sentinel;
    private static ShardisFixture shardis;

    @BeforeAll
    static void start() {
        sentinel = SentinelFixture.builder().masters(1).start();
        List<String> sentinels = new ArrayList<>();
        for (InetSocketAddress address : sentinel.sentinelAddresses()) {
            sentinels.add(address.getHostString() + ":" + address.getPort());
        }
        shardis = ShardisFixture.start(
                """
                ha:
                  listen: 127.0.0.1:0
                  redis: true
                  timeout: 1000
                  sentinels: [${sentinels}]
                  servers:
                    - ${shard1}:1 shard1
                """,
                Map.of(
                        "sentinels",
                        String.join(", ", sentinels),
                        "shard1",
                        sentinel.master("shard1").address()));
    }

    @AfterAll
    static void stop() throws Exception {
        Closeables.closeAll(shardis, sentinel);
    }

    private static InetSocketAddress address() {
        return shardis.address("ha");
    }

    @Test
    void aFailoverFlushesTheTrackingClientAndTrackingGoesOnWithTheNewMaster() {
        try (Resp3Socket writer = new Resp3Socket(address())) {
            assertThat(writer.call("SET k v1")).isEqualTo("+OK\r\n");
            try (Resp3Socket tracker = new Resp3Socket(address())) {
                tracker.call("HELLO 3");
                assertThat(tracker.call("CLIENT TRACKING ON")).isEqualTo("+OK\r\n");
                assertThat(tracker.call("GET k")).isEqualTo("$2\r\nv1\r\n");
                sentinel.killMaster("shard1");
                assertThat(tracker.read())
                        .as("the master is gone: everything read may be stale")
                        .isEqualTo(">2\r\n$10\r\ninvalidate\r\n_\r\n");
            }
            sentinel.awaitFailover("shard1");
            assertThat(Poll.until(
                            Duration.ofSeconds(20),
                            () -> writer.call("SET k v2").equals("+OK\r\n"),
                            () -> false))
                    .as("writes reach the promoted master")
                    .isTrue();
            try (Resp3Socket tracker = new Resp3Socket(address())) {
                tracker.call("HELLO 3");
                assertThat(tracker.call("CLIENT TRACKING ON")).isEqualTo("+OK\r\n");
                assertThat(tracker.call("GET k")).isEqualTo("$2\r\nv2\r\n");
                assertThat(writer.call("SET k v3")).isEqualTo("+OK\r\n");
                assertThat(tracker.read()).isEqualTo(">2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\nk\r\n");
            }
        }
    }
}
