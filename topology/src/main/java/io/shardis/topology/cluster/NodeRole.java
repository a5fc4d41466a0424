package io.shardis.topology.cluster;

import io.shardis.resp.RespValue;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * What a node says it is in its {@code ROLE} reply: a master, or a replica and the state of its
 * link to its master ({@code connect}, {@code connecting}, {@code sync}, {@code connected}).
 *
 * @param master           whether the node is a master
 * @param replicationState a replica's link state as ROLE words it; empty for a master
 */
public record NodeRole(boolean master, String replicationState) {

    /**
     * Whether the node can serve reads with the data its shard holds: a master, or a replica whose
     * link to its master is up. A replica still connecting or syncing may answer from no data (it
     * restarted without persistence) or from data of an earlier master.
     */
    public boolean servesReads() {
        return master || replicationState.equals("connected");
    }

    /**
     * Reads a ROLE reply: {@code [master, offset, replicas]} or
     * {@code [slave, host, port, state, offset]}.
     *
     * @throws IllegalArgumentException when it is neither
     */
    public static NodeRole parse(RespValue reply) {
        if (!(reply instanceof RespValue.Array array)
                || array.isNull()
                || array.elements().isEmpty()) {
            throw new IllegalArgumentException("expected ROLE's array, got " + reply);
        }
        List<RespValue> elements = array.elements();
        String role = text(elements.get(0));
        if (role.equals("master")) {
            return new NodeRole(true, "");
        }
        if ((role.equals("slave") || role.equals("replica")) && elements.size() >= 4) {
            return new NodeRole(false, text(elements.get(3)));
        }
        throw new IllegalArgumentException("expected ROLE to say master or slave with a link state, got " + reply);
    }

    private static String text(RespValue value) {
        if (value instanceof RespValue.BulkString bulk && !bulk.isNull()) {
            return new String(bulk.bytes(), StandardCharsets.UTF_8).toLowerCase(Locale.ROOT);
        }
        if (value instanceof RespValue.SimpleString simple) {
            return simple.value().toLowerCase(Locale.ROOT);
        }
        return "";
    }
}
