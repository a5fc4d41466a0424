package io.shardis.topology.shard;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class KetamaContinuumTest {

    @Test
    void aKeyGoesToTheFirstPointAtOrAfterItsHashWrappingToTheFirst() {
        SplittableRandom random = new SplittableRandom(42);
        for (int servers : new int[] {2, 3, 4, 16, 64}) {
            List<ShardServer> list = new ArrayList<>();
            for (int s = 0; s < servers; s++) {
                list.add(ShardServer.of("10.0.0." + s, 6379, 1 + random.nextInt(3)));
            }
            boolean[] live = new boolean[servers];
            Arrays.fill(live, true);
            live[random.nextInt(servers)] = servers == 2;
            KetamaContinuum continuum = KetamaContinuum.build(list, live, NutcrackerOrder.of(list));
            List<Integer> hashes = new ArrayList<>(List.of(0, -1, 1, Integer.MIN_VALUE, Integer.MAX_VALUE));
            for (int i = 0; i < 20_000; i++) {
                hashes.add(random.nextInt());
            }
            for (int hash : hashes) {
                assertThat(continuum.serverFor(hash))
                        .as("%d servers, hash %08x", servers, hash)
                        .isEqualTo(continuum.serverByScan(hash));
            }
            // Every point's own value and its neighbours, where buckets and points meet.
            for (int point : continuum.pointValues()) {
                for (int hash : new int[] {point - 1, point, point + 1}) {
                    assertThat(continuum.serverFor(hash))
                            .as("%d servers, hash %08x", servers, hash)
                            .isEqualTo(continuum.serverByScan(hash));
                }
            }
        }
    }
}
