package io.shardis.proxy.metrics;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The order in which nutcracker lists pools, and the servers of a pool, in its stats document:
 * shorter names first, names of one length by their bytes. It is not the configuration's order:
 * nutcracker sorts both lists by name to find duplicates ({@code conf_validate_server},
 * {@code conf_post_validate}) with a comparison that looks at the length first
 * ({@code string_compare}), and keeps them sorted.
 */
final class NutcrackerOrder {

    private NutcrackerOrder() {
    }

    static int compare(String a, String b) {
        byte[] left = a.getBytes(StandardCharsets.UTF_8);
        byte[] right = b.getBytes(StandardCharsets.UTF_8);
        if (left.length != right.length) {
            return Integer.compare(left.length, right.length);
        }
        return Arrays.compareUnsigned(left, right);
    }
}
