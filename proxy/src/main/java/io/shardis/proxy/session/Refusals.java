package io.shardis.proxy.session;

import io.shardis.proxy.command.CommandSpec;
import io.shardis.proxy.command.Routing;
import io.shardis.resp.RespCommand;

import java.util.Locale;

/**
 * The texts of the errors Shardis answers, instead of forwarding, for commands it does not run:
 * worded as Redis 7 words the same refusal where Redis has one, so that clients and people
 * recognise them.
 */
final class Refusals {

    private Refusals() {
    }

    /** A command name the table does not know. */
    static String unknownCommand(RespCommand command) {
        return "ERR unknown or unsupported command '" + Names.printable(command, 0) + "'";
    }

    /**
     * A command the table routes REFUSED. A container whose argument 1 names no subcommand gets
     * Redis' own answer ({@code FUNCTION FOO}: "unknown subcommand 'foo'. Try FUNCTION HELP."), as
     * Redis gives it for a subcommand it does not know.
     */
    static String unsupported(RespCommand command, CommandSpec spec) {
        if (spec.isContainer() && spec.routing() == Routing.REFUSED && command.argCount() > 1) {
            return "ERR unknown subcommand '" + Names.printable(command, 1) + "'. Try "
                    + spec.name().toUpperCase(Locale.ROOT) + " HELP.";
        }
        return "ERR unknown or unsupported command '" + spec.name() + "'";
    }

    /** An admin command (routing.tsv's DANGEROUS) in a pool without {@code allow_admin}. */
    static String adminOff(CommandSpec spec, String pool) {
        return "ERR command '" + spec.name() + "' is refused by Shardis: admin commands are off for pool '"
                + pool + "' (allow_admin: true sends them to the pool's backends)";
    }
}
