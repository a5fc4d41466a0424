package io.shardis.proxy.config;

/**
 * One backend of a pool, from a {@code servers:} line {@code host:port:weight [name]}.
 *
 * @param name the name written after the address, or null; Twemproxy hashes it instead of the
 *             address when present, which is what lets a server move without moving its keys
 */
public record ServerConfig(HostPort address, int weight, String name) {

    /** What identifies the server in logs and stats: its name, else its address. */
    public String label() {
        return name != null ? name : address.toString();
    }
}
