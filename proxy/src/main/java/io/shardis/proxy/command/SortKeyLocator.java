package io.shardis.proxy.command;

import io.shardis.resp.RespCommand;

/**
 * SORT's keys: the sorted key and the destination of the last STORE option. Redis' key specs for
 * STORE are {@code unknown} (the keyword may appear anywhere and BY/GET/LIMIT arguments may spell
 * "store"), so this follows Redis' own {@code sortGetKeys}: options are skipped with their
 * arguments (LIMIT 2, GET 1, BY 1) and the last STORE wins.
 */
final class SortKeyLocator implements KeyLocator {

    @Override
    public int keyCount(RespCommand command) {
        if (command.argCount() < 2) {
            return MALFORMED;
        }
        return storeIndex(command) > 0 ? 2 : 1;
    }

    @Override
    public int keyIndex(RespCommand command, int k) {
        if (k == 0) {
            return command.argCount() < 2 ? MALFORMED : 1;
        }
        int store = k == 1 ? storeIndex(command) : 0;
        if (store <= 0) {
            throw new IndexOutOfBoundsException("key " + k);
        }
        return store;
    }

    private static int storeIndex(RespCommand command) {
        int argc = command.argCount();
        int store = 0;
        for (int i = 2; i < argc; i++) {
            if (command.argEqualsIgnoreCase(i, "limit")) {
                i += 2;
            } else if (command.argEqualsIgnoreCase(i, "get") || command.argEqualsIgnoreCase(i, "by")) {
                i += 1;
            } else if (command.argEqualsIgnoreCase(i, "store") && i + 1 < argc) {
                store = i + 1;
            }
        }
        return store;
    }

    /** The sorted key is read ({@code [RO,access]}), the STORE destination written ({@code [OW,update]}). */
    @Override
    public int keyAccess(RespCommand command, int k) {
        return k == 0 ? CommandSpec.KEY_READ : CommandSpec.KEY_WRITE;
    }

    @Override
    public int keyStep() {
        return 1;
    }

    @Override
    public String toString() {
        return "sort";
    }
}
