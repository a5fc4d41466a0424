package io.shardis.proxy.session;

import io.shardis.proxy.command.CommandSpec;
import io.shardis.proxy.command.Routing;
import io.shardis.resp.RespCommand;
import java.util.Locale;

/**
 * The texts of the errors Shardis answers itself, instead of forwarding: for commands it does not
 * run, and for the commands it answers (transactions, HELLO, CLIENT...). Worded as Redis 7 words the
 * same error where Redis has one, so that clients and people recognise them ({@code RefusalsTest}
 * finds those words in redis-server); Shardis' own begin {@code ERR Shardis:}.
 *
 * <p>AUTH's errors are {@code auth.AuthErrors}. The packages below this one keep the few errors they
 * make themselves (a backend connection lost, a failover hold run out, replies that cannot merge):
 * they cannot reach this class.
 */
public final class Refusals {

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

    // --- Redis' own answers to the commands Shardis answers itself. ---

    /** A new client over the pool's {@code client_connections}; written before the connection closes. */
    public static final String MAX_CLIENTS = "ERR max number of clients reached";

    static final String NOT_AN_INTEGER = "ERR value is not an integer or out of range";
    static final String INVALID_CURSOR = "ERR invalid cursor";
    /** PING with more than one argument (the table's arity lets any count through). */
    static final String PING_ARITY = "ERR wrong number of arguments for 'ping' command";

    static final String NESTED_MULTI = "ERR MULTI calls can not be nested";
    static final String EXEC_WITHOUT_MULTI = "ERR EXEC without MULTI";
    static final String DISCARD_WITHOUT_MULTI = "ERR DISCARD without MULTI";
    static final String WATCH_IN_MULTI = "ERR WATCH inside MULTI is not allowed";
    /** EXEC of a transaction in which a command was refused while queueing. */
    static final String EXECABORT = "EXECABORT Transaction discarded because of previous errors.";

    /** HELLO of a protocol version Redis 7 does not speak. */
    static final String NOPROTO = "NOPROTO unsupported protocol version";

    static final String PROTOCOL_VERSION = "ERR Protocol version is not an integer or out of range";

    static String helloSyntax(RespCommand command, int option) {
        return "ERR Syntax error in HELLO option '" + Names.printable(command, option) + "'";
    }

    static final String INVALID_CLIENT_ID = "ERR Invalid client ID";
    static final String NO_SUCH_CLIENT = "ERR No such client";
    static final String CLIENT_ID_NOT_POSITIVE = "ERR client-id should be greater than 0";
    static final String BAD_CLIENT_NAME = "ERR Client names cannot contain spaces, newlines or special characters.";

    static String unknownClientType(String type) {
        return "ERR Unknown client type '" + type + "'";
    }

    static String noSuchUser(String user) {
        return "ERR No such user '" + user + "'";
    }

    static String unrecognizedOption(RespCommand command, int option) {
        return "ERR Unrecognized option '" + Names.printable(command, option) + "'";
    }

    /** CLIENT SETINFO of a lib-name or lib-ver with a space or a special character. */
    static String badLibraryAttribute(String attribute) {
        return "ERR " + attribute + " cannot contain spaces, newlines or special characters.";
    }

    // CLIENT TRACKING and CLIENT CACHING.

    static final String TRACKING_ONE_REDIRECT = "ERR A client can only redirect to a single other client";
    static final String TRACKING_NO_REDIRECT_CLIENT = "ERR The client ID you want redirect to does not exist";
    static final String TRACKING_PREFIX_WITHOUT_BCAST = "ERR PREFIX option requires BCAST mode to be enabled";
    static final String TRACKING_SWITCH_BCAST =
            "ERR You can't switch BCAST mode on/off before disabling tracking for this client, "
                    + "and then re-enabling it with a different mode.";
    static final String TRACKING_OPT_WITH_BCAST = "ERR OPTIN and OPTOUT are not compatible with BCAST";
    static final String TRACKING_OPTIN_AND_OPTOUT = "ERR You can't specify both OPTIN mode and OPTOUT mode";
    static final String TRACKING_SWITCH_OPT =
            "ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, "
                    + "and then re-enabling it with a different mode.";

    static String trackingPrefixOverlapsExisting(String prefix, String existing) {
        return "ERR Prefix '" + prefix + "' overlaps with an existing prefix '" + existing
                + "'. Prefixes for a single client must not overlap.";
    }

    static String trackingPrefixesOverlap(String prefix, String other) {
        return "ERR Prefix '" + prefix + "' overlaps with another provided prefix '" + other
                + "'. Prefixes for a single client must not overlap.";
    }

    static final String CACHING_WITHOUT_MODE =
            "ERR CLIENT CACHING can be called only when the client is in tracking mode "
                    + "with OPTIN or OPTOUT mode enabled";
    static final String CACHING_YES = "ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.";
    static final String CACHING_NO = "ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.";

    // --- Shardis' own: what it answers itself but Redis would run. ---

    /** A command answered by Shardis that cannot take a place among a transaction's queued commands. */
    static String notQueueable(CommandSpec spec) {
        return "ERR '" + spec.name() + "' cannot be queued in a transaction through Shardis";
    }

    /** SELECT of another database than the pool's. */
    static String selectOtherDatabase(String pool, int poolDb) {
        return "ERR SELECT is not supported by Shardis: pool '" + pool + "' serves database " + poolDb + " (redis_db)";
    }

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

    /** A WATCH of keys elsewhere than the keys already WATCHed. */
    static String watchElsewhere(boolean slots) {
        return "ERR Shardis: the keys of a transaction must all be on one server"
                + (slots ? " and in one hash slot" : "") + "; these are elsewhere than the keys already watched";
    }

    /** EXEC after the hash slot of the WATCHed keys moved, and the WATCHes with the connection they were on. */
    static final String WATCHED_SLOT_MOVED = "ERR Shardis: the hash slot of the transaction's WATCHed keys moved"
            + " to another node; it was aborted, retry it";

    // --- A cluster redirection of a command on the client's own connection (PinnedRedirects). ---

    static String redirectedTooOften(int slot, int times) {
        return "ERR Shardis: hash slot " + slot + " moved " + times + " times while this command was served; send it"
                + " again";
    }

    /** A redirected command to send again after its client went. */
    static final String CLIENT_CLOSED = "ERR Shardis: connection closed";

    static String blockingCannotFollow(int slot) {
        return "ERR Shardis: hash slot " + slot + " moved to another node, and this blocking command cannot follow"
                + " it while the connection has other commands waiting there; send it again";
    }

    static String transactionSlotMigrating(int slot) {
        return "ERR Shardis: hash slot " + slot + " is being migrated to another node; the transaction was aborted,"
                + " retry it";
    }

    static String transactionSlotMoved(int slot) {
        return "ERR Shardis: hash slot " + slot + " moved to another node during the transaction; it was aborted,"
                + " retry it";
    }

    static String shardChannelMoved(int slot) {
        return "ERR Shardis: hash slot " + slot + " of this shard channel moved to another node; subscribe to it on a"
                + " new connection";
    }

    // --- A server's SCAN reply that cannot be combined into the walk's (ScanStep). ---

    static final String SCAN_REPLY_UNEXPECTED = "ERR Shardis: unexpected SCAN reply from a server";
    static final String SCAN_CURSOR_UNEXPECTED = "ERR Shardis: unexpected SCAN cursor from a server";
    static final String SCAN_CURSOR_TOO_LARGE = "ERR Shardis: a server's SCAN cursor is too large to combine";

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
