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

    private Refusals() {}

    /**
     * A command name the table does not know: Redis 7's words, the name and the first arguments as
     * the client sent them (up to 128 characters of arguments, each quoted and followed by a space).
     */
    static String unknownCommand(RespCommand command) {
        StringBuilder args = new StringBuilder();
        for (int i = 1; i < command.argCount() && args.length() < 128; i++) {
            String arg = Names.printable(command, i);
            args.append('\'')
                    .append(arg, 0, Math.min(arg.length(), 128 - args.length()))
                    .append("' ");
        }
        return "ERR unknown command '" + Names.printable(command, 0) + "', with args beginning with: " + args;
    }

    /** A command Shardis does not run, by its name. */
    static String unsupported(String name) {
        return "ERR unknown or unsupported command '" + name + "'";
    }

    /** A request the decoder could not read; the connection closes after it, as Redis closes it. */
    static String protocolError(String message) {
        return "ERR " + message;
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
        return unsupported(spec.name());
    }

    /** An admin command (routing.tsv's DANGEROUS) in a pool without {@code allow_admin}. */
    static String adminOff(CommandSpec spec, String pool) {
        if (spec.routing() == Routing.LOCAL) {
            return "ERR command '" + spec.name() + "' is refused by Shardis: admin commands are off for pool '" + pool
                    + "' (allow_admin: true turns them on)";
        }
        return "ERR command '" + spec.name() + "' is refused by Shardis: admin commands are off for pool '" + pool
                + "' (allow_admin: true sends them to the pool's backends)";
    }

    // --- Where a command cannot go: the keys, the servers, the client's own connection. ---

    /** Keys of one command on several servers (or in a cluster, several hash slots). */
    static String crossServer(CommandSpec spec, String pool, boolean slots) {
        if (slots) {
            return "ERR Shardis: keys of '" + spec.name() + "' are in different hash slots of the cluster behind pool '"
                    + pool + "'; keys used together need the same hash tag, e.g. {user1}.a and {user1}.b";
        }
        return "ERR Shardis: the keys of '" + spec.name() + "' are on different servers of pool '" + pool
                + "'; keys used together need the same hash tag, e.g. {user1}.a and {user1}.b";
    }

    /** The pool reads only from replicas, and {@code slot} has none reachable. */
    static String noReplica(CommandSpec spec, String pool, int slot) {
        return "ERR Shardis: pool '" + pool + "' reads from replicas only (read_from: replica)"
                + " and no replica of hash slot " + slot + " is reachable; '" + spec.name() + "' was not sent";
    }

    /** No live server for the command's keys (every server ejected, or the slot unserved). */
    static String noServer(CommandSpec spec, String pool) {
        return "ERR Shardis: no server of pool '" + pool + "' is available for '" + spec.name() + "'";
    }

    /** No live server at all for a command that may go to any. */
    static String noServerAvailable(String pool) {
        return "ERR Shardis: no server of pool '" + pool + "' is available";
    }

    /** Inside MULTI, a command for another server than the transaction's. */
    static String noServerInTransaction() {
        return "ERR Shardis: no server for this command in the transaction";
    }

    /** WAIT and WAITAOF (routing.tsv's COUNTS_REPLICAS) in a pool of several servers. */
    static String countsReplicasOfOneServer(CommandSpec spec, String pool, int servers) {
        return "ERR Shardis: " + spec.name() + " counts the replicas of one server; pool '" + pool + "' has " + servers;
    }

    /** A subscription for another server than the one the client's own connection goes to. */
    static String otherSubscriptionServer(CommandSpec spec, String pool) {
        return "ERR Shardis: '" + spec.name() + "' needs another server of pool '" + pool
                + "' than this connection's subscriptions or transaction; use another connection for it";
    }

    /** A blocking command for another server than the one the client's own connection goes to. */
    static String blocksElsewhere(CommandSpec spec) {
        return "ERR Shardis: '" + spec.name() + "' blocks on another server than the"
                + " blocking command or transaction this client already has in progress";
    }

    static String subscribeInMulti(CommandSpec spec) {
        return "ERR " + spec.name() + " inside MULTI is not supported by Shardis";
    }

    static String allShardsInMulti(CommandSpec spec, String pool) {
        return "ERR Shardis: '" + spec.name() + "' runs on every server of pool '" + pool
                + "' and cannot be part of a transaction";
    }

    /** A command of a transaction whose keys are elsewhere than the transaction's. */
    static String transactionElsewhere(CommandSpec spec, String pool, boolean slots) {
        return "ERR Shardis: the keys of a transaction must all be "
                + (slots ? "in one hash slot of the cluster behind pool '" : "on one server of pool '")
                + pool + "'; '" + spec.name() + "' uses another one (hash tags keep keys together)";
    }
}
