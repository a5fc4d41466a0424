package io.shardis.proxy.auth;

import io.shardis.proxy.command.ChannelRule;
import io.shardis.proxy.command.CommandSpec;
import io.shardis.resp.RespCommand;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * One proxy user, compiled from its ACL rules ({@link AclRules}): whether it is on, its password
 * hashes, the commands it may run, and its key and channel patterns. Immutable; {@link #check}
 * is the pure decision, shared by every connection of the user.
 */
public final class AclUser {

    /** A key pattern and the access it grants: {@code ~p} both, {@code %R~p} read, {@code %W~p} write. */
    record KeyPattern(byte[] glob, int access) {}

    private final String name;
    private final boolean enabled;
    private final boolean nopass;
    private final List<byte[]> passwordHashes;
    /** Null when every command is allowed. */
    private final Set<CommandSpec> commands;

    private final boolean allKeys;
    private final List<KeyPattern> keys;
    private final boolean allChannels;
    private final List<byte[]> channels;

    AclUser(
            String name,
            boolean enabled,
            boolean nopass,
            List<byte[]> passwordHashes,
            Set<CommandSpec> commands,
            boolean allKeys,
            List<KeyPattern> keys,
            boolean allChannels,
            List<byte[]> channels) {
        this.name = name;
        this.enabled = enabled;
        this.nopass = nopass;
        this.passwordHashes = List.copyOf(passwordHashes);
        this.commands = commands == null ? null : Collections.unmodifiableSet(newIdentitySet(commands));
        this.allKeys = allKeys;
        this.keys = List.copyOf(keys);
        this.allChannels = allChannels;
        this.channels = List.copyOf(channels);
    }

    /** A user that may do everything, with these password hashes (none and {@code nopass}: no password). */
    static AclUser unrestricted(String name, boolean nopass, List<byte[]> passwordHashes) {
        return new AclUser(name, true, nopass, passwordHashes, null, true, List.of(), true, List.of());
    }

    private static Set<CommandSpec> newIdentitySet(Set<CommandSpec> specs) {
        Set<CommandSpec> set = Collections.newSetFromMap(new IdentityHashMap<>());
        set.addAll(specs);
        return set;
    }

    public String name() {
        return name;
    }

    public boolean enabled() {
        return enabled;
    }

    /** Whether any password opens this user ({@code nopass}). */
    public boolean nopass() {
        return nopass;
    }

    /** Whether this user may run every command on every key and channel: no check is needed. */
    public boolean unrestricted() {
        return commands == null && allKeys && allChannels;
    }

    /** Whether the user's key patterns limit it (not {@code allkeys} / {@code ~*}). */
    public boolean limitedKeys() {
        return !allKeys;
    }

    /** Whether the user may run {@code spec} at all, whatever its arguments. */
    public boolean allows(CommandSpec spec) {
        return commands == null || commands.contains(spec);
    }

    /**
     * Whether {@code password} opens this user: the user is on, and it is {@code nopass} or the
     * SHA-256 of the password equals one of its hashes, compared in constant time (every hash is
     * compared, whichever matches).
     */
    public boolean accepts(byte[] password) {
        if (!enabled) {
            return false;
        }
        if (nopass) {
            return true;
        }
        byte[] hash = sha256(password);
        boolean match = false;
        for (byte[] candidate : passwordHashes) {
            match |= MessageDigest.isEqual(candidate, hash);
        }
        return match;
    }

    /**
     * Whether this user may run {@code command}, in Redis' order: the command, then each key it
     * names (with the access its key spec says: read, write or both), then each channel.
     */
    public AclVerdict check(CommandSpec spec, RespCommand command) {
        if (commands != null && !commands.contains(spec)) {
            return AclVerdict.COMMAND_DENIED;
        }
        if (!allKeys) {
            int count = spec.keyCount(command);
            if (count < 0) {
                // Keys that cannot be located cannot be checked: refused rather than let through.
                return AclVerdict.KEY_DENIED;
            }
            for (int k = 0; k < count; k++) {
                int access = spec.keyAccess(command, k);
                if ((access & CommandSpec.NOT_A_KEY) != 0) {
                    continue;
                }
                int index = spec.keyIndex(command, k);
                if (index < 0 || !keyAllowed(command, index, access)) {
                    return AclVerdict.KEY_DENIED;
                }
            }
        }
        if (!allChannels && spec.channels() != ChannelRule.NONE) {
            boolean pattern = spec.channels() == ChannelRule.PATTERN;
            for (int i = spec.channels().first(), end = spec.channels().end(command); i < end; i++) {
                if (!channelAllowed(command, i, pattern)) {
                    return AclVerdict.CHANNEL_DENIED;
                }
            }
        }
        return AclVerdict.ALLOWED;
    }

    private boolean keyAllowed(RespCommand command, int index, int access) {
        int needed = access & (CommandSpec.KEY_READ | CommandSpec.KEY_WRITE);
        for (KeyPattern pattern : keys) {
            if ((pattern.access() & needed) == needed
                    && Glob.matches(
                            pattern.glob(), command.content(), command.argOffset(index), command.argLength(index))) {
                return true;
            }
        }
        return false;
    }

    /** A channel matches a pattern; a PSUBSCRIBE pattern must be one of the user's patterns, byte for byte. */
    private boolean channelAllowed(RespCommand command, int index, boolean isPattern) {
        for (byte[] allowed : channels) {
            if (isPattern) {
                if (command.argLength(index) == allowed.length && sameBytes(command, index, allowed)) {
                    return true;
                }
            } else if (Glob.matches(allowed, command.content(), command.argOffset(index), command.argLength(index))) {
                return true;
            }
        }
        return false;
    }

    private static boolean sameBytes(RespCommand command, int index, byte[] bytes) {
        int offset = command.argOffset(index);
        for (int i = 0; i < bytes.length; i++) {
            if (command.content().getByte(offset + i) != bytes[i]) {
                return false;
            }
        }
        return true;
    }

    static byte[] sha256(byte[] password) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(password);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    static byte[] sha256(String password) {
        return sha256(password.getBytes(StandardCharsets.UTF_8));
    }

    /** Never the passwords. */
    @Override
    public String toString() {
        return "user " + name + (enabled ? " on" : " off");
    }
}
