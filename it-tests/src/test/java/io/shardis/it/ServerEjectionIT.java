package io.shardis.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardis.it.support.Closeables;
import io.shardis.it.support.Poll;
import io.shardis.it.support.RedisProcess;
import io.shardis.it.support.ShardedShardis;
import io.shardis.it.support.ShardisFixture;
import io.shardis.it.support.StopChildProcesses;
import io.shardis.it.support.TestThreads;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * One of four servers killed under load: only its keys see errors, and with
 * {@code auto_eject_hosts} they stop once it is ejected, its keys served by the others; it comes
 * back only once it answers again.
 */
@ExtendWith(StopChildProcesses.class)
class ServerEjectionIT {

    /** Long enough that ejection (two refused connects) comes well before it even on a loaded machine. */
    private static final int RETRY_TIMEOUT_MILLIS = 3000;

    private static final int KEYS = 400;
    private static final int CLIENTS = 4;

    @RegisterExtension
    final TestThreads threads = new TestThreads();

    private final List<RedisProcess> backends = new ArrayList<>();
    private ShardisFixture shardis;

    @AfterEach
    void stop() throws Exception {
        List<AutoCloseable> all = new ArrayList<>();
        all.add(shardis);
        all.addAll(backends);
        Closeables.closeAll(all.toArray(AutoCloseable[]::new));
    }

    /** One request's outcome: when, which server held the key before the kill, whether it failed. */
    private record Outcome(long atNanos, int server, String error) {}

    @Test
    void withAutoEjectOnlyTheDeadServersKeysFailAndOnlyUntilItIsEjected() throws Exception {
        start("auto_eject_hosts: true\nserver_failure_limit: 2\nserver_retry_timeout: " + RETRY_TIMEOUT_MILLIS
                + "\ntimeout: 1000");
        Map<String, Integer> placement = writeKeysAndLearnPlacement();
        int victim = 0;

        Queue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
        long loadEnds = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        List<CompletableFuture<Void>> clients = startLoad(placement, outcomes, loadEnds);
        Thread.sleep(700);
        long killedAt = System.nanoTime();
        backends.get(victim).kill();
        CompletableFuture.allOf(clients.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);

        List<Outcome> errors = outcomes.stream().filter(o -> o.error() != null).toList();
        assertThat(errors)
                .as("errors on keys of the servers still up")
                .allSatisfy(o -> assertThat(o.server()).isEqualTo(victim));
        long lastErrorMillis = errors.stream()
                .mapToLong(o -> TimeUnit.NANOSECONDS.toMillis(o.atNanos() - killedAt))
                .max()
                .orElse(0);
        long okAfterKill = outcomes.stream()
                .filter(o -> o.error() == null && o.atNanos() > killedAt && o.server() == victim)
                .count();
        System.out.printf(
                "ejection: %d errors, last %d ms after the kill; %d requests after the kill, %d of them on the"
                        + " dead server's keys answered by the others%n",
                errors.size(),
                lastErrorMillis,
                outcomes.stream().filter(o -> o.atNanos() > killedAt).count(),
                okAfterKill);
        assertThat(lastErrorMillis).as("errors stop once the server is ejected").isLessThan(RETRY_TIMEOUT_MILLIS);
        assertThat(okAfterKill)
                .as("the dead server's keys are served by the others")
                .isPositive();

        // Still down after the retry timeout: it is not put back (Twemproxy would, and fail its keys again).
        Thread.sleep(RETRY_TIMEOUT_MILLIS + 500);
        String deadServersKey = keyOf(placement, victim);
        try (Jedis jedis = shardis.jedis(ShardedShardis.POOL)) {
            for (int i = 0; i < 50; i++) {
                assertThat(jedis.set(deadServersKey, "again")).isEqualTo("OK");
            }
            // Back up: it answers PING, so it returns to the ring and gets its keys again.
            backends.get(victim).restart();
            assertThat(Poll.until(
                            Duration.ofSeconds(10),
                            () -> {
                                jedis.set(deadServersKey, "home");
                                try (Jedis direct = backends.get(victim).client()) {
                                    return "home".equals(direct.get(deadServersKey));
                                }
                            },
                            () -> false))
                    .as("the server is back in the ring")
                    .isTrue();
        }
    }

    @Test
    void withoutAutoEjectTheDeadServersKeysFailFastAndTheOthersNever() throws Exception {
        start("timeout: 1000");
        Map<String, Integer> placement = writeKeysAndLearnPlacement();
        int victim = 2;
        backends.get(victim).kill();
        Queue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
        long loadEnds = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        CompletableFuture.allOf(startLoad(placement, outcomes, loadEnds).toArray(CompletableFuture[]::new))
                .get(30, TimeUnit.SECONDS);
        assertThat(outcomes.stream().filter(o -> o.server() != victim))
                .isNotEmpty()
                .allSatisfy(o -> assertThat(o.error()).isNull());
        List<Outcome> victims =
                outcomes.stream().filter(o -> o.server() == victim).toList();
        assertThat(victims).isNotEmpty().allSatisfy(o -> assertThat(o.error()).contains("s3"));
    }

    private void start(String poolKeys) {
        for (int i = 0; i < ShardedShardis.SERVERS; i++) {
            backends.add(RedisProcess.start());
        }
        shardis = ShardisFixture.start(ShardedShardis.config(backends, poolKeys), Map.of());
    }

    /** Writes the test keys through Shardis and reads from each server which keys it got. */
    private Map<String, Integer> writeKeysAndLearnPlacement() {
        try (Jedis jedis = shardis.jedis(ShardedShardis.POOL)) {
            for (int i = 0; i < KEYS; i++) {
                jedis.set("ej:" + i, "v");
            }
        }
        Map<String, Integer> placement = new HashMap<>();
        for (int s = 0; s < backends.size(); s++) {
            try (Jedis direct = backends.get(s).client()) {
                for (String key : direct.keys("ej:*")) {
                    placement.put(key, s);
                }
            }
        }
        assertThat(placement).hasSize(KEYS);
        assertThat(placement.values()).contains(0, 1, 2, 3);
        return placement;
    }

    private List<CompletableFuture<Void>> startLoad(
            Map<String, Integer> placement, Queue<Outcome> outcomes, long endsAtNanos) {
        List<String> keys = new ArrayList<>(placement.keySet());
        List<CompletableFuture<Void>> clients = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            int offset = c;
            clients.add(CompletableFuture.runAsync(
                    () -> {
                        try (Jedis jedis = shardis.jedis(ShardedShardis.POOL)) {
                            for (int i = offset; System.nanoTime() < endsAtNanos && i < 10_000_000; i += CLIENTS) {
                                String key = keys.get(i % keys.size());
                                String error = null;
                                try {
                                    if (i % 2 == 0) {
                                        jedis.set(key, "v" + i);
                                    } else {
                                        jedis.get(key);
                                    }
                                } catch (JedisDataException e) {
                                    error = e.getMessage();
                                }
                                outcomes.add(new Outcome(System.nanoTime(), placement.get(key), error));
                            }
                        }
                    },
                    threads));
        }
        return clients;
    }

    private static String keyOf(Map<String, Integer> placement, int server) {
        return placement.entrySet().stream()
                .filter(e -> e.getValue() == server)
                .findFirst()
                .orElseThrow()
                .getKey();
    }
}
