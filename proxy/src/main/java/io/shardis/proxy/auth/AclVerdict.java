package io.shardis.proxy.auth;

import io.shardis.proxy.command.CommandSpec;

/**
 * Whether a client may run a command, and if not why: the pure outcome of
 * {@link ClientAccess#check}. Each refusal carries Redis 7.0's own error text, word for word.
 */
public enum AclVerdict {
    ALLOWED,
    /** The connection has not authenticated and the command is not one Redis flags {@code no_auth}. */
    NOT_AUTHENTICATED,
    /** The user's command rules ({@code +@read}, {@code -flushall}...) do not allow the command. */
    COMMAND_DENIED,
    /** A key the command names matches none of the user's key patterns (with the access it needs). */
    KEY_DENIED,
    /** A channel the command publishes to or subscribes to matches none of the user's channel patterns. */
    CHANNEL_DENIED;

    /** The error reply, without its leading '-'. */
    public String error(CommandSpec spec) {
        return switch (this) {
            case ALLOWED -> throw new IllegalStateException("not a refusal");
            case NOT_AUTHENTICATED -> AuthErrors.NOAUTH;
            case COMMAND_DENIED -> "NOPERM this user has no permissions to run the '" + spec.name() + "' command";
            case KEY_DENIED -> "NOPERM this user has no permissions to access one of the keys used as arguments";
            case CHANNEL_DENIED ->
                "NOPERM this user has no permissions to access one of the channels used as arguments";
        };
    }
}
