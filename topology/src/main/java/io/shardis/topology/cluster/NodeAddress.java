package io.shardis.topology.cluster;

import java.util.Objects;

/**
 * Where a cluster node listens: a host name or IP and a port. The proxy reads seeds from its
 * configuration (its {@code HostPort}) and hands them over as these.
 */
public record NodeAddress(String host, int port) {

    public NodeAddress {
        Objects.requireNonNull(host, "host");
        if (host.isEmpty()) {
            throw new IllegalArgumentException("empty host");
        }
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }

    public static NodeAddress of(ClusterNode node) {
        return new NodeAddress(node.host(), node.port());
    }

    @Override
    public String toString() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
