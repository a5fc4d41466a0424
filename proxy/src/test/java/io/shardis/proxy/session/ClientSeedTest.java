package io.shardis.proxy.session;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ClientSeedTest {

    /** Consecutive clients spread evenly over any number of masters or replicas. */
    @Test
    void consecutiveClientIdsSpreadEvenlyModuloSmallCounts() {
        int clients = 6_000;
        for (int count = 2; count <= 7; count++) {
            int[] perBucket = new int[count];
            for (long id = 1; id <= clients; id++) {
                perBucket[Math.floorMod(ClientSession.seedOf(id), count)]++;
            }
            int mean = clients / count;
            for (int bucket = 0; bucket < count; bucket++) {
                assertThat(perBucket[bucket])
                        .as("clients on %d of %d", bucket, count)
                        .isBetween(mean * 85 / 100, mean * 115 / 100);
            }
        }
    }

    @Test
    void aClientsSeedDoesNotChange() {
        assertThat(ClientSession.seedOf(42)).isEqualTo(ClientSession.seedOf(42));
        assertThat(ClientSession.seedOf(42)).isNotEqualTo(ClientSession.seedOf(43));
    }
}
