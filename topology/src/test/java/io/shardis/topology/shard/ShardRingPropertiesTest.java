package io.shardis.topology.shard;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class ShardRingPropertiesTest {

    @Property(tries = 300)
    void aHashReadsExactlyItsSlice(
            @ForAll HashFunction function,
            @ForAll @Size(max = 80) byte[] key,
            @ForAll @Size(max = 9) byte[] before,
            @ForAll @Size(max = 9) byte[] after) {
        byte[] buffer = new byte[before.length + key.length + after.length];
        System.arraycopy(before, 0, buffer, 0, before.length);
        System.arraycopy(key, 0, buffer, before.length, key.length);
        System.arraycopy(after, 0, buffer, before.length + key.length, after.length);
        assertThat(function.hash(buffer, before.length, key.length)).isEqualTo(function.hash(key.clone()));
    }

    @Property(tries = 300)
    void md5MatchesTheJdk(@ForAll @Size(max = 300) byte[] data) throws Exception {
        byte[] digest = MessageDigest.getInstance("MD5").digest(data);
        int[] words = new int[4];
        Md5.words(data, 0, data.length, words);
        for (int w = 0; w < 4; w++) {
            assertThat(words[w])
                    .isEqualTo((digest[4 * w] & 0xff)
                            | (digest[4 * w + 1] & 0xff) << 8
                            | (digest[4 * w + 2] & 0xff) << 16
                            | (digest[4 * w + 3] & 0xff) << 24);
        }
    }

    @Property(tries = 500)
    void theHashedRangeIsInsideTheKeyAndBetweenTheTagBytesWhenNotWhole(@ForAll @Size(max = 30) byte[] key) {
        HashTag tag = HashTag.parse("{}");
        long range = tag.hashedRange(key, 0, key.length);
        int start = HashTag.start(range);
        int length = HashTag.length(range);
        assertThat(start).isBetween(0, key.length);
        assertThat(start + length).isLessThanOrEqualTo(key.length);
        if (length != key.length) {
            assertThat(length).isPositive();
            assertThat(key[start - 1]).isEqualTo((byte) '{');
            assertThat(key[start + length]).isEqualTo((byte) '}');
            assertThat(Arrays.copyOfRange(key, 0, start - 1)).doesNotContain((byte) '{');
            assertThat(Arrays.copyOfRange(key, start, start + length)).doesNotContain((byte) '}');
        }
    }

    @Property(tries = 200)
    void everyKeyGoesToALiveServer(
            @ForAll HashFunction function,
            @ForAll Distribution distribution,
            @ForAll @IntRange(min = 1, max = 9) int servers,
            @ForAll long liveBits,
            @ForAll @Size(max = 20) List<@Size(max = 24) byte[]> keys) {
        List<ShardServer> list = new ArrayList<>();
        boolean[] live = new boolean[servers];
        for (int i = 0; i < servers; i++) {
            list.add(new ShardServer("10.1.0." + i, 6379 + i, 1 + i % 4, i % 3 == 0 ? "node" + i : null));
            live[i] = (liveBits >>> i & 1) == 1;
        }
        ShardRing ring = ShardRing.build(function, HashTag.parse("{}"), distribution, list, live);
        for (byte[] key : keys) {
            int index = ring.serverIndex(key);
            if (ring.liveServerCount() == 0) {
                assertThat(index).isEqualTo(-1);
            } else if (servers == 1) {
                assertThat(index).isZero();
            } else {
                assertThat(index).isBetween(0, servers - 1);
                assertThat(ring.isLive(index)).as("server %d is live", index).isTrue();
            }
        }
    }
}
