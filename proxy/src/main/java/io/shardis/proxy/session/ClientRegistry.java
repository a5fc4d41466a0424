package io.shardis.proxy.session;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The clients connected to one pool, for {@code CLIENT LIST} and {@code CLIENT KILL}: each pool
 * lists and kills its own clients only, as each Redis does. Shared by every event loop of the pool.
 */
public final class ClientRegistry {

    private final ConcurrentMap<Long, ClientEntry> clients = new ConcurrentHashMap<>();

    void add(ClientEntry entry) {
        clients.put(entry.id(), entry);
    }

    void remove(ClientEntry entry) {
        clients.remove(entry.id(), entry);
    }

    ClientEntry get(long id) {
        return clients.get(id);
    }

    /** How many clients are connected. */
    public int size() {
        return clients.size();
    }

    /** The clients, oldest first (by id), as Redis lists them. */
    List<ClientEntry> all() {
        List<ClientEntry> all = new ArrayList<>(clients.values());
        all.sort(Comparator.comparingLong(ClientEntry::id));
        return all;
    }

    /**
     * Closes the clients {@code filter} matches and answers how many; {@code self} (the caller) is
     * not closed here but reported through {@code selfKilled}, so that it gets its reply first.
     */
    int kill(ClientKillFilter filter, ClientEntry self, boolean[] selfKilled) {
        int killed = 0;
        for (ClientEntry entry : all()) {
            if (filter.matches(entry, self)) {
                killed++;
                if (entry == self) {
                    selfKilled[0] = true;
                } else {
                    entry.channel().close();
                }
            }
        }
        return killed;
    }
}
