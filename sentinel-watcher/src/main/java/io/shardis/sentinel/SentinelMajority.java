package io.shardis.sentinel;

import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Decides a master's address from the Sentinels' answers: an address counts only when a majority
 * of the <em>configured</em> Sentinels report it, so one stale or partitioned Sentinel cannot move
 * traffic, and two partitioned halves cannot both win.
 */
final class SentinelMajority {

    /** The decision so far. */
    sealed interface Verdict {}

    /** A majority reported this address. */
    record Agreed(InetSocketAddress master) implements Verdict {}

    /** No majority yet, but the Sentinels still to answer could make one. */
    record Undecided() implements Verdict {}

    /** No address can reach a majority any more, whatever the others say. */
    record NoMajority() implements Verdict {}

    private SentinelMajority() {}

    /**
     * @param configured how many Sentinels are configured (answered or not)
     * @param answers    the answers received so far, at most one per Sentinel
     */
    static Verdict decide(int configured, List<SentinelAnswer> answers) {
        if (answers.size() > configured) {
            throw new IllegalArgumentException(answers.size() + " answers from " + configured + " sentinels");
        }
        int majority = configured / 2 + 1;
        Map<InetSocketAddress, Integer> votes = new HashMap<>();
        InetSocketAddress leader = null;
        int leaderVotes = 0;
        for (SentinelAnswer answer : answers) {
            if (answer.master() == null) {
                continue;
            }
            int count = votes.merge(answer.master(), 1, Integer::sum);
            if (count > leaderVotes) {
                leader = answer.master();
                leaderVotes = count;
            }
        }
        if (leaderVotes >= majority) {
            return new Agreed(leader);
        }
        int stillToAnswer = configured - answers.size();
        return leaderVotes + stillToAnswer >= majority ? new Undecided() : new NoMajority();
    }
}
