package io.shardis.proxy.command;

import io.shardis.resp.RespCommand;

/**
 * MIGRATE's keys: {@code MIGRATE host port key db timeout}, or with an empty key and
 * {@code KEYS k1 k2...} at the end. Redis marks the KEYS spec {@code incomplete} (the search could
 * stop on an AUTH password spelled "keys"), so this follows Redis' own {@code migrateGetKeys}:
 * options are skipped with their arguments (AUTH 1, AUTH2 2) until KEYS.
 */
final class MigrateKeyLocator implements KeyLocator {

    private static final int KEY = 3;

    @Override
    public int keyCount(RespCommand command) {
        int keys = keysOption(command);
        if (keys == MALFORMED) {
            return MALFORMED;
        }
        return keys == 0 ? 1 : command.argCount() - keys - 1;
    }

    @Override
    public int keyIndex(RespCommand command, int k) {
        int keys = keysOption(command);
        if (keys == MALFORMED) {
            return MALFORMED;
        }
        int count = keys == 0 ? 1 : command.argCount() - keys - 1;
        if (k < 0 || k >= count) {
            throw new IndexOutOfBoundsException("key " + k + " of " + count);
        }
        return keys == 0 ? KEY : keys + 1 + k;
    }

    /** Index of the KEYS option, 0 when absent, MALFORMED when the form is not valid. */
    private static int keysOption(RespCommand command) {
        int argc = command.argCount();
        if (argc <= KEY) {
            return MALFORMED;
        }
        for (int i = 6; i < argc; i++) {
            if (command.argEqualsIgnoreCase(i, "keys")) {
                // The key argument must be empty with KEYS, and KEYS must name at least one key.
                return command.argLength(KEY) == 0 && i + 1 < argc ? i : MALFORMED;
            }
            if (command.argEqualsIgnoreCase(i, "auth")) {
                i += 1;
            } else if (command.argEqualsIgnoreCase(i, "auth2")) {
                i += 2;
            }
        }
        return 0;
    }

    /** Every key is read and deleted ({@code [RW,access,delete]}). */
    @Override
    public int keyAccess(RespCommand command, int k) {
        return CommandSpec.KEY_READ | CommandSpec.KEY_WRITE;
    }

    @Override
    public int keyStep() {
        return 1;
    }

    @Override
    public String toString() {
        return "migrate";
    }
}
