package io.shardis.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardis.it.support.SingleBackendShardis;
import io.shardis.it.support.StopChildProcesses;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;

/** Values are bytes, untouched: empty, binary with CR/LF inside, 1 MiB and 64 MiB. */
@ExtendWith(StopChildProcesses.class)
class LargeValuesIT {

    @RegisterExtension
    static final SingleBackendShardis env =
            SingleBackendShardis.withTimeout(30_000).withoutFlush();

    @Test
    void anEmptyValueIsStoredAndReadBack() {
        try (Jedis jedis = env.jedis()) {
            assertThat(jedis.set("empty".getBytes(), new byte[0])).isEqualTo("OK");
            assertThat(jedis.get("empty".getBytes())).isEmpty();
            assertThat(jedis.strlen("empty")).isZero();
            assertThat(jedis.get("empty-missing".getBytes())).isNull();
        }
    }

    @Test
    void everyByteValueSurvivesInKeysAndValues() {
        byte[] allBytes = new byte[256 * 4];
        for (int i = 0; i < allBytes.length; i++) {
            allBytes[i] = (byte) i;
        }
        byte[] key = "key\r\n$5\r\n\0".getBytes(StandardCharsets.ISO_8859_1);
        byte[] hashKey = "hash\r\n\0".getBytes(StandardCharsets.ISO_8859_1);
        try (Jedis jedis = env.jedis();
                Jedis direct = env.redis().client()) {
            assertThat(jedis.set(key, allBytes)).isEqualTo("OK");
            assertThat(jedis.get(key)).isEqualTo(allBytes);
            assertThat(direct.get(key)).isEqualTo(allBytes);
            assertThat(jedis.hset(hashKey, key, allBytes)).isEqualTo(1L);
            assertThat(jedis.hget(hashKey, key)).isEqualTo(allBytes);
        }
    }

    @Test
    void randomBinaryMebibyteValuesRoundTrip() {
        Random random = new Random(42);
        try (Jedis jedis = env.jedis();
                Jedis direct = env.redis().client()) {
            for (int i = 0; i < 5; i++) {
                byte[] value = new byte[1024 * 1024 + i];
                random.nextBytes(value);
                byte[] key = ("mib:" + i).getBytes();
                assertThat(jedis.set(key, value)).isEqualTo("OK");
                assertThat(direct.get(key)).isEqualTo(value);
                assertThat(jedis.get(key)).isEqualTo(value);
            }
        }
    }

    @Test
    void pipelinedMebibyteValuesStayInOrder() {
        Random random = new Random(7);
        List<byte[]> values = new ArrayList<>();
        try (Jedis jedis = env.jedis()) {
            Pipeline pipeline = jedis.pipelined();
            for (int i = 0; i < 8; i++) {
                byte[] value = new byte[1024 * 1024];
                random.nextBytes(value);
                values.add(value);
                pipeline.set(("pipe:" + i).getBytes(), value);
            }
            List<Response<byte[]>> gets = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                gets.add(pipeline.get(("pipe:" + i).getBytes()));
            }
            pipeline.sync();
            for (int i = 0; i < 8; i++) {
                assertThat(Arrays.equals(gets.get(i).get(), values.get(i)))
                        .as("value %d", i)
                        .isTrue();
            }
        }
    }

    @Test
    @Timeout(120)
    void aSixtyFourMebibyteValueRoundTrips() {
        byte[] value = new byte[64 * 1024 * 1024];
        new Random(64).nextBytes(value);
        try (Jedis jedis = env.jedis()) {
            assertThat(jedis.set("huge".getBytes(), value)).isEqualTo("OK");
            assertThat(jedis.strlen("huge")).isEqualTo(value.length);
            byte[] back = jedis.get("huge".getBytes());
            assertThat(back.length).isEqualTo(value.length);
            assertThat(Arrays.equals(back, value))
                    .as("64 MiB value read back unchanged")
                    .isTrue();
            assertThat(jedis.del("huge")).isEqualTo(1L);
        }
    }
}
