package io.shardis.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardis.it.support.RedisProcess;
import io.shardis.it.support.StopChildProcesses;
import io.shardis.topology.cluster.HashSlot;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.Response;

/** {@link HashSlot} against {@code CLUSTER KEYSLOT} of a real cluster node, key by key. */
@ExtendWith(StopChildProcesses.class)
class HashSlotIT {

    private static final byte[] KEYSLOT = "KEYSLOT".getBytes(StandardCharsets.US_ASCII);

    private static RedisProcess node;

    @BeforeAll
    static void startClusterNode() {
        // CLUSTER KEYSLOT needs cluster mode, not a formed cluster.
        node = RedisProcess.start("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf");
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.stop();
        }
    }

    @Test
    void asciiKeysLandWhereRedisPutsThem() {
        Random random = new Random(1);
        List<byte[]> keys = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            keys.add(("user:" + random.nextInt(1_000_000) + ":" + Long.toHexString(random.nextLong()))
                    .getBytes(StandardCharsets.US_ASCII));
        }
        assertSameSlotsAsRedis(keys);
    }

    @Test
    void binaryKeysWithHighBytesLandWhereRedisPutsThem() {
        Random random = new Random(2);
        List<byte[]> keys = new ArrayList<>();
        for (int i = 0; i < 1_500; i++) {
            byte[] key = new byte[1 + random.nextInt(40)];
            random.nextBytes(key);
            keys.add(key);
        }
        keys.add(new byte[] {(byte) 0x80});
        keys.add(new byte[] {(byte) 0xFF, '{', (byte) 0xFE, '}'});
        assertSameSlotsAsRedis(keys);
    }

    @Test
    void hashTagEdgeCasesLandWhereRedisPutsThem() {
        List<byte[]> keys = new ArrayList<>();
        for (String key : List.of(
                "{user1000}.following",
                "{user1000}.followers",
                "foo{}{bar}",
                "foo{{bar}}zap",
                "foo{bar}{zap}",
                "{}",
                "{",
                "}",
                "}{",
                "{}x",
                "x{}",
                "{{}}",
                "{a}",
                "a{b",
                "a}b{c}",
                "{ }",
                "{\u00e9}x")) {
            keys.add(key.getBytes(StandardCharsets.UTF_8));
        }
        // Short keys over an alphabet rich in braces reach every branch of the tag rule.
        Random random = new Random(3);
        byte[] alphabet = {'{', '}', 'a', 'b', (byte) 0x80, (byte) 0xFB, '{', '}'};
        for (int i = 0; i < 1_500; i++) {
            byte[] key = new byte[random.nextInt(9)];
            for (int b = 0; b < key.length; b++) {
                key[b] = alphabet[random.nextInt(alphabet.length)];
            }
            keys.add(key);
        }
        assertSameSlotsAsRedis(keys);
    }

    private static void assertSameSlotsAsRedis(List<byte[]> keys) {
        List<Response<Object>> replies = new ArrayList<>();
        try (Jedis jedis = node.client()) {
            Pipeline pipeline = jedis.pipelined();
            for (byte[] key : keys) {
                replies.add(pipeline.sendCommand(Protocol.Command.CLUSTER, KEYSLOT, key));
            }
            pipeline.sync();
        }
        for (int i = 0; i < keys.size(); i++) {
            byte[] key = keys.get(i);
            assertThat(HashSlot.of(key, 0, key.length))
                    .as("slot of key %s", HexFormat.of().formatHex(key))
                    .isEqualTo(((Long) replies.get(i).get()).intValue());
        }
    }
}
