package io.shardis.topology.shard;

import java.util.Objects;

/**
 * One server of a sharded pool, as nutcracker.yml's {@code servers} lists it:
 * {@code host:port:weight [name]}, or {@code /path/to/socket:weight [name]} for a Unix socket
 * (whose {@code port} is 0).
 *
 * @param host the host as written (not resolved: ketama hashes the text), or a socket path
 * @param port the TCP port, or 0 for a Unix socket
 * @param weight how many ketama points (relative to the other servers) or modula slots it gets; at least 1
 * @param name the optional name after the address, {@code null} when none
 */
public record ShardServer(String host, int port, int weight, String name) {

    /** libmemcached leaves this port out of a server's ketama identity, and nutcracker follows it. */
    static final int KETAMA_DEFAULT_PORT = 11211;

    public ShardServer {
        Objects.requireNonNull(host, "host");
        if (host.isEmpty()) {
            throw new IllegalArgumentException("a server needs a host or a socket path");
        }
        if (host.startsWith("/") ? port != 0 : port < 1 || port > 65_535) {
            throw new IllegalArgumentException("server " + host + " has an invalid port " + port
                    + (host.startsWith("/") ? " (a Unix socket has none: 0)" : " (1..65535)"));
        }
        if (weight < 1) {
            throw new IllegalArgumentException("server " + host + " has weight " + weight + "; it must be at least 1");
        }
        if (name != null && name.isEmpty()) {
            throw new IllegalArgumentException("server " + host + " has an empty name; leave it out instead");
        }
    }

    /** A TCP server without a name. */
    public static ShardServer of(String host, int port, int weight) {
        return new ShardServer(host, port, weight, null);
    }

    /**
     * Parses one {@code servers} entry exactly as nutcracker 0.5.0 splits it, from the end: the
     * name is what follows the last space, the weight what follows the last colon before it, and
     * (unless the entry starts with {@code /}) the port what follows the colon before that.
     *
     * @throws IllegalArgumentException saying what is wrong with {@code entry}
     */
    public static ShardServer parse(String entry) {
        Objects.requireNonNull(entry, "entry");
        boolean unixSocket = entry.startsWith("/");
        String format = unixSocket ? "\"/path/unix_socket:weight [name]\"" : "\"hostname:port:weight [name]\"";
        String address = entry;
        String name = null;
        int space = entry.lastIndexOf(' ');
        if (space >= 0) {
            name = entry.substring(space + 1);
            address = entry.substring(0, space);
        }
        int weightColon = address.lastIndexOf(':');
        if (weightColon < 0) {
            throw invalid(entry, "is not in the " + format + " format");
        }
        int weight = number(address.substring(weightColon + 1), entry, "weight");
        String host = address.substring(0, weightColon);
        int port = 0;
        if (unixSocket) {
            if (host.indexOf(':') >= 0) {
                throw invalid(entry, "is not in the " + format + " format (a socket path cannot contain ':')");
            }
        } else {
            int portColon = host.lastIndexOf(':');
            if (portColon < 0) {
                throw invalid(entry, "is not in the " + format + " format");
            }
            String portText = host.substring(portColon + 1);
            port = number(portText, entry, "port");
            if (portText.length() > 1 && portText.charAt(0) == '0') {
                // nutcracker would hash the port as written ("06379"), Shardis hashes the number.
                throw invalid(entry, "writes port " + portText + " with a leading zero; write " + port);
            }
            host = host.substring(0, portColon);
        }
        if (name != null && name.isEmpty()) {
            throw invalid(entry, "ends with a space but has no name after it");
        }
        if (weight == 0) {
            throw invalid(entry, "has a zero weight");
        }
        try {
            return new ShardServer(host, port, weight, name);
        } catch (IllegalArgumentException e) {
            throw invalid(entry, e.getMessage());
        }
    }

    public boolean isUnixSocket() {
        return host.startsWith("/");
    }

    /**
     * What ketama hashes for this server (nutcracker's {@code server->name}): the name if there is
     * one; else {@code host:port}; just {@code host} when the port is 11211; for a Unix socket the
     * path followed by a colon ({@code /tmp/redis.sock:}), a quirk of how nutcracker cuts the
     * entry. The weight is never part of it, so changing a weight keeps a server's points.
     */
    public String identity() {
        if (name != null) {
            return name;
        }
        if (isUnixSocket()) {
            return host + ":";
        }
        return port == KETAMA_DEFAULT_PORT ? host : host + ":" + port;
    }

    /** The entry as nutcracker.yml writes it. */
    @Override
    public String toString() {
        String address = isUnixSocket() ? host : host + ":" + port;
        return address + ":" + weight + (name == null ? "" : " " + name);
    }

    private static int number(String text, String entry, String what) {
        if (text.isEmpty() || text.length() > 9 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw invalid(entry, "has an invalid " + what + " '" + text + "'");
        }
        return Integer.parseInt(text);
    }

    private static IllegalArgumentException invalid(String entry, String why) {
        return new IllegalArgumentException("server '" + entry + "' " + why);
    }
}
