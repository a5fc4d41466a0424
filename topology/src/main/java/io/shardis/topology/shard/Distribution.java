package io.shardis.topology.shard;

import java.util.Arrays;
import java.util.stream.Collectors;

/** How a sharded pool spreads keys over its servers: nutcracker.yml's {@code distribution}. */
public enum Distribution {
    /** Consistent hashing on a continuum of 160 points per server, scaled by weight (libmemcached's ketama). */
    KETAMA("ketama"),
    /** {@code hash % total weight}, each server owning as many consecutive slots as its weight. */
    MODULA("modula"),
    /** Any live server, chosen at random for each key; the key is not hashed. */
    RANDOM("random");

    private final String configName;

    Distribution(String configName) {
        this.configName = configName;
    }

    /** The name nutcracker.yml uses, e.g. {@code ketama}. */
    public String configName() {
        return configName;
    }

    /**
     * The distribution nutcracker.yml calls {@code name} (case-sensitive, as nutcracker compares it).
     *
     * @throws IllegalArgumentException naming the valid distributions
     */
    public static Distribution fromConfigName(String name) {
        for (Distribution distribution : values()) {
            if (distribution.configName.equals(name)) {
                return distribution;
            }
        }
        throw new IllegalArgumentException("'" + name + "' is not a valid distribution; valid ones are "
                + Arrays.stream(values()).map(Distribution::configName).collect(Collectors.joining(", ")));
    }
}
