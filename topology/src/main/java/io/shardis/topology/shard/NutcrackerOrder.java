package io.shardis.topology.shard;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The order nutcracker keeps names in, not the configuration's: shorter first, names of one length
 * by their bytes (unsigned), its {@code string_compare}. Nutcracker sorts both its pools and a
 * pool's servers this way to find duplicates ({@code conf_validate_server}, {@code conf_post_validate})
 * and keeps them sorted. So its stats document lists pools and servers in this order, modula's slots
 * follow it (servers with a shorter {@link ShardServer#identity()} take the first slots), and so does
 * ketama's continuum for points of equal value.
 */
public final class NutcrackerOrder {

    private NutcrackerOrder() {}

    /** Nutcracker's {@code string_compare} of two names. */
    public static int compare(String a, String b) {
        byte[] left = a.getBytes(StandardCharsets.UTF_8);
        byte[] right = b.getBytes(StandardCharsets.UTF_8);
        if (left.length != right.length) {
            return Integer.compare(left.length, right.length);
        }
        return Arrays.compareUnsigned(left, right);
    }

    /** Indexes into {@code servers}, in nutcracker's order of their identities. */
    static int[] of(List<ShardServer> servers) {
        String[] identities = servers.stream().map(ShardServer::identity).toArray(String[]::new);
        return IntStream.range(0, identities.length)
                .boxed()
                .sorted(Comparator.comparing(i -> identities[i], NutcrackerOrder::compare))
                .mapToInt(Integer::intValue)
                .toArray();
    }
}
