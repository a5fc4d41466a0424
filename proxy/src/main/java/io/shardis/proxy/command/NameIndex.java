package io.shardis.proxy.command;

import io.shardis.resp.RespCommand;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Command names to specs, matched case-insensitively straight from the request bytes: open
 * addressing over lower-cased names, an FNV-1a hash computed while reading the argument. A lookup
 * creates no object and reads each byte of the name at most twice.
 */
final class NameIndex {

    private final byte[][] names;
    private final CommandSpec[] specs;
    private final int mask;
    private final int maxLength;

    NameIndex(Map<String, CommandSpec> byLowerCaseName) {
        int capacity = Integer.highestOneBit(Math.max(4, byLowerCaseName.size() * 4) - 1) << 1;
        this.names = new byte[capacity][];
        this.specs = new CommandSpec[capacity];
        this.mask = capacity - 1;
        int longest = 0;
        for (Map.Entry<String, CommandSpec> entry : byLowerCaseName.entrySet()) {
            byte[] name = entry.getKey().getBytes(StandardCharsets.ISO_8859_1);
            longest = Math.max(longest, name.length);
            int slot = hash(name) & mask;
            while (names[slot] != null) {
                slot = (slot + 1) & mask;
            }
            names[slot] = name;
            specs[slot] = entry.getValue();
        }
        this.maxLength = longest;
    }

    /** The spec named by argument {@code arg} of {@code command}, or null. */
    CommandSpec find(RespCommand command, int arg) {
        int length = command.argLength(arg);
        if (length == 0 || length > maxLength) {
            return null;
        }
        int hash = 0x811c9dc5;
        for (int i = 0; i < length; i++) {
            hash = (hash ^ lower(command.argByte(arg, i))) * 0x01000193;
        }
        for (int slot = hash & mask; names[slot] != null; slot = (slot + 1) & mask) {
            byte[] name = names[slot];
            if (name.length == length && sameName(name, command, arg)) {
                return specs[slot];
            }
        }
        return null;
    }

    /** The spec with this name (any case), or null; for configuration and tests. */
    CommandSpec find(String name) {
        byte[] bytes = name.getBytes(StandardCharsets.ISO_8859_1);
        for (int slot = hash(bytes) & mask; names[slot] != null; slot = (slot + 1) & mask) {
            byte[] candidate = names[slot];
            if (candidate.length == bytes.length && sameName(candidate, bytes)) {
                return specs[slot];
            }
        }
        return null;
    }

    private static boolean sameName(byte[] name, RespCommand command, int arg) {
        for (int i = 0; i < name.length; i++) {
            if (name[i] != lower(command.argByte(arg, i))) {
                return false;
            }
        }
        return true;
    }

    private static boolean sameName(byte[] name, byte[] other) {
        for (int i = 0; i < name.length; i++) {
            if (name[i] != lower(other[i])) {
                return false;
            }
        }
        return true;
    }

    private static int hash(byte[] name) {
        int hash = 0x811c9dc5;
        for (byte b : name) {
            hash = (hash ^ lower(b)) * 0x01000193;
        }
        return hash;
    }

    private static byte lower(byte b) {
        return b >= 'A' && b <= 'Z' ? (byte) (b + ('a' - 'A')) : b;
    }
}
