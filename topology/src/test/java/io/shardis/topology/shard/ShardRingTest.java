package io.shardis.topology.shard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class ShardRingTest {

    private static final HashTag BRACES = HashTag.parse("{}");

    @ParameterizedTest(name = "weights {0} -> points {1}")
    @CsvSource(delimiter = '|', textBlock = """
            1 1 1           | 160 160 160
            1 2             | 104 212
            1 2 1 3 5       | 64 132 64 200 332
            1 2 3 4         | 64 128 192 256
            3 7             | 96 224
            7 3 3           | 256 108 108
            2 2 3           | 136 136 204
            10 20 30        | 80 160 240
            1 100           | 0 316
            """)
    void ketamaGivesEachServerThePointsNutcrackersFloatArithmeticGives(String weights, String points) {
        // Expected values computed by nutcracker's own expression compiled with gcc on x86-64.
        ShardRing ring = ring(HashFunction.FNV1A_64, Distribution.KETAMA, weights(weights));
        int[] expected =
                Arrays.stream(points.split(" ")).mapToInt(Integer::parseInt).toArray();
        for (int i = 0; i < expected.length; i++) {
            assertThat(ring.ketamaPoints(i)).as("points of server %d", i).isEqualTo(expected[i]);
        }
    }

    @Test
    void aServerWhoseWeightRoundsToNoPointsGetsNoKey() {
        ShardRing ring = ring(HashFunction.MURMUR, Distribution.KETAMA, new int[] {1, 1000});
        for (int i = 0; i < 20_000; i++) {
            assertThat(ring.serverIndex("key:" + i)).isEqualTo(1);
        }
    }

    @Test
    void ketamaEjectionRescalesTheWeightsOfTheLiveServers() {
        ShardRing all = ring(HashFunction.FNV1A_64, Distribution.KETAMA, new int[] {1, 2, 1, 3, 5});
        ShardRing ejected = all.withLive(new boolean[] {true, true, false, true, true});
        // nutcracker's arithmetic on the live weights 1 2 3 5 among 4 live servers.
        assertThat(IntStream.range(0, 5).map(ejected::ketamaPoints).toArray()).containsExactly(56, 116, 0, 172, 288);
    }

    @Test
    void withEqualWeightsEjectionMovesOnlyTheEjectedServersKeys() {
        List<ShardServer> servers = named(8);
        ShardRing all = ShardRing.build(HashFunction.MD5, HashTag.NONE, Distribution.KETAMA, servers);
        boolean[] live = new boolean[8];
        Arrays.fill(live, true);
        live[3] = false;
        ShardRing ejected = all.withLive(live);
        int moved = 0;
        for (int i = 0; i < 20_000; i++) {
            byte[] key = ("k" + i).getBytes(StandardCharsets.US_ASCII);
            int before = all.serverIndex(key);
            int after = ejected.serverIndex(key);
            assertThat(after).isNotEqualTo(3);
            if (before != 3) {
                assertThat(after).as("key k%d of a live server", i).isEqualTo(before);
            } else {
                moved++;
            }
        }
        assertThat(moved).isBetween(20_000 / 8 / 2, 20_000 / 8 * 2);
    }

    @Test
    void aServerComingBackTakesBackExactlyItsKeys() {
        ShardRing all = ring(HashFunction.HSIEH, Distribution.KETAMA, new int[] {1, 2, 1, 3, 5});
        ShardRing back = all.withLive(new boolean[] {true, true, false, true, true})
                .withLive(new boolean[] {true, true, true, true, true});
        for (int i = 0; i < 5_000; i++) {
            assertThat(back.serverIndex("key:" + i)).isEqualTo(all.serverIndex("key:" + i));
        }
    }

    @Test
    void namedServersKeepTheirKeysWhenTheirAddressesChange() {
        // ketama hashes the name, so a failover to another address moves no key.
        List<ShardServer> before = new ArrayList<>();
        List<ShardServer> after = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            before.add(new ShardServer("10.0.0." + i, 6379, 1 + i, "shard" + i));
            after.add(new ShardServer("10.0.1." + (9 - i), 7000 + i, 1 + i, "shard" + i));
        }
        for (Distribution distribution : List.of(Distribution.KETAMA, Distribution.MODULA)) {
            ShardRing one = ShardRing.build(HashFunction.FNV1A_64, BRACES, distribution, before);
            ShardRing other = ShardRing.build(HashFunction.FNV1A_64, BRACES, distribution, after);
            for (int i = 0; i < 5_000; i++) {
                assertThat(other.serverIndex("user:" + i)).isEqualTo(one.serverIndex("user:" + i));
            }
        }
    }

    @Test
    void unnamedServersAreIdentifiedByTheirAddress() {
        List<ShardServer> before = List.of(ShardServer.of("10.0.0.1", 6379, 1), ShardServer.of("10.0.0.2", 6379, 1));
        List<ShardServer> moved = List.of(ShardServer.of("10.0.0.1", 6379, 1), ShardServer.of("10.0.0.3", 6379, 1));
        ShardRing one = ShardRing.build(HashFunction.FNV1A_64, HashTag.NONE, Distribution.KETAMA, before);
        ShardRing other = ShardRing.build(HashFunction.FNV1A_64, HashTag.NONE, Distribution.KETAMA, moved);
        long differ = IntStream.range(0, 5_000)
                .filter(i -> one.serverIndex("k" + i) != other.serverIndex("k" + i))
                .count();
        assertThat(differ).isPositive();
    }

    @Test
    void modulaSlotsFollowNutcrackersOrderOfServersShortestIdentityFirst() {
        // Identities "zz" and "a": nutcracker sorts them by length, then bytes, so "a" owns slot 0.
        List<ShardServer> servers =
                List.of(new ShardServer("10.0.0.1", 6379, 1, "zz"), new ShardServer("10.0.0.2", 6379, 2, "a"));
        ShardRing ring = ShardRing.build(HashFunction.CRC32A, HashTag.NONE, Distribution.MODULA, servers);
        for (int i = 0; i < 3_000; i++) {
            byte[] key = ("k" + i).getBytes(StandardCharsets.US_ASCII);
            long slot = Integer.toUnsignedLong(HashFunction.CRC32A.hash(key)) % 3;
            assertThat(ring.serverIndex(key)).isEqualTo(slot < 2 ? 1 : 0);
        }
    }

    @Test
    void modulaWithAnEjectedServerSpreadsOverTheLiveWeightsOnly() {
        List<ShardServer> servers = List.of(
                new ShardServer("h", 1, 1, "a"), new ShardServer("h", 2, 2, "b"), new ShardServer("h", 3, 3, "c"));
        ShardRing ring = ShardRing.build(
                HashFunction.MURMUR, HashTag.NONE, Distribution.MODULA, servers, new boolean[] {true, false, true});
        for (int i = 0; i < 3_000; i++) {
            byte[] key = ("k" + i).getBytes(StandardCharsets.US_ASCII);
            long slot = Integer.toUnsignedLong(HashFunction.MURMUR.hash(key)) % 4;
            assertThat(ring.serverIndex(key)).isEqualTo(slot < 1 ? 0 : 2);
        }
    }

    @ParameterizedTest
    @EnumSource(Distribution.class)
    void theEmptyKeyHashesToZero(Distribution distribution) {
        List<ShardServer> servers = List.of(
                new ShardServer("h", 1, 2, "bb"), new ShardServer("h", 2, 1, "a"), new ShardServer("h", 3, 1, "c"));
        ShardRing ring = ShardRing.build(HashFunction.FNV1A_32, HashTag.NONE, distribution, servers);
        int index = ring.serverIndex(new byte[0]);
        switch (distribution) {
            // Slot 0 belongs to the first server in nutcracker's order: "a".
            case MODULA -> assertThat(index).isEqualTo(1);
            // The first point of the continuum, as for any hash below every point.
            case KETAMA -> assertThat(index).isEqualTo(ringOwnerOfLowestPoint(ring));
            case RANDOM -> assertThat(index).isBetween(0, 2);
        }
    }

    @ParameterizedTest
    @EnumSource(Distribution.class)
    void aOneServerPoolDoesNotHash(Distribution distribution) {
        ShardRing ring = ShardRing.build(HashFunction.MD5, BRACES, distribution, List.of(ShardServer.of("h", 1, 5)));
        for (String key : List.of("", "a", "{x}", "anything at all")) {
            assertThat(ring.serverIndex(key)).isZero();
        }
        assertThat(ring.withLive(new boolean[] {false}).serverIndex("a")).isEqualTo(-1);
    }

    @ParameterizedTest
    @EnumSource(Distribution.class)
    void noLiveServerMeansNoServer(Distribution distribution) {
        ShardRing ring = ShardRing.build(HashFunction.MD5, BRACES, distribution, named(3), new boolean[3]);
        assertThat(ring.liveServerCount()).isZero();
        assertThat(ring.serverIndex("a")).isEqualTo(-1);
        assertThat(ring.serverIndex("")).isEqualTo(-1);
    }

    @Test
    void randomPicksOnlyLiveServersRoughlyUniformlyWhateverTheirWeights() {
        List<ShardServer> servers = List.of(
                ShardServer.of("h", 1, 1),
                ShardServer.of("h", 2, 9),
                ShardServer.of("h", 3, 1),
                ShardServer.of("h", 4, 5),
                ShardServer.of("h", 5, 1));
        ShardRing ring = ShardRing.build(HashFunction.MD5, HashTag.NONE, Distribution.RANDOM, servers, new boolean[] {
            true, false, true, true, false
        });
        int[] counts = new int[5];
        byte[] key = "same key".getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < 30_000; i++) {
            counts[ring.serverIndex(key)]++;
        }
        assertThat(counts[1]).isZero();
        assertThat(counts[4]).isZero();
        for (int live : new int[] {0, 2, 3}) {
            assertThat(counts[live]).as("draws of server %d", live).isBetween(9_000, 11_000);
        }
    }

    @ParameterizedTest
    @EnumSource(HashFunction.class)
    void keysSharingAHashTagShareAServer(HashFunction hash) {
        for (Distribution distribution : List.of(Distribution.KETAMA, Distribution.MODULA)) {
            ShardRing ring = ShardRing.build(hash, BRACES, distribution, named(7));
            for (int i = 0; i < 200; i++) {
                int server = ring.serverIndex("user" + i);
                assertThat(ring.serverIndex("{user" + i + "}:profile")).isEqualTo(server);
                assertThat(ring.serverIndex("session:{user" + i + "}")).isEqualTo(server);
            }
        }
    }

    @Test
    void refusesServersNutcrackerWouldRefuse() {
        assertThatThrownBy(() -> ShardRing.build(HashFunction.MD5, HashTag.NONE, Distribution.KETAMA, List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least one server");
        // The same identity twice: "127.0.0.1" is what 127.0.0.1:11211 hashes as.
        List<ShardServer> duplicate =
                List.of(ShardServer.of("127.0.0.1", 11211, 1), new ShardServer("10.0.0.9", 6379, 1, "127.0.0.1"));
        assertThatThrownBy(() -> ShardRing.build(HashFunction.MD5, HashTag.NONE, Distribution.MODULA, duplicate))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("same name '127.0.0.1'");
        assertThatThrownBy(() ->
                        ShardRing.build(HashFunction.MD5, HashTag.NONE, Distribution.KETAMA, named(2), new boolean[3]))
                .hasMessageContaining("2 servers but 3 live flags");
    }

    @Test
    void ketamaRefusesIdentitiesTooLongForNutcrackersBuffer() {
        String longName = "n".repeat(83);
        List<ShardServer> servers = List.of(new ShardServer("h", 1, 1, longName), new ShardServer("h", 2, 1, "short"));
        assertThatThrownBy(() -> ShardRing.build(HashFunction.MD5, HashTag.NONE, Distribution.KETAMA, servers))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("too long");
        // Modula and random never format point names.
        assertThat(ShardRing.build(HashFunction.MD5, HashTag.NONE, Distribution.MODULA, servers)
                        .serverIndex("k"))
                .isBetween(0, 1);
        // 82 bytes + "-39" is 85 bytes: still inside the buffer.
        List<ShardServer> fits =
                List.of(new ShardServer("h", 1, 1, "n".repeat(82)), new ShardServer("h", 2, 1, "short"));
        assertThat(ShardRing.build(HashFunction.MD5, HashTag.NONE, Distribution.KETAMA, fits)
                        .ketamaPoints(0))
                .isEqualTo(160);
    }

    @Test
    void theRingKeepsItsOwnCopyOfTheLiveFlags() {
        boolean[] live = {true, true};
        ShardRing ring = ShardRing.build(HashFunction.MD5, HashTag.NONE, Distribution.MODULA, named(2), live);
        live[0] = false;
        assertThat(ring.isLive(0)).isTrue();
        assertThat(ring.liveServerCount()).isEqualTo(2);
    }

    @Test
    void lookupsAllocateNothing() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        byte[][] keys = new byte[1_000][];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = ("{tag" + i + "}:key:" + i + "\u00e9").getBytes(StandardCharsets.UTF_8);
        }
        List<ShardRing> rings = new ArrayList<>();
        for (HashFunction hash : HashFunction.values()) {
            for (Distribution distribution : Distribution.values()) {
                rings.add(ShardRing.build(hash, BRACES, distribution, named(5)));
            }
        }
        int sink = 0;
        for (int round = 0; round < 3; round++) {
            sink += lookUpAll(rings, keys);
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        sink += lookUpAll(rings, keys);
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertThat(sink).isNotZero();
        // 36,000 lookups; a few hundred bytes of slack for the measurement itself.
        assertThat(allocated).as("bytes allocated by 36,000 lookups").isLessThan(4_096);
    }

    private static int lookUpAll(List<ShardRing> rings, byte[][] keys) {
        int sum = 0;
        for (ShardRing ring : rings) {
            for (byte[] key : keys) {
                sum += ring.serverIndex(key, 0, key.length) + 1;
            }
        }
        return sum;
    }

    /** The server owning the lowest point, from MD5 digests of its point names: where a hash of 0 lands. */
    private static int ringOwnerOfLowestPoint(ShardRing ring) {
        long lowest = Long.MAX_VALUE;
        int owner = -1;
        for (int server = 0; server < ring.servers().size(); server++) {
            for (int group = 0; group < ring.ketamaPoints(server) / 4; group++) {
                byte[] digest =
                        md5((ring.servers().get(server).identity() + "-" + group).getBytes(StandardCharsets.UTF_8));
                for (int word = 0; word < 4; word++) {
                    long value = (digest[4 * word] & 0xffL)
                            | (digest[4 * word + 1] & 0xffL) << 8
                            | (digest[4 * word + 2] & 0xffL) << 16
                            | (digest[4 * word + 3] & 0xffL) << 24;
                    if (value < lowest) {
                        lowest = value;
                        owner = server;
                    }
                }
            }
        }
        return owner;
    }

    private static byte[] md5(byte[] data) {
        try {
            return java.security.MessageDigest.getInstance("MD5").digest(data);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ShardRing ring(HashFunction hash, Distribution distribution, int[] weights) {
        List<ShardServer> servers = new ArrayList<>();
        for (int i = 0; i < weights.length; i++) {
            servers.add(new ShardServer("10.0.0." + i, 6379, weights[i], "server" + i));
        }
        return ShardRing.build(hash, HashTag.NONE, distribution, servers);
    }

    private static int[] weights(String text) {
        return Arrays.stream(text.split(" ")).mapToInt(Integer::parseInt).toArray();
    }

    private static List<ShardServer> named(int count) {
        List<ShardServer> servers = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            servers.add(new ShardServer("10.0.0." + i, 6379, 1, "shard" + (i + 1)));
        }
        return servers;
    }
}
