package io.shardis.proxy.config;

import java.net.InetSocketAddress;

/**
 * An endpoint as written in the configuration: TCP ({@code 127.0.0.1:6379}, {@code [::1]:6379})
 * or, as in nutcracker.yml, a Unix socket path ({@code /var/run/redis.sock}), whose port is 0.
 */
public record HostPort(String host, int port) {

    /** A Unix socket at {@code path}. */
    public static HostPort unix(String path) {
        return new HostPort(path, 0);
    }

    public boolean isUnix() {
        return host.startsWith("/") && port == 0;
    }

    /** The TCP address; not for a Unix socket (see the transport, which knows its socket address type). */
    public InetSocketAddress toSocketAddress() {
        if (isUnix()) {
            throw new IllegalStateException(host + " is a Unix socket");
        }
        return new InetSocketAddress(host, port);
    }

    /**
     * Parses {@code host:port}; IPv6 hosts in brackets ({@code [::1]:6379}). Null when malformed.
     * The one reading of an address in Shardis: configuration keys, and the nodes a Redis Cluster names.
     */
    public static HostPort parse(String text) {
        HostPort parsed = parseWithOptionalHost(text);
        return parsed == null || parsed.host.isEmpty() || parsed.host.startsWith("/") ? null : parsed;
    }

    /**
     * As {@link #parse}, but the host may be empty ({@code :6380}): a cluster node's MOVED names
     * the port alone when the node does not know its own address. Null when malformed.
     */
    public static HostPort parseWithOptionalHost(String text) {
        int colon = text.lastIndexOf(':');
        if (colon < 0 || colon == text.length() - 1) {
            return null;
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            return null;
        }
        if (port < 0 || port > 65535) {
            return null;
        }
        return new HostPort(host, port);
    }

    @Override
    public String toString() {
        if (isUnix()) {
            return host;
        }
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
