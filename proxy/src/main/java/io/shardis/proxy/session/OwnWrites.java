package io.shardis.proxy.session;

import io.shardis.proxy.backend.PendingCommand;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * NOLOOP for one client: the keys of its own writes whose invalidation is to be left out. A key
 * is noted when the write is sent, and its entry ends with the next invalidation of the key, or
 * with the first barrier of the {@link InvalidationHub} sent after the write was answered: Redis
 * queues a write's invalidations on the tracking connection in the event-loop turn that runs the
 * write, before it writes the turn's replies, and reads a PING sent once the reply is in at the
 * earliest in a later turn, so by that PING's reply every invalidation the write caused has come.
 * A write that changed nothing ({@code SET … NX} on an existing key, {@code DEL} of a missing
 * one) sends none, and without the barrier its entry would hide another client's later write.
 *
 * <p>Writes go through four stages: noted (the command being sent, or a transaction's until its
 * EXEC), awaited (tied to the reply slot that answers them), answered (waiting for the next
 * barrier), covered (answered before the barrier in flight was sent). Exists only while the
 * client tracks with NOLOOP. Lives on the client's loop.
 */
final class OwnWrites {

    /** Keys remembered at most; the writes of more keys are heard back, as without NOLOOP. */
    static final int MAX_KEYS = 10_000;

    /** The keys of one or more writes that share a reply slot; its identity tells a key's latest write. */
    private static final class Writes {
        final List<String> keys = new ArrayList<>(2);
        /** Answered before the barrier in flight was sent. */
        boolean covered;
    }

    /** Each key written and not yet heard back or passed by a barrier, with its latest write. */
    private final Map<String, Writes> latest = new HashMap<>();
    /** Writes noted and not yet tied to a reply slot; null when none. */
    private Writes noted;
    /** Writes sent, by the reply slot that answers them. */
    private final Map<PendingCommand, Writes> awaited = new IdentityHashMap<>();
    /** Writes answered since the last barrier was sent. */
    private List<Writes> answered = new ArrayList<>();
    /** Writes answered before the barrier in flight was sent. */
    private List<Writes> covered = new ArrayList<>();

    /** A write of {@code key} is about to be sent. */
    void note(String key) {
        if (latest.size() >= MAX_KEYS && !latest.containsKey(key)) {
            return;
        }
        if (noted == null) {
            noted = new Writes();
        }
        noted.keys.add(key);
        latest.put(key, noted);
    }

    boolean hasNoted() {
        return noted != null;
    }

    /**
     * The writes noted were sent; {@code slot} is the last reply the client awaits, theirs when they
     * reached a server. True when they count as answered (they reached none): a barrier is due.
     */
    boolean sent(PendingCommand slot) {
        Writes writes = noted;
        noted = null;
        if (writes == null) {
            return false;
        }
        if (slot == null || slot.isDone()) {
            return answered(writes);
        }
        Writes sharing = awaited.putIfAbsent(slot, writes);
        if (sharing != null) {
            // Refused before reaching a server, behind a command still awaited: answered with it.
            for (String key : writes.keys) {
                if (latest.get(key) == writes) {
                    sharing.keys.add(key);
                    latest.put(key, sharing);
                }
            }
        }
        return false;
    }

    /** The reply to {@code slot} arrived: true when it answers own writes, which a barrier is now due for. */
    boolean replied(PendingCommand slot) {
        if (awaited.isEmpty()) {
            return false;
        }
        Writes writes = awaited.remove(slot);
        return writes != null && answered(writes);
    }

    private boolean answered(Writes writes) {
        if (answered.size() >= MAX_KEYS) {
            // A barrier that does not come back (a server that stopped answering, without a
            // timeout) holds no more than this: everything is forgotten, heard rather than kept.
            clear();
            return false;
        }
        answered.add(writes);
        return true;
    }

    /** A barrier is sent now: it covers the writes answered so far. */
    void barrierSent() {
        for (Writes writes : answered) {
            writes.covered = true;
        }
        if (covered.isEmpty()) {
            List<Writes> swap = covered;
            covered = answered;
            answered = swap;
        } else {
            covered.addAll(answered);
            answered.clear();
        }
    }

    /** The barrier's reply came: the writes it covers were heard back if they ever will be. True when more wait. */
    boolean barrierPassed() {
        for (Writes writes : covered) {
            for (String key : writes.keys) {
                if (latest.get(key) == writes) {
                    latest.remove(key);
                }
            }
        }
        covered.clear();
        return !answered.isEmpty();
    }

    /**
     * Which of a server's invalidated {@code keys} the client wrote itself; each ends its entry.
     * {@code pastBarrier}: the connection that sent them answered the barrier in flight before, so
     * they come from none of the writes it covers.
     */
    Set<String> heard(List<String> keys, boolean pastBarrier) {
        if (latest.isEmpty()) {
            return Set.of();
        }
        Set<String> own = null;
        for (String key : keys) {
            Writes writes = latest.get(key);
            if (writes != null && !(pastBarrier && writes.covered)) {
                latest.remove(key);
                if (own == null) {
                    own = new HashSet<>();
                }
                own.add(key);
            }
        }
        return own == null ? Set.of() : own;
    }

    /** Everything is forgotten (a flush): the invalidations still to come of own writes are heard. */
    void clear() {
        latest.clear();
        noted = null;
        awaited.clear();
        answered.clear();
        covered.clear();
    }
}
