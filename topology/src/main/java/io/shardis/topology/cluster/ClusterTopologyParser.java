package io.shardis.topology.cluster;

import io.shardis.resp.RespValue;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Builds a {@link SlotMap} from a node's reply to {@code CLUSTER SHARDS} (Redis 7+) or
 * {@code CLUSTER SLOTS} (any cluster version), decoded as a {@link RespValue}. Both RESP2 (maps as
 * flat key/value arrays) and RESP3 (maps) replies are read.
 *
 * <p>Where a node is reached: its preferred endpoint; when that is {@code ?} (hostnames preferred
 * but the node announces none), its IP; when the endpoint is empty or null (the cluster does not
 * know it, {@code cluster-preferred-endpoint-type unknown-endpoint}), the host the reply was
 * asked from, as Redis documents.
 *
 * <p>Stateless; malformed replies and error replies raise {@link ClusterTopologyException}.
 */
public final class ClusterTopologyParser {

    private static final String UNKNOWN_HOSTNAME = "?";

    private ClusterTopologyParser() {}

    /**
     * Reads a {@code CLUSTER SHARDS} reply: one entry per shard with its {@code slots} (pairs of
     * first and last slot) and {@code nodes} (each with {@code id}, {@code port} or
     * {@code tls-port}, {@code ip}, {@code endpoint}, optional {@code hostname}, {@code role},
     * {@code health}). A shard may serve no slot; a shard that lists its failed former master
     * beside the promoted one gives the slots to the master that has not failed.
     *
     * @param askedHost the host the reply came from, for nodes without a known endpoint
     */
    public static SlotMap parseShards(RespValue reply, String askedHost) {
        return parseShards(reply, askedHost, false);
    }

    /**
     * As {@link #parseShards(RespValue, String)}; with {@code tls}, each node is reached at its
     * {@code tls-port} when it reports one ({@code tls-cluster yes}), else at its {@code port}.
     */
    public static SlotMap parseShards(RespValue reply, String askedHost, boolean tls) {
        try {
            SlotMap.Builder map = SlotMap.builder();
            for (RespValue shardValue : elements(reply, "CLUSTER SHARDS reply")) {
                Map<String, RespValue> shard = fields(shardValue, "shard");
                List<RespValue> slots = elements(required(shard, "slots", "shard"), "slots");
                List<ShardMember> members = new ArrayList<>();
                for (RespValue nodeValue : elements(required(shard, "nodes", "shard"), "nodes")) {
                    members.add(shardMember(fields(nodeValue, "node"), askedHost, tls));
                }
                String masterId = shardMaster(members, !slots.isEmpty());
                for (ShardMember member : members) {
                    map.node(member.toNode(masterId));
                }
                if (slots.size() % 2 != 0) {
                    throw new ClusterTopologyException("odd number of slot bounds in shard of " + masterId);
                }
                for (int i = 0; i < slots.size(); i += 2) {
                    map.assign(slotNumber(slots.get(i)), slotNumber(slots.get(i + 1)), masterId);
                }
            }
            return map.build();
        } catch (IllegalArgumentException e) {
            throw new ClusterTopologyException("inconsistent CLUSTER SHARDS reply: " + e.getMessage(), e);
        }
    }

    /**
     * Reads a {@code CLUSTER SLOTS} reply: one entry per slot range, {@code [first, last, master,
     * replica...]}, each node as {@code [endpoint, port, id?, metadata?]}. Failed replicas are not
     * in such a reply, so every node is {@link ClusterNode.Health#ONLINE}; masters serving no slot
     * are not in it either.
     *
     * @param askedHost the host the reply came from, for nodes without a known endpoint
     */
    public static SlotMap parseSlots(RespValue reply, String askedHost) {
        try {
            SlotMap.Builder map = SlotMap.builder();
            for (RespValue rangeValue : elements(reply, "CLUSTER SLOTS reply")) {
                List<RespValue> range = elements(rangeValue, "slot range");
                if (range.size() < 3) {
                    throw new ClusterTopologyException("slot range without a master: " + rangeValue);
                }
                ClusterNode master = slotsNode(range.get(2), askedHost, null);
                map.node(master);
                for (RespValue replica : range.subList(3, range.size())) {
                    map.node(slotsNode(replica, askedHost, master.id()));
                }
                map.assign(slotNumber(range.get(0)), slotNumber(range.get(1)), master.id());
            }
            return map.build();
        } catch (IllegalArgumentException e) {
            throw new ClusterTopologyException("inconsistent CLUSTER SLOTS reply: " + e.getMessage(), e);
        }
    }

    /** A node of a shard before we know which master its replicas follow. */
    private record ShardMember(String id, String host, int port, boolean master, ClusterNode.Health health) {
        ClusterNode toNode(String shardMasterId) {
            if (master) {
                return ClusterNode.master(id, host, port, health);
            }
            return ClusterNode.replica(id, host, port, shardMasterId, health);
        }
    }

    private static ShardMember shardMember(Map<String, RespValue> node, String askedHost, boolean tls) {
        String id = text(required(node, "id", "node"));
        int port = port(node, tls);
        String host = host(
                optionalText(node.get("endpoint")),
                node.containsKey("endpoint"),
                optionalText(node.get("ip")),
                askedHost);
        String role = text(required(node, "role", "node " + id)).toLowerCase(Locale.ROOT);
        boolean master = switch (role) {
            case "master", "primary" -> true;
            case "replica", "slave" -> false;
            default -> throw new ClusterTopologyException("node " + id + " has an unknown role '" + role + "'");
        };
        RespValue healthValue = node.get("health");
        ClusterNode.Health health = healthValue == null ? ClusterNode.Health.ONLINE : health(text(healthValue), id);
        return new ShardMember(id, host, port, master, health);
    }

    private static int port(Map<String, RespValue> node, boolean preferTls) {
        RespValue preferred = node.get("tls-port");
        if (preferTls && preferred != null && number(preferred) > 0) {
            return (int) number(preferred);
        }
        RespValue plain = node.get("port");
        if (plain != null && number(plain) > 0) {
            return (int) number(plain);
        }
        RespValue tls = node.get("tls-port");
        if (tls != null) {
            return (int) number(tls);
        }
        throw new ClusterTopologyException("node without port or tls-port: " + node.keySet());
    }

    private static ClusterNode.Health health(String text, String id) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "online" -> ClusterNode.Health.ONLINE;
            case "loading" -> ClusterNode.Health.LOADING;
            case "failed", "fail" -> ClusterNode.Health.FAILED;
            default -> throw new ClusterTopologyException("node " + id + " has an unknown health '" + text + "'");
        };
    }

    /**
     * The id of the shard's master: its only master, or, when a failed former master is still
     * listed beside the promoted one, the one that has not failed. Null for a shard with neither
     * slots nor master.
     */
    private static String shardMaster(List<ShardMember> members, boolean hasSlots) {
        List<ShardMember> masters = members.stream().filter(ShardMember::master).toList();
        if (masters.size() > 1) {
            masters = masters.stream()
                    .filter(m -> m.health() != ClusterNode.Health.FAILED)
                    .toList();
        }
        if (masters.size() == 1) {
            return masters.get(0).id();
        }
        if (masters.isEmpty() && !hasSlots) {
            return null;
        }
        throw new ClusterTopologyException("a shard needs exactly one live master, found "
                + members.stream()
                        .filter(ShardMember::master)
                        .map(ShardMember::id)
                        .toList());
    }

    private static ClusterNode slotsNode(RespValue value, String askedHost, String masterId) {
        List<RespValue> fields = elements(value, "node");
        if (fields.size() < 2) {
            throw new ClusterTopologyException("node without endpoint and port: " + value);
        }
        String endpoint = optionalText(fields.get(0));
        int port = (int) number(fields.get(1));
        String ip = null;
        if (fields.size() >= 4) {
            ip = optionalText(fields(fields.get(3), "node metadata").get("ip"));
        }
        String host = host(endpoint, true, ip, askedHost);
        String id = fields.size() >= 3 ? text(fields.get(2)) : host + ":" + port;
        return masterId == null
                ? ClusterNode.master(id, host, port, ClusterNode.Health.ONLINE)
                : ClusterNode.replica(id, host, port, masterId, ClusterNode.Health.ONLINE);
    }

    private static String host(String endpoint, boolean endpointGiven, String ip, String askedHost) {
        if (endpoint != null && !endpoint.isEmpty() && !endpoint.equals(UNKNOWN_HOSTNAME)) {
            return endpoint;
        }
        boolean unknownEndpoint = endpointGiven && (endpoint == null || endpoint.isEmpty());
        if (!unknownEndpoint && ip != null && !ip.isEmpty()) {
            return ip;
        }
        return askedHost;
    }

    private static int slotNumber(RespValue value) {
        long slot = number(value);
        if (slot < 0 || slot >= HashSlot.SLOT_COUNT) {
            throw new ClusterTopologyException("slot out of range: " + slot);
        }
        return (int) slot;
    }

    private static RespValue required(Map<String, RespValue> fields, String name, String where) {
        RespValue value = fields.get(name);
        if (value == null) {
            throw new ClusterTopologyException(where + " without '" + name + "': has " + fields.keySet());
        }
        return value;
    }

    /** The elements of an array (or RESP3 set); an error reply becomes the exception's message. */
    private static List<RespValue> elements(RespValue value, String what) {
        if (value instanceof RespValue.Array array && !array.isNull()) {
            return array.elements();
        }
        if (value instanceof RespValue.Set set) {
            return set.elements();
        }
        if (value instanceof RespValue.Attribute attribute) {
            return elements(attribute.value(), what);
        }
        throw unexpected(what + " is not an array", value);
    }

    /** The fields of a RESP3 map, or of a RESP2 flat array of names and values. */
    private static Map<String, RespValue> fields(RespValue value, String what) {
        Map<String, RespValue> fields = new LinkedHashMap<>();
        if (value instanceof RespValue.Map map) {
            for (RespValue.Pair pair : map.entries()) {
                fields.put(text(pair.key()), pair.value());
            }
            return fields;
        }
        List<RespValue> flat = elements(value, what);
        if (flat.size() % 2 != 0) {
            throw unexpected(what + " has an odd number of names and values", value);
        }
        for (int i = 0; i < flat.size(); i += 2) {
            fields.put(text(flat.get(i)), flat.get(i + 1));
        }
        return fields;
    }

    private static String text(RespValue value) {
        String text = optionalText(value);
        if (text == null) {
            throw unexpected("expected text", value);
        }
        return text;
    }

    /** Text of a bulk, simple or verbatim string; null for a null bulk, RESP3 null or absent value. */
    private static String optionalText(RespValue value) {
        if (value == null || value instanceof RespValue.Null) {
            return null;
        }
        if (value instanceof RespValue.BulkString bulk) {
            return bulk.asString();
        }
        if (value instanceof RespValue.SimpleString simple) {
            return simple.value();
        }
        if (value instanceof RespValue.VerbatimString verbatim) {
            return new String(verbatim.content(), StandardCharsets.UTF_8);
        }
        throw unexpected("expected text", value);
    }

    private static long number(RespValue value) {
        if (value instanceof RespValue.Integer integer) {
            return integer.value();
        }
        String text = text(value);
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new ClusterTopologyException("expected a number, got '" + text + "'");
        }
    }

    private static ClusterTopologyException unexpected(String what, RespValue value) {
        if (value instanceof RespValue.SimpleError error) {
            return new ClusterTopologyException("error reply: " + error.message());
        }
        if (value instanceof RespValue.BulkError error) {
            return new ClusterTopologyException("error reply: " + new String(error.message(), StandardCharsets.UTF_8));
        }
        return new ClusterTopologyException(what + ": " + value);
    }
}
