package io.shardis.sentinel;

import java.util.List;

/**
 * One message a Sentinel published on an event channel. An event is a reason to ask the
 * Sentinels again, never the truth itself: the watcher does not trust its payload for addresses.
 *
 * @param channel    the event, e.g. {@code +switch-master}
 * @param masterName the master the event concerns, or {@code null} if the payload does not say
 * @param payload    the message as published, for the log
 */
record SentinelEvent(String channel, String masterName, String payload) {

    static final String SWITCH_MASTER = "+switch-master";
    static final String FAILOVER_END = "+failover-end";

    /** The channels the watcher subscribes to on every Sentinel. */
    static final List<String> CHANNELS = List.of(SWITCH_MASTER, FAILOVER_END, "+odown", "-odown", "+sdown", "-sdown");

    /**
     * Parses the payload: {@code +switch-master} publishes
     * {@code <master> <old-ip> <old-port> <new-ip> <new-port>}; the others publish an instance
     * description, {@code <type> <name> <ip> <port>} followed by {@code @ <master> <ip> <port>}
     * when the instance is a replica or a Sentinel.
     */
    static SentinelEvent parse(String channel, String payload) {
        String[] words = payload.trim().split("\\s+");
        String master;
        if (SWITCH_MASTER.equals(channel)) {
            master = words.length >= 1 && !words[0].isEmpty() ? words[0] : null;
        } else if (words.length >= 2 && "master".equals(words[0])) {
            master = words[1];
        } else {
            master = masterAfterAt(words);
        }
        return new SentinelEvent(channel, master, payload);
    }

    /** Whether the event may mean the master moved, so the Sentinels must be asked now. */
    boolean asksForRecheck() {
        return SWITCH_MASTER.equals(channel) || FAILOVER_END.equals(channel);
    }

    /** Whether the event is about the master instance itself, not one of its replicas or Sentinels. */
    boolean aboutMasterInstance() {
        return SWITCH_MASTER.equals(channel) || payload.startsWith("master ");
    }

    private static String masterAfterAt(String[] words) {
        for (int i = 0; i < words.length - 1; i++) {
            if ("@".equals(words[i])) {
                return words[i + 1];
            }
        }
        return null;
    }
}
