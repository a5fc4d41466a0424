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

    /**
     * A command name the table does not know: Redis 7's words, the name and the first arguments as
     * the client sent them (up to 128 characters of arguments, each quoted and followed by a space).
     */
    static String unknownCommand(RespCommand command) {
        StringBuilder args = new StringBuilder();
        for (int i = 1; i < command.argCount() && args.length() < 128; i++) {
            String arg = Names.printable(command, i);
            args.append('\'').append(arg, 0, Math.min(arg.length(), 128 - args.length())).append("' ");
        }
        return "ERR unknown command '" + Names.printable(command, 0) + "', with args beginning with: " + args;
    }

    /** Redis' answer to a container (CLIENT, COMMAND...) whose argument 1 is no subcommand it knows. */
    static String unknownSubcommand(RespCommand command, CommandSpec container) {
        return "ERR unknown subcommand '" + Names.printable(command, 1) + "'. Try "
                + container.containerName().toUpperCase(Locale.ROOT) + " HELP.";
    }

    /** Redis' answer to a command or subcommand with the wrong number of arguments. */
    static String wrongArity(CommandSpec spec) {
        return "ERR wrong number of arguments for '" + spec.name() + "' command";
    }

    /** Redis' answer to an option it does not know, or an option without its value. */
    static final String SYNTAX = "ERR syntax error";

    /**
     * A command the table routes REFUSED. A container whose argument 1 names no subcommand gets
     * Redis' own answer ({@code FUNCTION FOO}: "unknown subcommand 'foo'. Try FUNCTION HELP."), as
     * Redis gives it for a subcommand it does not know.
     */
    static String unsupported(RespCommand command, CommandSpec spec) {
        if (spec.isContainer() && spec.routing() == Routing.REFUSED && command.argCount() > 1) {
            return unknownSubcommand(command, spec);
        }
        return "ERR unknown or unsupported command '" + spec.name() + "'";
    }

    /** An admin command (routing.tsv's DANGEROUS) in a pool without {@code allow_admin}. */
    static String adminOff(CommandSpec spec, String pool) {
        if (spec.routing() == Routing.LOCAL) {
            return "ERR command '" + spec.name() + "' is refused by Shardis: admin commands are off for pool '"
                    + pool + "' (allow_admin: true turns them on)";
        }
        return "ERR command '" + spec.name() + "' is refused by Shardis: admin commands are off for pool '"
                + pool + "' (allow_admin: true sends them to the pool's backends)";
    }
}
