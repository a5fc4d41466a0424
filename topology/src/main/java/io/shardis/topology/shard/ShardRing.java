package io.shardis.topology.shard;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Which server of a sharded pool holds a key, exactly as nutcracker 0.5.0 decides it
 * ({@code server_pool_idx}), so that a pool moved from Twemproxy to Shardis keeps every key where it is.
 *
 * <p>Immutable and safe to share between threads; {@link #serverIndex} allocates nothing. Build a
 * new ring when the set of live servers changes: as in nutcracker, an ejected server leaves the
 * continuum (ketama), the slots (modula) or the draw (random), and the rest is rebuilt from the
 * live servers only, with weights shared among them.
 *
 * <p>Rules kept from nutcracker, in order: no live server, no answer ({@code -1}); a pool of one
 * server does not hash (index 0); random ignores the key; otherwise the hash tag picks the bytes to
 * hash, an empty key hashes to 0 without the hash function, and the distribution maps the hash.
 *
 * <p>Indexes refer to the servers in configuration order. nutcracker itself keeps them sorted by
 * identity ({@link NutcrackerOrder}), and modula hands out its slots in that order: the ring does
 * the same internally.
 */
public final class ShardRing {

    private final HashFunction hashFunction;
    private final HashTag hashTag;
    private final Distribution distribution;
    private final List<ShardServer> servers;
    private final boolean[] live;
    private final int liveCount;
    /** Ketama only. */
    private final KetamaContinuum continuum;
    /** Modula: the exclusive end of each live server's slots, in nutcracker's server order. Random: unused. */
    private final long[] slotEnds;
    /** Modula: the server of each {@link #slotEnds} entry. Random: the live servers. */
    private final int[] slotServers;

    private final long totalSlots;

    private ShardRing(
            HashFunction hashFunction,
            HashTag hashTag,
            Distribution distribution,
            List<ShardServer> servers,
            boolean[] live) {
        this.hashFunction = hashFunction;
        this.hashTag = hashTag;
        this.distribution = distribution;
        this.servers = servers;
        this.live = live;
        int count = 0;
        for (boolean up : live) {
            count += up ? 1 : 0;
        }
        this.liveCount = count;
        int[] order = NutcrackerOrder.of(servers);
        this.continuum =
                distribution == Distribution.KETAMA && count > 0 ? KetamaContinuum.build(servers, live, order) : null;
        this.slotEnds = new long[count];
        this.slotServers = new int[count];
        long slots = 0;
        int n = 0;
        for (int i : order) {
            if (live[i]) {
                slots += servers.get(i).weight();
                slotEnds[n] = slots;
                slotServers[n++] = i;
            }
        }
        this.totalSlots = slots;
    }

    /**
     * The ring of a pool.
     *
     * @param hash the pool's {@code hash}
     * @param tag the pool's {@code hash_tag}, or {@link HashTag#NONE}
     * @param distribution the pool's {@code distribution}
     * @param servers the pool's {@code servers}, in configuration order (indexes refer to it)
     * @param live which of them are live, i.e. not ejected; copied
     * @throws IllegalArgumentException for no servers, two with the same {@link ShardServer#identity()}
     *     (nutcracker refuses those too), or a {@code live} of another length
     */
    public static ShardRing build(
            HashFunction hash, HashTag tag, Distribution distribution, List<ShardServer> servers, boolean[] live) {
        Objects.requireNonNull(hash, "hash");
        Objects.requireNonNull(tag, "tag");
        Objects.requireNonNull(distribution, "distribution");
        List<ShardServer> copy = List.copyOf(servers);
        if (copy.isEmpty()) {
            throw new IllegalArgumentException("a pool needs at least one server");
        }
        if (live.length != copy.size()) {
            throw new IllegalArgumentException(copy.size() + " servers but " + live.length + " live flags");
        }
        Map<String, ShardServer> byIdentity = new HashMap<>();
        for (ShardServer server : copy) {
            ShardServer other = byIdentity.putIfAbsent(server.identity(), server);
            if (other != null) {
                throw new IllegalArgumentException(
                        "servers '" + other + "' and '" + server + "' have the same name '" + server.identity() + "'");
            }
        }
        return new ShardRing(hash, tag, distribution, copy, live.clone());
    }

    /** The ring with every server live. */
    public static ShardRing build(
            HashFunction hash, HashTag tag, Distribution distribution, List<ShardServer> servers) {
        boolean[] live = new boolean[servers.size()];
        Arrays.fill(live, true);
        return build(hash, tag, distribution, servers, live);
    }

    /** This pool again with another set of live servers. */
    public ShardRing withLive(boolean[] newLive) {
        return build(hashFunction, hashTag, distribution, servers, newLive);
    }

    /**
     * The index into {@link #servers()} of the server holding {@code key[offset, offset + length)},
     * or {@code -1} when no server is live. For {@link Distribution#RANDOM} a random live server.
     */
    public int serverIndex(byte[] key, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, key.length);
        if (liveCount == 0) {
            return -1;
        }
        if (servers.size() == 1) {
            return 0;
        }
        if (distribution == Distribution.RANDOM) {
            return slotServers[ThreadLocalRandom.current().nextInt(liveCount)];
        }
        long range = hashTag.hashedRange(key, offset, length);
        int hashedLength = HashTag.length(range);
        int hash = hashedLength == 0 ? 0 : hashFunction.hash(key, HashTag.start(range), hashedLength);
        if (distribution == Distribution.KETAMA) {
            return continuum.serverFor(hash);
        }
        return modulaServer(hash);
    }

    /** {@link #serverIndex(byte[], int, int)} of a whole array. */
    public int serverIndex(byte[] key) {
        return serverIndex(key, 0, key.length);
    }

    /** {@link #serverIndex(byte[], int, int)} of a key's UTF-8 bytes; for tests and tools, it allocates. */
    public int serverIndex(String key) {
        return serverIndex(key.getBytes(StandardCharsets.UTF_8));
    }

    public List<ShardServer> servers() {
        return servers;
    }

    public boolean isLive(int index) {
        return live[index];
    }

    public int liveServerCount() {
        return liveCount;
    }

    public HashFunction hashFunction() {
        return hashFunction;
    }

    public HashTag hashTag() {
        return hashTag;
    }

    public Distribution distribution() {
        return distribution;
    }

    /** How many ketama points {@code server} has on this ring (0 when ejected); 0 for other distributions. */
    public int ketamaPoints(int server) {
        return continuum == null ? 0 : continuum.pointsOf(server);
    }

    @Override
    public String toString() {
        return "ShardRing[" + distribution.configName() + ", " + hashFunction.configName() + ", " + hashTag + ", "
                + liveCount + " of " + servers.size() + " servers live]";
    }

    /**
     * modula: slot {@code hash % totalWeight}, the live servers owning {@code weight} consecutive
     * slots each, in nutcracker's order of servers ({@link NutcrackerOrder}), not the configuration's.
     */
    private int modulaServer(int hash) {
        long slot = (hash & 0xffffffffL) % totalSlots;
        int low = 0;
        int high = slotEnds.length - 1;
        while (low < high) {
            int middle = (low + high) >>> 1;
            if (slotEnds[middle] <= slot) {
                low = middle + 1;
            } else {
                high = middle;
            }
        }
        return slotServers[low];
    }
}
