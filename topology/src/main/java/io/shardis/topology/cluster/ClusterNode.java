package io.shardis.topology.cluster;

import java.util.Locale;
import java.util.Objects;

/**
 * One node of a Redis Cluster as a topology reply describes it.
 *
 * @param id       the node's 40-character id (or {@code host:port} when the reply named none)
 * @param host     where clients reach it: the reply's preferred endpoint, else its IP, else the
 *                 host the reply came from
 * @param port     its client port (TLS port when the cluster serves only TLS)
 * @param role     master or replica
 * @param masterId the id of the master a replica follows; {@code null} for masters
 * @param health   whether it can serve: only {@link Health#ONLINE} replicas are read targets
 */
public record ClusterNode(String id, String host, int port, Role role, String masterId, Health health) {

    /** A node's role in its shard. */
    public enum Role {
        MASTER,
        REPLICA
    }

    /**
     * A node's state as {@code CLUSTER SHARDS} reports it ({@code online}, {@code loading},
     * {@code failed}). {@code CLUSTER SLOTS} leaves failed replicas out and says nothing of the
     * others, so its nodes are {@code ONLINE}.
     */
    public enum Health {
        ONLINE,
        LOADING,
        FAILED
    }

    public ClusterNode {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(health, "health");
        if (id.isEmpty()) {
            throw new IllegalArgumentException("empty node id");
        }
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        if (role == Role.MASTER && masterId != null) {
            throw new IllegalArgumentException("a master follows no master: " + id);
        }
    }

    public static ClusterNode master(String id, String host, int port, Health health) {
        return new ClusterNode(id, host, port, Role.MASTER, null, health);
    }

    public static ClusterNode replica(String id, String host, int port, String masterId, Health health) {
        return new ClusterNode(id, host, port, Role.REPLICA, masterId, health);
    }

    public boolean isMaster() {
        return role == Role.MASTER;
    }

    /** Whether reads may go to it: online, neither failed nor still loading its data. */
    public boolean isOnline() {
        return health == Health.ONLINE;
    }

    /** {@code host:port}. */
    public String address() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }

    /** A short form for log lines: id prefix, address, role and health when not online. */
    public String describe() {
        String shortId = id.length() > 8 ? id.substring(0, 8) : id;
        return shortId + "@" + address() + (isMaster() ? " master" : " replica")
                + (health == Health.ONLINE ? "" : " " + health.name().toLowerCase(Locale.ROOT));
    }
}
