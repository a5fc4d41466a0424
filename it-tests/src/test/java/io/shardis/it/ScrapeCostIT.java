package io.shardis.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardis.it.support.Http;
import io.shardis.it.support.Poll;
import io.shardis.it.support.PrometheusText;
import io.shardis.it.support.RedisProcess;
import io.shardis.it.support.ShardisProcess;
import io.shardis.it.support.StopChildProcesses;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.Jedis;

/**
 * What {@code /metrics} costs with 4 pools of 8 servers: the time and size of one scrape, and
 * redis-benchmark's throughput through Shardis with a scrape every second against none, rounds
 * alternated in one run. A measurement, not part of the suite: run it with
 * {@code -Dshardis.it.scrapeCost=true}; it prints its figures.
 */
@ExtendWith(StopChildProcesses.class)
@EnabledIfSystemProperty(named = "shardis.it.scrapeCost", matches = "true")
class ScrapeCostIT {

    private static final int POOLS = 4;
    private static final int SERVERS = 8;
    private static final int ROUNDS = Integer.getInteger("shardis.it.scrapeCost.rounds", 3);
    private static final int REQUESTS = Integer.getInteger("shardis.it.scrapeCost.requests", 1_000_000);

    @Test
    void scrapeCost() throws Exception {
        List<RedisProcess> redis = new ArrayList<>();
        for (int s = 0; s < SERVERS; s++) {
            redis.add(RedisProcess.start());
        }
        StringBuilder yaml = new StringBuilder();
        Map<String, Object> values = new HashMap<>();
        for (int p = 0; p < POOLS; p++) {
            yaml.append("pool")
                    .append(p)
                    .append(":\n  listen: 127.0.0.1:${port.pool")
                    .append(p)
                    .append("}\n  servers:\n");
            for (int s = 0; s < SERVERS; s++) {
                yaml.append("    - ${redis").append(s).append("}:1\n");
            }
        }
        for (int s = 0; s < SERVERS; s++) {
            values.put("redis" + s, redis.get(s).address());
        }
        try (ShardisProcess shardis =
                ShardisProcess.start(yaml.toString(), values, "--http", "127.0.0.1:${port.http}")) {
            int http = shardis.port("http");
            assertThat(Poll.until(
                            Duration.ofSeconds(30),
                            () -> Http.get(http, "/health").status() == 200,
                            () -> !shardis.isAlive()))
                    .isTrue();
            // Traffic on every pool and server, so every series exists.
            for (int p = 0; p < POOLS; p++) {
                try (Jedis jedis = new Jedis("127.0.0.1", shardis.port("pool" + p))) {
                    for (int k = 0; k < 200; k++) {
                        jedis.set("k" + k, "v");
                        jedis.get("k" + k);
                    }
                }
            }
            for (int i = 0; i < 50; i++) {
                Http.get(http, "/metrics");
            }
            List<Long> nanos = new ArrayList<>();
            int bytes = 0;
            int series = 0;
            for (int i = 0; i < 100; i++) {
                long start = System.nanoTime();
                Http.Response response = Http.get(http, "/metrics");
                nanos.add(System.nanoTime() - start);
                bytes = response.body().getBytes(StandardCharsets.UTF_8).length;
                series = PrometheusText.parse(response.body()).families().values().stream()
                        .mapToInt(f -> f.samples().size())
                        .sum();
            }
            Collections.sort(nanos);
            System.out.printf(
                    "scrape of %d pools x %d servers: %d bytes, %d series; median %.2f ms, p90 %.2f ms"
                            + " (HTTP round trip on loopback)%n",
                    POOLS, SERVERS, bytes, series, nanos.get(50) / 1e6, nanos.get(90) / 1e6);

            int port = shardis.port("pool0");
            benchmark(port, 200_000); // warm-up
            List<Double> without = new ArrayList<>();
            List<Double> with = new ArrayList<>();
            for (int r = 0; r < ROUNDS; r++) {
                without.add(benchmark(port, REQUESTS));
                AtomicBoolean scraping = new AtomicBoolean(true);
                int[] scrapes = {0};
                Thread scraper = new Thread(
                        () -> {
                            while (scraping.get()) {
                                Http.get(http, "/metrics");
                                scrapes[0]++;
                                try {
                                    Thread.sleep(1000);
                                } catch (InterruptedException e) {
                                    return;
                                }
                            }
                        },
                        "scraper");
                scraper.start();
                try {
                    with.add(benchmark(port, REQUESTS));
                } finally {
                    scraping.set(false);
                    scraper.interrupt();
                    scraper.join(5000);
                }
                System.out.printf(
                        "round %d: no scrape %.0f req/s, scrape every 1 s %.0f req/s (%d scrapes)%n",
                        r, without.get(r), with.get(r), scrapes[0]);
            }
            Collections.sort(without);
            Collections.sort(with);
            double a = without.get(ROUNDS / 2);
            double b = with.get(ROUNDS / 2);
            System.out.printf(
                    "median GET -P 16 -c 50: no scrape %.0f req/s, scrape every 1 s %.0f req/s, ratio %.3f%n",
                    a, b, b / a);
        } finally {
            redis.forEach(RedisProcess::close);
        }
    }

    private static final Pattern RPS = Pattern.compile("GET: ([0-9.]+) requests per second");

    private static double benchmark(int port, int requests) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(
                        "redis-benchmark",
                        "-h",
                        "127.0.0.1",
                        "-p",
                        Integer.toString(port),
                        "-t",
                        "get",
                        "-n",
                        Integer.toString(requests),
                        "-c",
                        "50",
                        "-P",
                        "16",
                        "-q")
                .redirectErrorStream(true)
                .start();
        try {
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                throw new IllegalStateException("redis-benchmark did not finish in 120 s");
            }
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            Matcher m = RPS.matcher(out.replace('\r', '\n'));
            double last = -1;
            while (m.find()) {
                last = Double.parseDouble(m.group(1));
            }
            if (last < 0) {
                throw new IllegalStateException("no figure in redis-benchmark's output: " + out);
            }
            return last;
        } finally {
            process.destroyForcibly();
        }
    }
}
