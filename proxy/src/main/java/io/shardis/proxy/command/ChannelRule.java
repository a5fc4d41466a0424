package io.shardis.proxy.command;

import io.shardis.resp.RespCommand;

/**
 * Which arguments of a command are Pub/Sub channels that Redis' ACL checks against a user's
 * channel patterns ({@code &news.*}): {@code routing.tsv}'s {@code channels=} option, as Redis 7.0
 * lists them in its own table ({@code commands_with_channels}): the channel PUBLISH and SPUBLISH
 * send to, every channel (or pattern) SUBSCRIBE, SSUBSCRIBE and PSUBSCRIBE ask for. Unsubscribing
 * is never refused.
 */
public enum ChannelRule {
    /** No channel argument is checked. */
    NONE,
    /** Argument 1 is a channel: PUBLISH, SPUBLISH. */
    PUBLISH,
    /** Every argument from 1 is a channel: SUBSCRIBE, SSUBSCRIBE. */
    SUBSCRIBE,
    /** Every argument from 1 is a pattern, allowed only when a user's pattern is the very same text: PSUBSCRIBE. */
    PATTERN;

    static ChannelRule named(String name) {
        return switch (name) {
            case "publish" -> PUBLISH;
            case "subscribe" -> SUBSCRIBE;
            case "pattern" -> PATTERN;
            default -> throw new IllegalStateException("routing.tsv: unknown channels=" + name);
        };
    }

    /** Argument indexes of the channels of {@code command}: from {@link #first} below {@link #end}. */
    public int first() {
        return 1;
    }

    /** One past the last channel argument (0 for {@link #NONE}). */
    public int end(RespCommand command) {
        return switch (this) {
            case NONE -> 0;
            case PUBLISH -> Math.min(2, command.argCount());
            case SUBSCRIBE, PATTERN -> command.argCount();
        };
    }
}
