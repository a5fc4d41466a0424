package io.shardis.proxy.config;

import java.net.InetSocketAddress;

/** A TCP endpoint as written in the configuration ({@code 127.0.0.1:6379}). */
public record HostPort(String host, int port) {

    public InetSocketAddress toSocketAddress() {
        return new InetSocketAddress(host, port);
    }

    /** Parses {@code host:port}; IPv6 hosts in brackets ({@code [::1]:6379}). Null when malformed. */
    static HostPort parse(String text) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
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
        if (port < 0 || port > 65535 || host.isEmpty()) {
            return null;
        }
        return new HostPort(host, port);
    }

    @Override
    public String toString() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
