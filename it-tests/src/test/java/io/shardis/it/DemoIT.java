package io.shardis.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardis.it.support.Http;
import io.shardis.it.support.Poll;
import io.shardis.it.support.ShardisProcess;
import io.shardis.it.support.StopChildProcesses;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.Jedis;

/**
 * {@code bin/shardis demo} as a newcomer runs it: it prints its pools' ports and commands to try;
 * the single, sharded and (where redis-cli and Redis 7 are here) cluster pools answer those
 * commands, {@code /ready} is 200; Ctrl-C stops Shardis and every redis-server it started.
 */
@ExtendWith(StopChildProcesses.class)
@Timeout(240)
class DemoIT {

    private static final Pattern POOL =
            Pattern.compile("^\\s+(demo|sharded|cluster)\\s+127\\.0\\.0\\.1:(\\d+)\\s+->", Pattern.MULTILINE);
    private static final Pattern SHARDS = Pattern.compile("\\(127\\.0\\.0\\.1:(\\d+), 127\\.0\\.0\\.1:(\\d+)\\)");
    private static final Pattern HTTP = Pattern.compile("http://127\\.0\\.0\\.1:(\\d+)/ready");

    @Test
    void theDemoStartsItsPoolsSideBySideAndCleansUpOnCtrlC() throws Exception {
        Path output = ShardisProcess.writeConfig("").resolveSibling("demo-output.log");
        Files.createFile(output);
        Process demo = ShardisProcess.demo(output);
        assertThat(Poll.until(
                        Duration.ofSeconds(150), () -> read(output).contains("Press Ctrl-C"), () -> !demo.isAlive()))
                .as("the demo prints its instructions\n%s", read(output))
                .isTrue();
        String text = read(output);
        java.util.Map<String, Integer> ports = new java.util.HashMap<>();
        Matcher pool = POOL.matcher(text);
        while (pool.find()) {
            ports.put(pool.group(1), Integer.parseInt(pool.group(2)));
        }
        assertThat(ports).as(text).containsKeys("demo", "sharded");
        Matcher shards = SHARDS.matcher(text);
        assertThat(shards.find()).as(text).isTrue();
        Matcher httpLine = HTTP.matcher(text);
        assertThat(httpLine.find()).as(text).isTrue();
        int http = Integer.parseInt(httpLine.group(1));
        assertThat(Poll.until(Duration.ofSeconds(60), () -> status(http) == 200, () -> !demo.isAlive()))
                .as("/ready 200\n%s", read(output))
                .isTrue();

        try (Jedis single = new Jedis("127.0.0.1", ports.get("demo"), 10_000)) {
            assertThat(single.set("greeting", "hello")).isEqualTo("OK");
            assertThat(single.get("greeting")).isEqualTo("hello");
        }
        try (Jedis sharded = new Jedis("127.0.0.1", ports.get("sharded"), 10_000)) {
            // The keys the demo suggests: ketama puts them on both servers.
            assertThat(sharded.mset("foo", "1", "bar", "2", "baz", "3", "qux", "4"))
                    .isEqualTo("OK");
            assertThat(sharded.mget("foo", "bar", "baz", "qux")).containsExactly("1", "2", "3", "4");
            assertThat(sharded.dbSize()).isEqualTo(4);
        }
        int shard1 = Integer.parseInt(shards.group(1));
        int shard2 = Integer.parseInt(shards.group(2));
        try (Jedis one = new Jedis("127.0.0.1", shard1, 10_000);
                Jedis two = new Jedis("127.0.0.1", shard2, 10_000)) {
            assertThat(one.dbSize() + two.dbSize()).isEqualTo(4);
            assertThat(one.dbSize()).as("keys on both servers").isPositive();
            assertThat(two.dbSize()).as("keys on both servers").isPositive();
        }
        boolean clusterExpected =
                io.shardis.it.support.RedisBinaries.get().redisCli().isPresent();
        if (clusterExpected) {
            assertThat(ports)
                    .as("a cluster pool where redis-cli is on PATH\n%s", text)
                    .containsKey("cluster");
        }
        if (ports.containsKey("cluster")) {
            try (Jedis cluster = new Jedis("127.0.0.1", ports.get("cluster"), 10_000)) {
                assertThat(cluster.mset("a", "1", "b", "2", "c", "3")).isEqualTo("OK");
                assertThat(cluster.mget("a", "b", "c")).containsExactly("1", "2", "3");
            }
        }

        // Ctrl-C: the launcher stops Shardis and every redis-server, and exits.
        new ProcessBuilder("kill", "-INT", Long.toString(demo.pid())).start().waitFor();
        assertThat(demo.waitFor(60, TimeUnit.SECONDS))
                .as("the demo exits on Ctrl-C\n%s", read(output))
                .isTrue();
        for (int port : List.of(ports.get("demo"), ports.get("sharded"), shard1, shard2)) {
            assertThat(accepts(port)).as("port %d closed after Ctrl-C", port).isFalse();
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int status(int http) {
        try {
            return Http.get(http, "/ready").status();
        } catch (RuntimeException e) {
            return -1;
        }
    }

    private static boolean accepts(int port) {
        try (java.net.Socket socket = new java.net.Socket()) {
            socket.connect(new java.net.InetSocketAddress("127.0.0.1", port), 1_000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
