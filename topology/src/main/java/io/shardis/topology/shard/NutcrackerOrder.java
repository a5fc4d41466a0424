package io.shardis.topology.shard;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The order nutcracker keeps a pool's servers in: not the configuration's. While checking for
 * duplicate names it sorts them by {@link ShardServer#identity()} with its {@code string_compare},
 * shorter first, then byte by byte (unsigned), and keeps that order. Modula's slots follow it
 * (servers with a shorter identity take the first slots), and so does ketama's continuum for
 * points of equal value.
 */
final class NutcrackerOrder {

    private static final Comparator<byte[]> STRING_COMPARE =
            Comparator.<byte[]>comparingInt(bytes -> bytes.length).thenComparing(Arrays::compareUnsigned);

    private NutcrackerOrder() {
    }

    /** Indexes into {@code servers}, in nutcracker's order. */
    static int[] of(List<ShardServer> servers) {
        byte[][] identities = new byte[servers.size()][];
        for (int i = 0; i < identities.length; i++) {
            identities[i] = servers.get(i).identity().getBytes(StandardCharsets.UTF_8);
        }
        return IntStream.range(0, identities.length)
                .boxed()
                .sorted(Comparator.comparing(i -> identities[i], STRING_COMPARE))
                .mapToInt(Integer::intValue)
                .toArray();
    }
}
