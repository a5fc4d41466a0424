package io.shardis.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.shardis.it.support.FreePorts;
import io.shardis.it.support.NutcrackerProcess;
import io.shardis.it.support.RedisProcess;
import io.shardis.it.support.StopChildProcesses;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.Jedis;

/** The Twemproxy fixture that compatibility suites compare Shardis with. */
@ExtendWith(StopChildProcesses.class)
class NutcrackerProcessIT {

    private static final String TWO_POOLS = """
            alpha:
              listen: 127.0.0.1:${port.alpha}
              redis: true
              hash: fnv1a_64
              distribution: ketama
              servers:
                - ${first}:1 one
                - ${second}:1 two
            beta:
              listen: "127.0.0.1:${port.beta}"
              redis: true
              servers:
                - ${first}:1
            """;

    private static RedisProcess first;
    private static RedisProcess second;

    @BeforeAll
    static void startRedis() {
        first = RedisProcess.start();
        second = RedisProcess.start();
    }

    @AfterAll
    static void stopRedis() {
        first.stop();
        second.stop();
    }

    @Test
    void proxiesCommandsToTheRealServers() {
        try (NutcrackerProcess nutcracker = start();
                Jedis proxy = nutcracker.jedis("alpha");
                Jedis a = first.client();
                Jedis b = second.client()) {
            for (int i = 0; i < 50; i++) {
                assertThat(proxy.set("key:" + i, "value " + i)).isEqualTo("OK");
            }
            for (int i = 0; i < 50; i++) {
                assertThat(proxy.get("key:" + i)).isEqualTo("value " + i);
            }
            // Sharded over both servers, each key on exactly one of them.
            assertThat(a.dbSize() + b.dbSize()).isEqualTo(50);
            assertThat(a.dbSize()).isPositive();
            assertThat(b.dbSize()).isPositive();
        } finally {
            first.flushAll();
            second.flushAll();
        }
    }

    @Test
    void givesEveryPoolItsOwnListenPort() {
        try (NutcrackerProcess nutcracker = start();
                Jedis beta = nutcracker.jedis("beta");
                Jedis direct = first.client()) {
            assertThat(nutcracker.listenPorts()).containsOnlyKeys("alpha", "beta");
            assertThat(nutcracker.listenPort("alpha"))
                    .isEqualTo(nutcracker.port("alpha"))
                    .isNotEqualTo(nutcracker.listenPort("beta"));
            beta.set("through-beta", "1");
            assertThat(direct.get("through-beta")).isEqualTo("1");
        } finally {
            first.flushAll();
        }
    }

    @Test
    void servesItsStatsJsonOnTheStatsPort() {
        // -i 100: aggregate stats every 100 ms rather than every 30 s.
        try (NutcrackerProcess nutcracker = start("-i", "100");
                Jedis proxy = nutcracker.jedis("beta")) {
            for (int i = 0; i < 5; i++) {
                proxy.set("k" + i, "v");
            }
            String initial = nutcracker.stats();
            assertThat(initial)
                    .startsWith("{")
                    .contains("\"service\":\"nutcracker\"")
                    .contains("\"version\":\"0.5.0\"")
                    .contains("\"alpha\": {")
                    .contains("\"beta\": {")
                    .contains("\"one\": {")
                    .contains("\"two\": {");
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(requestsOfFirstServer(nutcracker.stats(), "beta"))
                            .isGreaterThanOrEqualTo(5));
        } finally {
            first.flushAll();
        }
    }

    @Test
    void stopEndsTheProcessAndFreesItsPorts() {
        NutcrackerProcess nutcracker = start();
        int port = nutcracker.listenPort("alpha");
        int stats = nutcracker.statsPort();
        long pid = nutcracker.pid();
        nutcracker.stop();
        assertThat(nutcracker.isAlive()).isFalse();
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
                .as("pid %d alive", pid)
                .isFalse();
        await().atMost(Duration.ofSeconds(10)).until(() -> FreePorts.isFree(port) && FreePorts.isFree(stats));
        nutcracker.stop();
    }

    private static NutcrackerProcess start(String... extraArgs) {
        return NutcrackerProcess.start(
                TWO_POOLS, Map.of("first", first.address(), "second", second.address()), extraArgs);
    }

    /** The {@code requests} count of the pool's first server in a stats JSON. */
    private static long requestsOfFirstServer(String stats, String pool) {
        int at = stats.indexOf("\"" + pool + "\": {");
        Matcher matcher = Pattern.compile("\"requests\":(\\d+)").matcher(stats);
        if (at < 0 || !matcher.find(at)) {
            return -1;
        }
        return Long.parseLong(matcher.group(1));
    }
}
