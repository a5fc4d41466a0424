package io.shardis.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardis.it.support.Http;
import io.shardis.it.support.NutcrackerProcess;
import io.shardis.it.support.Poll;
import io.shardis.it.support.PrometheusText;
import io.shardis.it.support.RedisProcess;
import io.shardis.it.support.ShardisProcess;
import io.shardis.it.support.StopChildProcesses;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;

/**
 * A ketama pool changed by SIGHUP under load: a server added, one re-weighted, one removed. The
 * clients (one sending a command at a time, one pipelining) keep their connections and see no
 * error (a read may miss a write made just before a reload moved its key, as with Twemproxy);
 * every write Shardis acknowledged is on a backend with its value; and afterwards a
 * nutcracker started with the new file places keys exactly where Shardis does, for keys written
 * through the connection that lived through the reloads as for a new one.
 */
@ExtendWith(StopChildProcesses.class)
@Timeout(180)
class ReloadPlacementIT {

    private static final String POOL = """
            alpha:
              listen: 127.0.0.1:%s
              hash: fnv1a_64
              distribution: ketama
              redis: true
              timeout: 5000
              servers:
            %s""";
    private static final Duration LOAD_BETWEEN_RELOADS = Duration.ofMillis(1500);

    @Test
    void serversAddedReweightedAndRemovedUnderLoadPlaceKeysAsNutcrackerDoes() throws Exception {
        List<RedisProcess> redis = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                redis.add(RedisProcess.start());
            }
            String first = servers(
                    redis.get(0).address() + ":1",
                    redis.get(1).address() + ":1",
                    redis.get(2).address() + ":1");
            try (ShardisProcess shardis = ShardisProcess.start(
                    POOL.formatted("${port.alpha}", first), Map.of(), "--http", "127.0.0.1:${port.http}")) {
                int port = shardis.port("alpha");
                Map<String, String> acknowledged = new ConcurrentHashMap<>();
                List<Throwable> errors = new CopyOnWriteArrayList<>();
                AtomicBoolean stop = new AtomicBoolean();
                java.util.concurrent.atomic.AtomicInteger movedBetween =
                        new java.util.concurrent.atomic.AtomicInteger();
                Jedis steady = new Jedis("127.0.0.1", port, 10_000);
                steady.set("warm", "up");
                Thread single = load("single", stop, errors, () -> {
                    int i = 0;
                    while (!stop.get()) {
                        String key = "s:" + i;
                        String value = "v" + i;
                        assertThat(steady.set(key, value)).isEqualTo("OK");
                        acknowledged.put(key, value);
                        // Read back: null only when a reload moved the key's server in between,
                        // as in Twemproxy (the write stays where it was made; checked below).
                        String read = steady.get(key);
                        if (read == null) {
                            movedBetween.incrementAndGet();
                        } else {
                            assertThat(read).isEqualTo(value);
                        }
                        i++;
                    }
                });
                Jedis pipelining = new Jedis("127.0.0.1", port, 10_000);
                Thread piped = load("pipelined", stop, errors, () -> {
                    int round = 0;
                    while (!stop.get()) {
                        Pipeline pipeline = pipelining.pipelined();
                        List<Response<String>> sets = new ArrayList<>();
                        for (int k = 0; k < 32; k++) {
                            sets.add(pipeline.set("p:" + round + ":" + k, "w" + round));
                        }
                        Response<List<String>> read = pipeline.mget("p:" + round + ":0", "p:" + round + ":31");
                        pipeline.sync();
                        for (int k = 0; k < 32; k++) {
                            assertThat(sets.get(k).get()).isEqualTo("OK");
                            acknowledged.put("p:" + round + ":" + k, "w" + round);
                        }
                        for (String value : read.get()) {
                            if (value == null) {
                                movedBetween.incrementAndGet();
                            } else {
                                assertThat(value).isEqualTo("w" + round);
                            }
                        }
                        round++;
                    }
                });
                String[] steps = {
                    servers(
                            redis.get(0).address() + ":1",
                            redis.get(1).address() + ":1",
                            redis.get(2).address() + ":1",
                            redis.get(3).address() + ":1"),
                    servers(
                            redis.get(0).address() + ":1",
                            redis.get(1).address() + ":3",
                            redis.get(2).address() + ":1",
                            redis.get(3).address() + ":1"),
                    servers(
                            redis.get(1).address() + ":3",
                            redis.get(2).address() + ":1",
                            redis.get(3).address() + ":1"),
                };
                String last = first;
                for (int step = 0; step < steps.length; step++) {
                    Thread.sleep(LOAD_BETWEEN_RELOADS.toMillis());
                    last = steps[step];
                    Files.writeString(shardis.configFile(), POOL.formatted(port, last));
                    shardis.signal("HUP");
                    int reloads = step + 1;
                    assertThat(Poll.until(
                                    Duration.ofSeconds(20),
                                    () -> count(shardis.log(), "configuration reloaded from") >= reloads,
                                    () -> !shardis.isAlive()))
                            .as("reload %d logged\n%s", reloads, shardis.log())
                            .isTrue();
                }
                Thread.sleep(LOAD_BETWEEN_RELOADS.toMillis());
                stop.set(true);
                single.join(30_000);
                piped.join(30_000);
                assertThat(errors).as("client errors during the reloads").isEmpty();
                assertThat(acknowledged).hasSizeGreaterThan(100);

                // Every acknowledged write is on a backend, with its value (the removed server still runs).
                Map<String, String> found = new java.util.HashMap<>();
                List<String> keys = new ArrayList<>(acknowledged.keySet());
                for (RedisProcess server : redis) {
                    try (Jedis direct = server.client()) {
                        for (int from = 0; from < keys.size(); from += 500) {
                            List<String> batch = keys.subList(from, Math.min(keys.size(), from + 500));
                            List<String> values = direct.mget(batch.toArray(String[]::new));
                            for (int k = 0; k < batch.size(); k++) {
                                if (acknowledged.get(batch.get(k)).equals(values.get(k))) {
                                    found.put(batch.get(k), server.address());
                                }
                            }
                        }
                    }
                }
                List<String> lost =
                        keys.stream().filter(key -> !found.containsKey(key)).toList();
                assertThat(lost).as("acknowledged writes found on no backend").isEmpty();
                System.out.printf(
                        "reloads under load: %d writes acknowledged, %d read back as missing because a"
                                + " reload moved their server between the write and the read%n",
                        acknowledged.size(), movedBetween.get());

                // The log shows each reload as a diff, key by key.
                assertThat(shardis.log())
                        .contains(
                                "pool 'alpha' changed: sharding.servers: +"
                                        + redis.get(3).address() + ":1",
                                "-" + redis.get(0).address() + ":1");
                PrometheusText metrics = Http.metrics(shardis.port("http"));
                assertThat(metrics.value("shardis_config_reloads_total", "outcome", "applied"))
                        .isEqualTo(3);

                // A nutcracker started with the new file places keys where Shardis does, for the
                // connection that lived through the reloads and for a new one.
                try (NutcrackerProcess nutcracker =
                                NutcrackerProcess.start(POOL.formatted("${port.alpha}", last), Map.of());
                        Jedis twemproxy = nutcracker.jedis("alpha");
                        Jedis fresh = new Jedis("127.0.0.1", port, 10_000)) {
                    List<String> misplaced = new ArrayList<>();
                    for (int i = 0; i < 400; i++) {
                        Jedis through = i % 2 == 0 ? steady : fresh;
                        String key = "sample:" + i + ":" + Integer.toHexString(i * 7919);
                        through.set(key, "x" + i);
                        if (!("x" + i).equals(twemproxy.get(key))) {
                            misplaced.add(key);
                        }
                        String other = "twemproxy:" + i;
                        twemproxy.set(other, "y" + i);
                        if (!("y" + i).equals(through.get(other))) {
                            misplaced.add(other);
                        }
                    }
                    assertThat(misplaced)
                            .as("keys Shardis and nutcracker place apart")
                            .isEmpty();
                }
                steady.close();
                pipelining.close();
                // The removed server's connections from Shardis close once drained.
                assertThat(Poll.until(Duration.ofSeconds(20), () -> clientsFromOthers(redis.get(0)) == 0, () -> false))
                        .as("Shardis' connections to the removed server closed")
                        .isTrue();
            }
        } finally {
            redis.forEach(RedisProcess::close);
        }
    }

    private interface Work {
        void run() throws Exception;
    }

    private static Thread load(String name, AtomicBoolean stop, List<Throwable> errors, Work work) {
        Thread thread = new Thread(
                () -> {
                    try {
                        work.run();
                    } catch (Throwable e) {
                        errors.add(e);
                        stop.set(true);
                    }
                },
                "reload-load-" + name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private static String servers(String... lines) {
        StringBuilder text = new StringBuilder();
        for (String line : lines) {
            text.append("    - ").append(line).append('\n');
        }
        return text.toString();
    }

    private static int count(String text, String needle) {
        int count = 0;
        for (int at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + 1)) {
            count++;
        }
        return count;
    }

    /** Connections to {@code server} other than the one asking. */
    private static long clientsFromOthers(RedisProcess server) {
        try (Jedis direct = server.client()) {
            return direct.clientList().lines().filter(line -> !line.isBlank()).count() - 1;
        }
    }
}
