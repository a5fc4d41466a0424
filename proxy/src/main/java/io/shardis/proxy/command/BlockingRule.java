package io.shardis.proxy.command;

import io.shardis.resp.RespCommand;
import java.util.Locale;

/** When a command can hold its connection waiting: always, never, or only with a BLOCK option. */
enum BlockingRule {
    NEVER,
    ALWAYS,
    /**
     * XREAD and XREADGROUP block only with {@code BLOCK ms}, an option placed before STREAMS.
     * Options are skipped with their arguments so a group or consumer named "block" is not taken
     * for the option.
     */
    BLOCK_OPTION;

    boolean blocks(RespCommand command) {
        if (this != BLOCK_OPTION) {
            return this == ALWAYS;
        }
        int argc = command.argCount();
        for (int i = 1; i < argc; i++) {
            if (command.argEqualsIgnoreCase(i, "streams")) {
                return false;
            }
            if (command.argEqualsIgnoreCase(i, "block")) {
                return true;
            }
            if (command.argEqualsIgnoreCase(i, "count")) {
                i += 1;
            } else if (command.argEqualsIgnoreCase(i, "group")) {
                i += 2;
            }
        }
        return false;
    }

    /** Parses {@code always}, {@code never} or {@code block-option} from {@code routing.tsv}. */
    static BlockingRule named(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT).replace('-', '_'));
    }
}
