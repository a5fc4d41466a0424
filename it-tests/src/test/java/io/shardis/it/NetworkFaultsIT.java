package io.shardis.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardis.it.support.FaultRelay;
import io.shardis.it.support.RedisProcess;
import io.shardis.it.support.ShardisFixture;
import io.shardis.it.support.StopChildProcesses;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Network faults between Shardis and one server of a sharded pool, injected by a {@link FaultRelay}:
 * latency with jitter, a bandwidth limit, a half-open peer, a reset in the middle of a reply, a
 * reply trickling one byte at a time, a partition. For each: what clients see on the faulty
 * server's keys (replies, error texts, latency), that the other server's keys are unaffected, that
 * nothing acknowledged is lost, and how soon traffic resumes once the fault lifts. The figures are
 * printed with each test.
 */
@ExtendWith(StopChildProcesses.class)
class NetworkFaultsIT {

    private static final int TIMEOUT_MILLIS = 1_000;
    private static final String POOL = "alpha";

    private static RedisProcess faulty;
    private static RedisProcess healthy;
    private static FaultRelay relay;
    private static ShardisFixture shardis;
    /** Keys placed on each server, learned by writing them through Shardis. */
    private static List<String> faultyKeys;

    private static List<String> healthyKeys;

    @BeforeAll
    static void start() {
        faulty = RedisProcess.start();
        healthy = RedisProcess.start();
        relay = FaultRelay.start(faulty.socketAddress());
        shardis = ShardisFixture.start(
                """
                alpha:
                  listen: 127.0.0.1:0
                  redis: true
                  hash: md5
                  distribution: ketama
                  timeout: ${timeout}
                  auto_eject_hosts: false
                  servers:
                    - ${faulty}:1 faulty
                    - ${healthy}:1 healthy
                """, Map.of("timeout", TIMEOUT_MILLIS, "faulty", relay.address(), "healthy", healthy.address()));
        faultyKeys = new ArrayList<>();
        healthyKeys = new ArrayList<>();
        try (Jedis jedis = shardis.jedis(POOL)) {
            for (int i = 0; i < 200; i++) {
                jedis.set("fault:" + i, "v" + i);
            }
        }
        try (Jedis direct = faulty.client()) {
            for (int i = 0; i < 200; i++) {
                (direct.exists("fault:" + i) ? faultyKeys : healthyKeys).add("fault:" + i);
            }
        }
        assertThat(faultyKeys).as("keys on the faulty server").hasSizeGreaterThan(20);
        long healthyKeyCount;
        try (Jedis direct = healthy.client()) {
            healthyKeyCount = direct.dbSize();
        }
        assertThat(healthyKeys)
                .as(
                        "keys on the healthy server %s (DBSIZE %d; faulty %s via %s)",
                        healthy.address(), healthyKeyCount, faulty.address(), relay.address())
                .hasSizeGreaterThan(20);
    }

    @AfterAll
    static void stop() {
        if (shardis != null) {
            shardis.close();
        }
        if (relay != null) {
            relay.close();
        }
        if (faulty != null) {
            faulty.stop();
        }
        if (healthy != null) {
            healthy.stop();
        }
    }

    @AfterEach
    void heal() {
        relay.heal();
        // Every test leaves the pool serving both servers again.
        try (Jedis jedis = shardis.jedis(POOL)) {
            assertThat(firstSuccessAfter(jedis, faultyKeys.get(0), System.nanoTime()))
                    .isLessThan(TimeUnit.SECONDS.toNanos(20));
        }
    }

    @Test
    void latencyAndJitterSlowOnlyTheServerBehindThem() {
        relay.latency(Duration.ofMillis(40), Duration.ofMillis(20));
        try (Jedis jedis = shardis.jedis(POOL)) {
            long[] faultyMicros = timedGets(jedis, faultyKeys, 30);
            long[] healthyMicros = timedGets(jedis, healthyKeys, 30);
            long faultyMedian = median(faultyMicros);
            long healthyMedian = median(healthyMicros);
            System.out.printf(
                    "latency 40 ms + jitter 20 ms (both ways): GET median %d us on the slowed server,"
                            + " %d us on the other%n",
                    faultyMedian, healthyMedian);
            // Both directions are delayed: at least 2 x 40 ms added.
            assertThat(faultyMedian).isGreaterThanOrEqualTo(80_000);
            assertThat(healthyMedian)
                    .as("the other server's keys are not slowed")
                    .isLessThan(40_000);
        }
    }

    @Test
    void aBandwidthLimitSlowsLargeRepliesWithoutCorruptingThemOrHoldingUpOtherKeys() throws Exception {
        String key = faultyKeys.get(1);
        byte[] value = new byte[128 * 1024];
        for (int i = 0; i < value.length; i++) {
            value[i] = (byte) ("0123456789abcdef\r\n".charAt(i % 18));
        }
        try (Jedis jedis = shardis.jedis(POOL)) {
            jedis.set(key.getBytes(), value);
        }
        relay.bandwidth(512 * 1024);
        try (Jedis slow = shardis.jedis(POOL);
                Jedis other = shardis.jedis(POOL)) {
            long started = System.nanoTime();
            CompletableFuture<byte[]> transfer = CompletableFuture.supplyAsync(() -> slow.get(key.getBytes()));
            long[] otherMicros = timedGets(other, healthyKeys, 10);
            byte[] got = transfer.get(30, TimeUnit.SECONDS);
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            System.out.printf(
                    "bandwidth 512 KiB/s: a 128 KiB GET took %d ms; meanwhile GETs of the other server's"
                            + " keys: median %d us, max %d us%n",
                    tookMillis, median(otherMicros), max(otherMicros));
            assertThat(got).isEqualTo(value);
            assertThat(tookMillis).isGreaterThanOrEqualTo(200);
            assertThat(median(otherMicros))
                    .as("the other server's keys are not held up")
                    .isLessThan(100_000);
        }
    }

    @Test
    void aHalfOpenServerGivesTimeoutErrorsOnItsKeysOnlyAndTrafficResumesWhenItAnswers() {
        relay.halfOpen().resetConnections();
        try (Jedis jedis = shardis.jedis(POOL)) {
            long started = System.nanoTime();
            String error = errorOf(() -> jedis.get(faultyKeys.get(2)));
            long errorMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            long[] healthyMicros = timedGets(jedis, healthyKeys, 10);
            long healedAt = System.nanoTime();
            relay.heal();
            long recoveryMillis = TimeUnit.NANOSECONDS.toMillis(firstSuccessAfter(jedis, faultyKeys.get(2), healedAt));
            System.out.printf(
                    "half-open server: error after %d ms (timeout %d ms): '%s'; other server's keys median"
                            + " %d us; first success %d ms after it answers again%n",
                    errorMillis, TIMEOUT_MILLIS, error, median(healthyMicros), recoveryMillis);
            assertThat(error).startsWith("ERR Shardis: pool 'alpha'");
            assertThat(errorMillis).isBetween((long) TIMEOUT_MILLIS - 50, 10_000L);
            assertThat(median(healthyMicros)).isLessThan(100_000);
        }
    }

    @Test
    void aResetInTheMiddleOfAReplyIsAnErrorForThatCommandAndTheNextOneIsServed() {
        String key = faultyKeys.get(3);
        String value = "x".repeat(64 * 1024);
        try (Jedis jedis = shardis.jedis(POOL)) {
            jedis.set(key, value);
            relay.resetAfterReplyBytes(1_000);
            long started = System.nanoTime();
            String error = errorOf(() -> jedis.get(key));
            long errorMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            long recoveryMillis = TimeUnit.NANOSECONDS.toMillis(firstSuccessAfter(jedis, key, System.nanoTime()));
            System.out.printf(
                    "reset after 1000 reply bytes: error after %d ms: '%s'; next success after %d ms%n",
                    errorMillis, error, recoveryMillis);
            assertThat(error).startsWith("ERR Shardis: pool 'alpha'");
            assertThat(jedis.get(key)).isEqualTo(value);
            assertThat(jedis.get(healthyKeys.get(3)))
                    .as("the other server's keys")
                    .isNotNull();
        }
    }

    @Test
    void aReplyTricklingOneByteAtATimeArrivesWholeWithinTheTimeout() {
        String key = faultyKeys.get(4);
        String value = "t".repeat(150);
        try (Jedis jedis = shardis.jedis(POOL)) {
            jedis.set(key, value);
            relay.trickle(Duration.ofMillis(2));
            long started = System.nanoTime();
            String got = jedis.get(key);
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            long[] healthyMicros = timedGets(jedis, healthyKeys, 10);
            System.out.printf(
                    "reply trickled a byte every 2 ms: %d-byte GET reply took %d ms; other server's keys"
                            + " median %d us%n",
                    value.length() + 9, tookMillis, median(healthyMicros));
            assertThat(got).isEqualTo(value);
            assertThat(tookMillis).isGreaterThanOrEqualTo(150 * 2);
            assertThat(median(healthyMicros)).isLessThan(100_000);
        }
    }

    @Test
    void aPartitionLosesNothingAcknowledgedAndHealsByItself() throws Exception {
        Map<String, String> acknowledged = new LinkedHashMap<>();
        Map<String, Integer> errors = new TreeMap<>();
        long faultyErrors = 0;
        long healthyErrors = 0;
        long partitionedAt = 0;
        long healedAt = 0;
        long lastFaultyError = 0;
        long firstFaultyOkAfterHeal = 0;
        long acknowledgedWrites = 0;
        try (Jedis jedis = shardis.jedis(POOL)) {
            long started = System.nanoTime();
            for (int i = 0; i < 100_000 && System.nanoTime() - started < TimeUnit.SECONDS.toNanos(8); i++) {
                long elapsed = System.nanoTime() - started;
                if (partitionedAt == 0 && elapsed > TimeUnit.MILLISECONDS.toNanos(500)) {
                    relay.partition();
                    partitionedAt = System.nanoTime();
                }
                if (healedAt == 0 && elapsed > TimeUnit.MILLISECONDS.toNanos(3_500)) {
                    relay.heal();
                    healedAt = System.nanoTime();
                }
                boolean onFaulty = i % 2 == 0;
                String key = (onFaulty ? faultyKeys : healthyKeys).get(i % 40);
                String value = "w" + i;
                try {
                    assertThat(jedis.set(key, value)).isEqualTo("OK");
                    acknowledged.put(key, value);
                    acknowledgedWrites++;
                    if (onFaulty && healedAt != 0 && firstFaultyOkAfterHeal == 0) {
                        firstFaultyOkAfterHeal = System.nanoTime();
                    }
                } catch (JedisException e) {
                    errors.merge(String.valueOf(e.getMessage()), 1, Integer::sum);
                    if (onFaulty) {
                        faultyErrors++;
                        lastFaultyError = System.nanoTime();
                    } else {
                        healthyErrors++;
                    }
                    if (jedis.isBroken()) {
                        throw e;
                    }
                }
            }
        }
        assertThat(firstFaultyOkAfterHeal)
                .as("a write to the partitioned server's keys succeeded after it healed")
                .isPositive();
        long recoveryMillis = TimeUnit.NANOSECONDS.toMillis(firstFaultyOkAfterHeal - healedAt);
        long errorWindowMillis =
                lastFaultyError == 0 ? 0 : TimeUnit.NANOSECONDS.toMillis(lastFaultyError - partitionedAt);
        System.out.printf(
                "partition of one server for %d ms: %d errors on its keys (each after the %d ms timeout),"
                        + " %d on the other's; errors from the cut to %d ms after it; first write to its keys %d ms after it"
                        + " healed; %d writes acknowledged, all read back; errors: %s%n",
                TimeUnit.NANOSECONDS.toMillis(healedAt - partitionedAt),
                faultyErrors,
                TIMEOUT_MILLIS,
                healthyErrors,
                errorWindowMillis,
                recoveryMillis,
                acknowledgedWrites,
                errors.keySet());
        assertThat(healthyErrors).as("the other server's keys never fail").isZero();
        assertThat(faultyErrors)
                .as("the partitioned server's keys fail while it is cut off")
                .isPositive();
        assertThat(errors.keySet()).allSatisfy(text -> assertThat(text).startsWith("ERR Shardis: pool 'alpha'"));
        try (Jedis onFaulty = faulty.client();
                Jedis onHealthy = healthy.client()) {
            for (Map.Entry<String, String> write : acknowledged.entrySet()) {
                Jedis direct = faultyKeys.contains(write.getKey()) ? onFaulty : onHealthy;
                assertThat(direct.get(write.getKey()))
                        .as("acknowledged write of %s", write.getKey())
                        .isEqualTo(write.getValue());
            }
        }
    }

    /** Retries GET {@code key} until it succeeds (bounded); returns the nanoseconds from {@code since}. */
    private static long firstSuccessAfter(Jedis jedis, String key, long since) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            try {
                jedis.get(key);
                return System.nanoTime() - since;
            } catch (JedisException e) {
                if (jedis.isBroken()) {
                    throw e;
                }
            }
        }
        throw new AssertionError("no successful GET of " + key + " within 20 s");
    }

    private static String errorOf(Runnable command) {
        try {
            command.run();
        } catch (JedisException e) {
            return e.getMessage();
        }
        throw new AssertionError("the command succeeded");
    }

    private static long[] timedGets(Jedis jedis, List<String> keys, int count) {
        long[] micros = new long[count];
        for (int i = 0; i < count; i++) {
            long started = System.nanoTime();
            jedis.get(keys.get(i % keys.size()));
            micros[i] = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - started);
        }
        return micros;
    }

    private static long median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static long max(long[] values) {
        return Arrays.stream(values).max().orElse(0);
    }
}
