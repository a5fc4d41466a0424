package io.shardis.proxy.backend;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntFunction;

/**
 * The servers of a pool by index, shared by every event loop. A pool of {@code servers} has a fixed
 * list; a cluster pool's list grows as nodes appear (append-only: an index, once given, names the
 * same node for good, so per-loop arrays indexed by it never need rebuilding, only extending).
 *
 * <p>Readers see an immutable array through one volatile read and never lock; additions (off the
 * hot path: a topology refresh, a MOVED to a node not seen before) are serialised.
 */
public final class BackendServers {

    private final ConcurrentHashMap<String, Integer> indexByKey = new ConcurrentHashMap<>();
    private volatile BackendSettings[] all;

    private BackendServers(BackendSettings[] initial) {
        this.all = initial;
    }

    /** A fixed list (a pool of {@code servers}); index i is the i-th configured server. */
    public static BackendServers of(List<BackendSettings> servers) {
        return new BackendServers(servers.toArray(new BackendSettings[0]));
    }

    /** An empty list that grows with {@link #indexOf(String, IntFunction)}. */
    public static BackendServers growable() {
        return new BackendServers(new BackendSettings[0]);
    }

    public int size() {
        return all.length;
    }

    public BackendSettings get(int index) {
        return all[index];
    }

    /** The index of the server known by {@code key} (host:port), or -1. */
    public int find(String key) {
        Integer index = indexByKey.get(key);
        return index == null ? -1 : index;
    }

    /**
     * The index of the server known by {@code key}, adding it (made by {@code make}, given its index)
     * when it is new.
     */
    public int indexOf(String key, IntFunction<BackendSettings> make) {
        Integer known = indexByKey.get(key);
        if (known != null) {
            return known;
        }
        synchronized (this) {
            known = indexByKey.get(key);
            if (known != null) {
                return known;
            }
            BackendSettings[] current = all;
            BackendSettings[] grown = Arrays.copyOf(current, current.length + 1);
            grown[current.length] = make.apply(current.length);
            // The array first: whoever learns the index from the map can read the server.
            all = grown;
            indexByKey.put(key, current.length);
            return current.length;
        }
    }
}
