package io.shardis.topology.shard;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every key of every golden file lands on the server the real nutcracker 0.5.0 put it on. */
class ShardRingGoldenTest {

    static List<GoldenPlacement> goldenFiles() {
        return GoldenPlacement.all();
    }

    @Test
    void everyHashFunctionAndDistributionHasGoldenFiles() {
        List<GoldenPlacement> all = goldenFiles();
        for (HashFunction hash : HashFunction.values()) {
            for (Distribution distribution : List.of(Distribution.KETAMA, Distribution.MODULA)) {
                assertThat(all)
                        .as("golden files for %s %s", hash.configName(), distribution.configName())
                        .filteredOn(golden -> golden.hash() == hash && golden.distribution() == distribution)
                        .hasSizeGreaterThanOrEqualTo(3)
                        .anySatisfy(golden -> assertThat(golden.live()).contains(false));
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goldenFiles")
    void placesEveryKeyWhereNutcrackerDid(GoldenPlacement golden) {
        ShardRing ring = golden.ring();
        List<String> wrong = new ArrayList<>();
        for (int i = 0; i < golden.keys().size(); i++) {
            byte[] key = golden.keys().get(i);
            int actual = ring.serverIndex(key, 0, key.length);
            if (actual != golden.expected()[i]) {
                wrong.add(HexFormat.of().formatHex(key) + " -> " + actual + ", nutcracker: " + golden.expected()[i]);
            }
        }
        assertThat(wrong)
                .as("keys placed differently from nutcracker in %s", golden.file())
                .isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goldenFiles")
    void placesKeysTheSameWithinLargerBuffers(GoldenPlacement golden) {
        ShardRing ring = golden.ring();
        for (int i = 0; i < golden.keys().size(); i++) {
            byte[] key = golden.keys().get(i);
            byte[] framed = new byte[key.length + 7];
            java.util.Arrays.fill(framed, (byte) '{');
            System.arraycopy(key, 0, framed, 3, key.length);
            assertThat(ring.serverIndex(framed, 3, key.length))
                    .as("key %s at offset 3 of a larger buffer", HexFormat.of().formatHex(key))
                    .isEqualTo(golden.expected()[i]);
        }
    }
}
