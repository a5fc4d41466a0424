package io.shardis.proxy.command;

import io.shardis.resp.RespCommand;
import java.util.Collection;

/**
 * Every Redis command Shardis knows: the single source of truth for arity, flags, key positions
 * and routing. Looked up once per request, from the request's bytes, without allocating.
 *
 * <h2>Where the data comes from</h2>
 * <ul>
 *   <li>{@code commands.tsv}: generated from redis-server's own {@code COMMAND} and
 *       {@code COMMAND DOCS} replies (see its header for how to regenerate it). Key positions are
 *       Redis 7 key specs, read generically by {@link KeySpec}: EVAL, FCALL, ZUNIONSTORE,
 *       SINTERCARD, LMPOP, XREAD, GEORADIUS ... STORE need no code of their own.</li>
 *   <li>{@code commands-extra.tsv}: commands of newer Redis versions that clients send anyway
 *       (CLIENT SETINFO, CLIENT NO-TOUCH, WAITAOF), written by hand in the same format.</li>
 *   <li>{@code routing.tsv}: Shardis' decisions, one commented line per decision. A keyless
 *       command without a line there makes the table refuse to load: nothing new is forwarded
 *       before someone decided how.</li>
 * </ul>
 *
 * <h2>Choices that are not obvious</h2>
 * <ul>
 *   <li><b>Key order</b> follows Redis' key specs: ZUNIONSTORE's destination comes before its
 *       sources. Only MULTI_KEY commands rely on the order, and theirs is argument order.</li>
 *   <li><b>Malformed invocations</b>: {@link CommandSpec#keyCount} answers -1, never an exception,
 *       where Redis' reading would find "no keys" too: a key count that is not a number, negative
 *       or larger than the arguments (EVAL), an unbalanced MSET or XREAD. Routing such a request
 *       by a guess would send it to the wrong shard; answering an error is what Redis does.</li>
 *   <li><b>SORT and MIGRATE</b> are the two commands whose key specs Redis itself marks unknown
 *       (SORT ... STORE) or incomplete (MIGRATE ... KEYS); for them Shardis follows Redis' own
 *       key-extraction code. The loader refuses any other such spec on a written key.</li>
 *   <li><b>Sharded pub/sub channels count as keys</b> (SPUBLISH, SSUBSCRIBE): Redis marks them
 *       {@code not_key}, but they are hashed to slots exactly like keys, so SPUBLISH is SINGLE_KEY.
 *       {@code COMMAND GETKEYS} does not list them.</li>
 *   <li><b>MULTI_KEY</b> is for MGET, MSET, DEL, UNLINK, EXISTS and TOUCH only, the commands Redis
 *       tips {@code request_policy:multi_shard}. MSETNX stays SAME_SHARD: all-or-nothing cannot be
 *       split.</li>
 *   <li><b>Replica reads</b> ({@link CommandFlag#REPLICA_READABLE}, for cluster pools with
 *       {@code read_from}) follow Redis' {@code readonly} flag, which EVAL and FCALL lack (a
 *       script may write) and their {@code _ro} forms have; {@code MASTER_ONLY} in
 *       {@code routing.tsv} keeps TOUCH and OBJECT FREQ/IDLETIME on masters.</li>
 *   <li><b>Blocking</b> does not change routing: BLPOP is SAME_SHARD (several keys), BLMOVE
 *       SAME_SHARD; {@link CommandSpec#blocks} tells the proxy to give the request a connection of
 *       its own. XREAD and XREADGROUP block only with a BLOCK option; WAIT and WAITAOF always.</li>
 *   <li><b>ALL_SHARDS</b> follows Redis' {@code request_policy:all_shards/all_nodes} tips (DBSIZE,
 *       KEYS, SCAN, RANDOMKEY, INFO, FLUSHALL, SCRIPT LOAD/EXISTS/FLUSH/KILL, FUNCTION
 *       LOAD/DELETE/FLUSH/RESTORE/KILL/STATS, SLOWLOG, LATENCY, MEMORY DOCTOR/STATS...), plus
 *       FUNCTION LIST (so a shard missing a library shows) and SAVE/BGSAVE/BGREWRITEAOF (persist
 *       every shard). Scripts and functions are loaded everywhere so that EVALSHA and FCALL work on
 *       whichever shard their keys route to. PING is the exception: the proxy answers it.</li>
 *   <li><b>KEYLESS</b> commands go to any one backend because every backend gives an acceptable
 *       answer: TIME, LASTSAVE, COMMAND DOCS, ROLE, LOLWUT, CONFIG GET, the HELP
 *       subcommands, read-only ACL commands. PUBLISH and PUBSUB introspection pass through for now.
 *       EVAL with no key is SAME_SHARD with zero keys: any shard.</li>
 *   <li><b>LOCAL</b>: connection state the proxy owns (AUTH, HELLO, SELECT, RESET, CLIENT
 *       SETNAME/GETNAME/ID/INFO/SETINFO/NO-EVICT/NO-TOUCH), the proxy's own clients (CLIENT
 *       LIST/KILL), the proxy's own table (COMMAND, COMMAND COUNT/INFO/LIST/GETKEYS), cluster
 *       handshakes (READONLY, READWRITE) and PING/ECHO/QUIT.</li>
 *   <li><b>REFUSED</b>: whatever changes a backend connection's mode or identity (MONITOR, CLIENT
 *       REPLY/TRACKING/CACHING, SCRIPT DEBUG), replication and server control (SYNC,
 *       PSYNC, REPLCONF, REPLICAOF, FAILOVER, SHUTDOWN, DEBUG SEGFAULT/PANIC/RESTART and the
 *       other DEBUG subcommands that stop a server, MODULE, ACL SETUSER/DELUSER/LOAD/SAVE), databases (SWAPDB, MOVE: the database is the
 *       pool's), cluster internals (CLUSTER, ASKING, RESTORE-ASKING: the proxy presents itself as
 *       a standalone Redis) and MIGRATE (it moves keys to a server the client names, behind the
 *       routing). A container (CLIENT, CONFIG...) whose argument 1 names no known subcommand is
 *       REFUSED too: nothing is forwarded blindly.</li>
 *   <li><b>DANGEROUS</b>: every command Redis flags {@code admin} (CONFIG GET, SAVE, BGSAVE,
 *       CLIENT LIST, SLOWLOG, LATENCY...), plus FLUSHALL, FLUSHDB, SCRIPT KILL/FLUSH, FUNCTION
 *       KILL/FLUSH/RESTORE and MEMORY DOCTOR/STATS/MALLOC-STATS/PURGE: they keep their routing and
 *       are forwarded (or, LOCAL ones, answered) only when the pool allows admin commands. Those that change a server
 *       (CONFIG SET/RESETSTAT/REWRITE, CLIENT PAUSE/UNPAUSE, DEBUG, SLOWLOG/LATENCY RESET...) are
 *       ALL_SHARDS: every backend of the pool must end up alike. KEYS and INFO are not dangerous:
 *       they are what Twemproxy users asked for most.</li>
 * </ul>
 */
public final class CommandTable {

    private final NameIndex commands;
    private final Collection<CommandSpec> all;

    CommandTable(NameIndex commands, Collection<CommandSpec> all) {
        this.commands = commands;
        this.all = all;
    }

    /** The table built from this package's resources; loaded once, then shared. */
    public static CommandTable standard() {
        return Standard.TABLE;
    }

    /**
     * The spec for {@code command}, or null when its name is unknown. For a container (CLIENT,
     * CONFIG, SCRIPT...) the subcommand's spec when argument 1 names a known one, else the
     * container's. Case-insensitive; allocates nothing; does not retain or release the command.
     */
    public CommandSpec lookup(RespCommand command) {
        CommandSpec spec = commands.find(command, 0);
        if (spec != null && spec.subcommands() != null && command.argCount() > 1) {
            CommandSpec subcommand = spec.subcommands().find(command, 1);
            if (subcommand != null) {
                return subcommand;
            }
        }
        return spec;
    }

    /** The spec named {@code "get"} or {@code "client|setname"} (any case), or null. */
    public CommandSpec lookup(String name) {
        int bar = name.indexOf('|');
        if (bar < 0) {
            return commands.find(name);
        }
        CommandSpec container = commands.find(name.substring(0, bar));
        if (container == null || container.subcommands() == null) {
            return null;
        }
        return container.subcommands().find(name.substring(bar + 1));
    }

    /** Every command and subcommand, sorted by name. */
    public Collection<CommandSpec> all() {
        return all;
    }

    private static final class Standard {
        static final CommandTable TABLE = CommandTableLoader.loadStandard();
    }
}
