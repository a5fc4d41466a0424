package io.shardis.topology.cluster;

import java.util.Objects;

/** Where a cluster node listens: a host name or IP and a port, as seeds are configured. */
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

    /**
     * Parses {@code host:port}, {@code ip:port} or {@code [ipv6]:port}.
     *
     * @throws IllegalArgumentException naming the text when it is none of these
     */
    public static NodeAddress parse(String text) {
        String trimmed = text.trim();
        int colon = trimmed.lastIndexOf(':');
        if (colon <= 0 || colon == trimmed.length() - 1) {
            throw new IllegalArgumentException("expected host:port, got '" + text + "'");
        }
        String host = trimmed.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.indexOf(':') >= 0) {
            throw new IllegalArgumentException("write an IPv6 address in brackets, [addr]:port; got '" + text + "'");
        }
        try {
            return new NodeAddress(host, Integer.parseInt(trimmed.substring(colon + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected host:port with a numeric port, got '" + text + "'", e);
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
