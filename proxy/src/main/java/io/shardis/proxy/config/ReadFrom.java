package io.shardis.proxy.config;

import java.util.Locale;

/** Where a cluster pool sends read-only commands ({@code cluster.read_from}). */
public enum ReadFrom {
    /** Every command to the master of its slot. */
    MASTER,
    /** Reads to a replica of their slot; to its master while the slot has no reachable replica. */
    REPLICA_PREFERRED,
    /** Reads to a replica of their slot only; an error while the slot has none reachable. */
    REPLICA;

    /** As written in the configuration: {@code master}, {@code replica_preferred}, {@code replica}. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether read-only commands may go to replicas. */
    public boolean readsReplicas() {
        return this != MASTER;
    }

    /**
     * The value named {@code text}, in any case, with {@code -} for {@code _}
     * ({@code Replica-Preferred}); null when it names none.
     */
    public static ReadFrom fromConfigName(String text) {
        String normalized = text.trim().toLowerCase(Locale.ROOT).replace('-', '_');
        for (ReadFrom value : values()) {
            if (value.configName().equals(normalized)) {
                return value;
            }
        }
        return null;
    }
}
