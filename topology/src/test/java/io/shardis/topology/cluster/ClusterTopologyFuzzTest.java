package io.shardis.topology.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.shardis.resp.RespProtocolException;
import io.shardis.resp.RespValue;
import io.shardis.resp.RespValueReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Coverage-guided fuzzing of what cluster nodes answer to {@code CLUSTER SLOTS} and
 * {@code CLUSTER SHARDS}: replies shaped as Redis sends them with hostile contents (overlapping,
 * reversed and out-of-range slots, odd ports, missing fields), and any RESP value at all. The
 * parsers give a consistent slot map or a {@link ClusterTopologyException}, nothing else.
 */
class ClusterTopologyFuzzTest {

    private static final String ASKED = "10.0.0.1";
    private static final String[] HOSTS = {"127.0.0.1", "", "?", "node-1.example", "::1", "10.0.0.1"};
    private static final String[] IDS = {"a", "b", "c", "", "a"};

    @FuzzTest(maxDuration = "10s")
    void anyReplyGivesAConsistentSlotMapOrATopologyError(FuzzedDataProvider data) {
        int mode = data.consumeInt(0, 2);
        RespValue reply = switch (mode) {
            case 0 -> slotsReply(data);
            case 1 -> shardsReply(data);
            default -> anyValue(data);
        };
        if (reply == null) {
            return;
        }
        for (boolean shards : new boolean[] {false, true}) {
            SlotMap map;
            try {
                map = shards
                        ? ClusterTopologyParser.parseShards(reply, ASKED)
                        : ClusterTopologyParser.parseSlots(reply, ASKED);
            } catch (ClusterTopologyException refused) {
                assertThat(refused.getMessage()).isNotBlank();
                continue;
            }
            assertConsistent(map);
        }
    }

    private static void assertConsistent(SlotMap map) {
        int covered = 0;
        java.util.Map<ClusterNode, List<SlotRange>> ranges = new java.util.HashMap<>();
        for (int slot = 0; slot < HashSlot.SLOT_COUNT; slot++) {
            ClusterNode master = map.master(slot);
            if (master != null) {
                covered++;
                List<SlotRange> served = ranges.computeIfAbsent(master, map::slotsOf);
                int at = slot;
                if (served.stream().noneMatch(range -> range.contains(at))) {
                    throw new AssertionError("slot " + slot + " of " + master + " is not in its ranges " + served);
                }
                for (ClusterNode replica : map.replicas(slot)) {
                    if (replica.isMaster() || !master.id().equals(replica.masterId())) {
                        throw new AssertionError("replica " + replica + " listed for a slot of " + master);
                    }
                }
            }
        }
        assertThat(ranges.keySet()).isSubsetOf(map.masters());
        assertThat(map.coveredSlotCount()).isEqualTo(covered);
        assertThat(map.isCovered()).isEqualTo(covered == HashSlot.SLOT_COUNT);
        int uncovered = map.uncoveredSlots().stream().mapToInt(SlotRange::size).sum();
        assertThat(uncovered).isEqualTo(HashSlot.SLOT_COUNT - covered);
        assertThat(map.nodes()).containsAll(map.masters());
    }

    /** {@code [[first, last, [host, port, id], [host, port, id]...]...]}. */
    private static RespValue slotsReply(FuzzedDataProvider data) {
        List<RespValue> ranges = new ArrayList<>();
        int count = data.consumeInt(0, 5);
        for (int i = 0; i < count; i++) {
            List<RespValue> range = new ArrayList<>();
            range.add(new RespValue.Integer(slot(data)));
            range.add(new RespValue.Integer(slot(data)));
            int nodes = data.consumeInt(0, 3);
            for (int n = 0; n < nodes; n++) {
                List<RespValue> node = new ArrayList<>();
                node.add(bulk(data.pickValue(HOSTS)));
                node.add(new RespValue.Integer(port(data)));
                if (data.consumeBoolean()) {
                    node.add(bulk(data.pickValue(IDS) + data.consumeInt(0, 3)));
                }
                if (data.consumeBoolean()) {
                    node.add(new RespValue.Array(List.of(bulk("hostname"), bulk(data.pickValue(HOSTS)))));
                }
                range.add(data.consumeInt(0, 20) == 0 ? anyScalar(data) : new RespValue.Array(node));
            }
            ranges.add(new RespValue.Array(range));
        }
        return new RespValue.Array(ranges);
    }

    /** {@code [[slots, [first, last...], nodes, [{id, port, ip, endpoint, role, health...}...]]...]}. */
    private static RespValue shardsReply(FuzzedDataProvider data) {
        List<RespValue> shards = new ArrayList<>();
        int count = data.consumeInt(0, 4);
        for (int i = 0; i < count; i++) {
            List<RespValue> slots = new ArrayList<>();
            int bounds = data.consumeInt(0, 5);
            for (int b = 0; b < bounds; b++) {
                slots.add(new RespValue.Integer(slot(data)));
            }
            List<RespValue> nodes = new ArrayList<>();
            int members = data.consumeInt(0, 3);
            for (int n = 0; n < members; n++) {
                List<RespValue.Pair> fields = new ArrayList<>();
                String[] names = {
                    "id", "port", "tls-port", "ip", "endpoint", "hostname", "role", "health", "replication-offset"
                };
                for (String name : names) {
                    if (data.consumeInt(0, 7) == 0) {
                        continue; // a missing field
                    }
                    RespValue value = switch (name) {
                        case "port", "tls-port", "replication-offset" -> new RespValue.Integer(port(data));
                        case "role" -> bulk(data.pickValue(new String[] {"master", "replica", "slave", "other"}));
                        case "health" -> bulk(data.pickValue(new String[] {"online", "failed", "loading", "?"}));
                        case "id" -> bulk(data.pickValue(IDS) + data.consumeInt(0, 3));
                        default -> bulk(data.pickValue(HOSTS));
                    };
                    fields.add(new RespValue.Pair(bulk(name), data.consumeInt(0, 30) == 0 ? anyScalar(data) : value));
                }
                nodes.add(data.consumeBoolean() ? new RespValue.Map(fields) : flatten(fields));
            }
            List<RespValue.Pair> shard = List.of(
                    new RespValue.Pair(bulk("slots"), new RespValue.Array(slots)),
                    new RespValue.Pair(bulk("nodes"), new RespValue.Array(nodes)));
            shards.add(data.consumeBoolean() ? new RespValue.Map(shard) : flatten(shard));
        }
        return new RespValue.Array(shards);
    }

    /** Any value the RESP reader makes of the fuzzer's bytes. */
    private static RespValue anyValue(FuzzedDataProvider data) {
        ByteBuf bytes = Unpooled.wrappedBuffer(data.consumeRemainingAsBytes());
        try {
            return new RespValueReader().read(bytes);
        } catch (RespProtocolException notResp) {
            return null;
        } finally {
            bytes.release();
        }
    }

    private static RespValue anyScalar(FuzzedDataProvider data) {
        return switch (data.consumeInt(0, 4)) {
            case 0 -> RespValue.BulkString.NULL;
            case 1 -> RespValue.Null.INSTANCE;
            case 2 -> new RespValue.Integer(data.consumeLong());
            case 3 -> new RespValue.Double(data.consumeDouble());
            default ->
                new RespValue.SimpleString(
                        data.consumeAsciiString(8).replace('\r', ' ').replace('\n', ' '));
        };
    }

    private static RespValue flatten(List<RespValue.Pair> pairs) {
        List<RespValue> flat = new ArrayList<>();
        for (RespValue.Pair pair : pairs) {
            flat.add(pair.key());
            flat.add(pair.value());
        }
        return new RespValue.Array(flat);
    }

    private static long slot(FuzzedDataProvider data) {
        return data.consumeInt(0, 10) == 0 ? data.consumeLong() : data.consumeInt(-1, HashSlot.SLOT_COUNT);
    }

    private static long port(FuzzedDataProvider data) {
        return data.consumeInt(0, 10) == 0 ? data.consumeLong() : data.consumeInt(0, 65536);
    }

    private static RespValue bulk(String text) {
        return new RespValue.BulkString(text.getBytes(StandardCharsets.UTF_8));
    }
}
