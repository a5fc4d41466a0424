package io.shardis.topology.shard;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * The ketama continuum of nutcracker 0.5.0 ({@code ketama_update} / {@code ketama_dispatch}):
 * points on a 32-bit circle, each owned by a live server, sorted; a key belongs to the first point
 * at or after its hash, wrapping to the first point.
 *
 * <p>Points per live server: {@code floorf(weight / totalLiveWeight * 160 / 4 * liveServers) * 4}
 * in single-precision float, as nutcracker computes it. Group {@code i} of four points comes from
 * one MD5 of {@code "<identity>-<i>"}: its four little-endian words.
 */
final class KetamaContinuum {

    private static final int POINTS_PER_SERVER = 160;
    private static final int POINTS_PER_HASH = 4;
    /**
     * nutcracker formats {@code "<identity>-<i>"} into an 86-byte buffer but hashes as many bytes
     * as the full text has; past 85 bytes it reads beyond the buffer, so no placement can match.
     */
    private static final int MAX_POINT_NAME_BYTES = 85;

    /** Point values XOR {@code 0x80000000}, so that signed order is nutcracker's unsigned order. */
    private final int[] biasedValues;

    private final int[] owners;

    /** Bits of a hash that pick its bucket in {@link #firstOfBucket}. */
    private static final int BUCKET_BITS = 12;

    /**
     * Index of the first point whose value's top {@link #BUCKET_BITS} bits are at least {@code b},
     * for {@code b} up to {@code 2^BUCKET_BITS} inclusive: a lookup searches only its bucket's few
     * points rather than the whole circle.
     */
    private final int[] firstOfBucket;

    private KetamaContinuum(int[] biasedValues, int[] owners) {
        this.biasedValues = biasedValues;
        this.owners = owners;
        this.firstOfBucket = new int[(1 << BUCKET_BITS) + 1];
        int point = 0;
        for (int b = 0; b <= 1 << BUCKET_BITS; b++) {
            while (point < biasedValues.length
                    && (biasedValues[point] ^ Integer.MIN_VALUE) >>> (32 - BUCKET_BITS) < b) {
                point++;
            }
            firstOfBucket[b] = point;
        }
    }

    /**
     * @param order the servers' indexes in nutcracker's order ({@link NutcrackerOrder}), which
     *     decides between points of equal value
     */
    static KetamaContinuum build(List<ShardServer> servers, boolean[] live, int[] order) {
        int liveCount = 0;
        long totalWeight = 0;
        for (int i = 0; i < servers.size(); i++) {
            if (live[i]) {
                liveCount++;
                totalWeight += servers.get(i).weight();
            }
        }
        if (totalWeight > 0xffffffffL) {
            throw new IllegalArgumentException(
                    "the servers' weights add up to " + totalWeight + ", more than nutcracker can count (2^32 - 1)");
        }
        int[] pointCounts = new int[servers.size()];
        int total = 0;
        for (int i = 0; i < servers.size(); i++) {
            if (live[i]) {
                pointCounts[i] = pointsFor(servers.get(i).weight(), totalWeight, liveCount);
                total += pointCounts[i];
            }
        }
        // Sort keys: the biased value above, the insertion order below, so that equal values keep
        // nutcracker's order (glibc's qsort is a stable merge sort for arrays this small).
        long[] keys = new long[total];
        int[] inserted = new int[total];
        int[] words = new int[4];
        int n = 0;
        for (int server : order) {
            String identity = servers.get(server).identity();
            for (int group = 0; group < pointCounts[server] / POINTS_PER_HASH; group++) {
                byte[] pointName = (identity + "-" + group).getBytes(StandardCharsets.UTF_8);
                if (pointName.length > MAX_POINT_NAME_BYTES) {
                    throw new IllegalArgumentException("server " + servers.get(server) + " has a ketama identity '"
                            + identity + "' too long for nutcracker: '" + identity + "-" + group + "' exceeds "
                            + MAX_POINT_NAME_BYTES + " bytes, where nutcracker hashes memory past its buffer; "
                            + "give the server a shorter name");
                }
                Md5.words(pointName, 0, pointName.length, words);
                for (int x = 0; x < POINTS_PER_HASH; x++) {
                    keys[n] = ((long) (words[x] ^ Integer.MIN_VALUE) << 32) | n;
                    inserted[n] = server;
                    n++;
                }
            }
        }
        Arrays.sort(keys);
        int[] biasedValues = new int[total];
        int[] owners = new int[total];
        for (int i = 0; i < total; i++) {
            biasedValues[i] = (int) (keys[i] >> 32);
            owners[i] = inserted[(int) keys[i]];
        }
        return new KetamaContinuum(biasedValues, owners);
    }

    /** nutcracker's arithmetic, operation by operation: float, then the double epsilon, then floorf. */
    static int pointsFor(int weight, long totalWeight, int liveCount) {
        float pct = (float) weight / (float) totalWeight;
        float scaled = pct * POINTS_PER_SERVER / POINTS_PER_HASH * (float) liveCount;
        float nudged = (float) ((double) scaled + 0.0000000001);
        return (int) (float) Math.floor(nudged) * POINTS_PER_HASH;
    }

    /** The server owning {@code hash}: the first point at or after it, else the first point. */
    int serverFor(int hash) {
        int biased = hash ^ Integer.MIN_VALUE;
        int bucket = hash >>> (32 - BUCKET_BITS);
        int low = firstOfBucket[bucket];
        int high = firstOfBucket[bucket + 1];
        while (low < high) {
            int middle = (low + high) >>> 1;
            if (biasedValues[middle] < biased) {
                low = middle + 1;
            } else {
                high = middle;
            }
        }
        return owners[low == biasedValues.length ? 0 : low];
    }

    /** {@link #serverFor} by walking every point in unsigned order; for tests. */
    int serverByScan(int hash) {
        for (int i = 0; i < biasedValues.length; i++) {
            if (Integer.compareUnsigned(biasedValues[i] ^ Integer.MIN_VALUE, hash) >= 0) {
                return owners[i];
            }
        }
        return owners[0];
    }

    /** The points' hash values, in the continuum's order; for tests. */
    int[] pointValues() {
        int[] values = new int[biasedValues.length];
        for (int i = 0; i < values.length; i++) {
            values[i] = biasedValues[i] ^ Integer.MIN_VALUE;
        }
        return values;
    }

    int pointCount() {
        return owners.length;
    }

    /** How many points {@code server} owns. */
    int pointsOf(int server) {
        int count = 0;
        for (int owner : owners) {
            if (owner == server) {
                count++;
            }
        }
        return count;
    }
}
