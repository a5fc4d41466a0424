package io.shardis.proxy.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardis.resp.RespCommand;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RoutingTest {

    private final CommandTable table = CommandTable.standard();
    private final TestCommands commands = new TestCommands();

    @AfterEach
    void releaseFrames() {
        commands.close();
    }

    private void assertRouting(Routing routing, String... names) {
        for (String name : names) {
            CommandSpec spec = table.lookup(name);
            assertThat(spec).as(name).isNotNull();
            assertThat(spec.routing()).as(name).isEqualTo(routing);
        }
    }

    @Test
    void singleKeyCommands() {
        assertRouting(
                Routing.SINGLE_KEY,
                "get",
                "set",
                "hset",
                "lpush",
                "xadd",
                "incr",
                "expire",
                "zadd",
                "georadius_ro",
                "object|encoding",
                "memory|usage",
                "xinfo|stream",
                "xgroup|create",
                "spublish",
                "pfadd",
                "getex",
                "dump",
                "restore",
                "sort_ro");
    }

    @Test
    void splittableCommands() {
        assertRouting(Routing.MULTI_KEY, "mget", "mset", "del", "unlink", "exists", "touch");
    }

    @Test
    void sameShardCommands() {
        assertRouting(
                Routing.SAME_SHARD,
                "rename",
                "renamenx",
                "smove",
                "sunionstore",
                "sinterstore",
                "sdiffstore",
                "rpoplpush",
                "lmove",
                "blmove",
                "brpoplpush",
                "eval",
                "evalsha",
                "eval_ro",
                "fcall",
                "fcall_ro",
                "msetnx",
                "zunionstore",
                "zinterstore",
                "zdiffstore",
                "bitop",
                "copy",
                "lcs",
                "blpop",
                "brpop",
                "blmpop",
                "bzmpop",
                "bzpopmin",
                "lmpop",
                "zmpop",
                "sintercard",
                "xread",
                "xreadgroup",
                "sort",
                "georadius",
                "georadiusbymember",
                "geosearchstore",
                "pfmerge",
                "pfcount",
                "sinter",
                "zunion");
    }

    @Test
    void keylessCommandsGoToAnyBackend() {
        assertRouting(
                Routing.KEYLESS,
                "time",
                "lastsave",
                "wait",
                "waitaof",
                "command|help",
                "publish",
                "pubsub|channels",
                "config|get",
                "role",
                "lolwut",
                "function|dump",
                "client|help");
    }

    @Test
    void allShardsCommands() {
        assertRouting(
                Routing.ALL_SHARDS,
                "dbsize",
                "keys",
                "scan",
                "randomkey",
                "flushdb",
                "flushall",
                "info",
                "script|load",
                "script|exists",
                "script|flush",
                "script|kill",
                "function|load",
                "function|delete",
                "function|flush",
                "function|list",
                "function|restore",
                "function|kill",
                "function|stats",
                "slowlog|get",
                "slowlog|len",
                "slowlog|reset",
                "latency|latest",
                "latency|doctor",
                "memory|doctor",
                "memory|stats",
                "save",
                "bgsave",
                "bgrewriteaof");
    }

    @Test
    void commandsTheProxyAnswers() {
        assertRouting(
                Routing.LOCAL,
                "ping",
                "echo",
                "quit",
                "hello",
                "select",
                "auth",
                "reset",
                "readonly",
                "readwrite",
                "client|setname",
                "client|getname",
                "client|id",
                "client|setinfo",
                "client|info",
                "client|no-evict",
                "client|no-touch",
                "acl|whoami");
    }

    @Test
    void transactionsAndSubscriptions() {
        assertRouting(Routing.TRANSACTION, "multi", "exec", "discard", "watch", "unwatch");
        assertRouting(
                Routing.SUBSCRIBE,
                "subscribe",
                "psubscribe",
                "ssubscribe",
                "unsubscribe",
                "punsubscribe",
                "sunsubscribe");
    }

    @Test
    void clusterQuestionsAClientMayAskAreAnsweredByShardis() {
        assertRouting(
                Routing.LOCAL,
                "client|tracking",
                "client|caching",
                "client|getredir",
                "client|trackinginfo",
                "cluster|keyslot",
                "cluster|info",
                "client|list",
                "client|kill",
                "command",
                "command|info",
                "command|count",
                "command|list",
                "command|docs",
                "command|getkeys",
                "command|getkeysandflags");
    }

    @Test
    void refusedCommands() {
        assertRouting(
                Routing.REFUSED,
                "monitor",
                "sync",
                "psync",
                "replconf",
                "client|reply",
                "client|unblock",
                "swapdb",
                "move",
                "cluster",
                "cluster|slots",
                "cluster|nodes",
                "cluster|shards",
                "replicaof",
                "slaveof",
                "failover",
                "shutdown",
                "module",
                "module|list",
                "module|load",
                "debug|segfault",
                "debug|panic",
                "debug|restart",
                "debug|crash-and-recover",
                "debug|assert",
                "debug|oom",
                "debug|reload",
                "acl|setuser",
                "acl|deluser",
                "acl|load",
                "acl|save",
                "asking",
                "restore-asking",
                "migrate",
                "script|debug");
        // Containers without a known subcommand are never forwarded blindly.
        assertRouting(
                Routing.REFUSED,
                "client",
                "config",
                "script",
                "function",
                "object",
                "memory",
                "xinfo",
                "xgroup",
                "pubsub",
                "latency",
                "slowlog",
                "acl");
    }

    @Test
    void adminCommandsGoToEveryBackendWhenThePoolAllowsThem() {
        for (String name : new String[] {
            "config|set",
            "config|resetstat",
            "config|rewrite",
            "client|pause",
            "client|unpause",
            "debug",
            "slowlog|reset",
            "memory|purge",
            "function|restore"
        }) {
            CommandSpec spec = table.lookup(name);
            assertThat(spec.routing()).as(name).isEqualTo(Routing.ALL_SHARDS);
            assertThat(spec.merge()).as(name).isEqualTo(ReplyMerge.SAME);
            assertThat(spec.has(CommandFlag.DANGEROUS)).as(name).isTrue();
        }
        assertThat(table.lookup("script|kill").merge()).isEqualTo(ReplyMerge.ANY_OK);
        assertThat(table.lookup("function|kill").merge()).isEqualTo(ReplyMerge.ANY_OK);
        // DEBUG OBJECT follows its key; DEBUG SLEEP and the like are DEBUG's own line.
        assertThat(table.lookup("debug|object").routing()).isEqualTo(Routing.SINGLE_KEY);
        assertThat(table.lookup(commands.of("debug", "object", "k"))).isSameAs(table.lookup("debug|object"));
        assertThat(table.lookup(commands.of("DEBUG", "sleep", "0"))).isSameAs(table.lookup("debug"));
    }

    @Test
    void dangerousCommandsKeepTheirRoutingButAreMarked() {
        for (String name : new String[] {
            "flushall",
            "flushdb",
            "config|get",
            "save",
            "bgsave",
            "bgrewriteaof",
            "script|kill",
            "script|flush",
            "function|kill",
            "function|flush",
            "function|restore",
            "client|list",
            "slowlog|get",
            "slowlog|reset",
            "latency|latest",
            "latency|reset",
            "memory|doctor",
            "memory|stats",
            "memory|purge",
            "memory|malloc-stats",
            "acl|list",
            "acl|getuser",
            "pfdebug"
        }) {
            assertThat(table.lookup(name).has(CommandFlag.DANGEROUS)).as(name).isTrue();
        }
        for (String name : new String[] {
            "get",
            "keys",
            "info",
            "scan",
            "dbsize",
            "script|load",
            "function|load",
            "eval",
            "command",
            "time",
            "ping",
            "memory|usage"
        }) {
            assertThat(table.lookup(name).has(CommandFlag.DANGEROUS)).as(name).isFalse();
        }
    }

    @Test
    void everyAdminCommandIsDangerous() {
        for (CommandSpec spec : table.all()) {
            if (spec.has(CommandFlag.ADMIN)) {
                assertThat(spec.has(CommandFlag.DANGEROUS)).as(spec.name()).isTrue();
            }
        }
    }

    @Test
    void keyRoutingNeverGuessesWhenTheKeyIsMissing() {
        for (CommandSpec spec : table.all()) {
            RespCommand bare = commands.of(spec.name().split("\\|"));
            int keys = spec.keyCount(bare); // whatever the arity, never throws
            switch (spec.routing()) {
                case KEYLESS, ALL_SHARDS, LOCAL ->
                    assertThat(keys).as(spec.name()).isZero();
                case SINGLE_KEY -> assertThat(keys).as(spec.name()).isEqualTo(-1);
                case MULTI_KEY -> assertThat(keys).as(spec.name()).isLessThanOrEqualTo(0);
                default -> assertThat(keys).as(spec.name()).isGreaterThanOrEqualTo(-1);
            }
        }
    }

    @Test
    void blockingCommandsAreRecognisedPerInvocation() {
        assertThat(blocks("BLPOP", "a", "0")).isTrue();
        assertThat(blocks("brpop", "a", "b", "1.5")).isTrue();
        assertThat(blocks("BRPOPLPUSH", "a", "b", "0")).isTrue();
        assertThat(blocks("BLMOVE", "a", "b", "LEFT", "LEFT", "0")).isTrue();
        assertThat(blocks("BLMPOP", "0", "1", "a", "LEFT")).isTrue();
        assertThat(blocks("BZPOPMIN", "a", "0")).isTrue();
        assertThat(blocks("BZPOPMAX", "a", "0")).isTrue();
        assertThat(blocks("BZMPOP", "0", "1", "a", "MIN")).isTrue();
        assertThat(blocks("WAIT", "1", "0")).isTrue();
        assertThat(blocks("WAITAOF", "1", "0", "0")).isTrue();
        assertThat(blocks("XREAD", "BLOCK", "0", "STREAMS", "a", "$")).isTrue();
        assertThat(blocks("xread", "COUNT", "5", "block", "100", "STREAMS", "a", "$"))
                .isTrue();
        assertThat(blocks("XREAD", "COUNT", "5", "STREAMS", "a", "$")).isFalse();
        assertThat(blocks("XREAD", "STREAMS", "block", "0"))
                .as("a stream named block")
                .isFalse();
        assertThat(blocks("XREAD", "COUNT", "block", "STREAMS", "a", "0"))
                .as("an argument, not the option")
                .isFalse();
        assertThat(blocks("XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "a", ">"))
                .isTrue();
        assertThat(blocks("XREADGROUP", "GROUP", "block", "block", "STREAMS", "a", ">"))
                .isFalse();
        assertThat(blocks("XREADGROUP", "GROUP", "g", "c", "NOACK", "STREAMS", "a", ">"))
                .isFalse();
        assertThat(blocks("LPOP", "a")).isFalse();
        assertThat(blocks("GET", "a")).isFalse();
        assertThat(blocks("SUBSCRIBE", "a")).isFalse();
        // Blocking does not change key routing.
        assertRouting(Routing.SAME_SHARD, "blpop", "blmpop", "bzpopmax", "blmove");
    }

    private boolean blocks(String... args) {
        RespCommand command = commands.of(args);
        return table.lookup(command).blocks(command);
    }

    @Test
    void readOnlyCommandsMayBeReadFromReplicasButScriptsAndNodeBookkeepingMayNot() {
        for (String name : new String[] {
            "get",
            "mget",
            "exists",
            "hgetall",
            "lrange",
            "zrange",
            "xrange",
            "pfcount",
            "sort_ro",
            "georadius_ro",
            "eval_ro",
            "evalsha_ro",
            "fcall_ro",
            "xread",
            "ttl",
            "type",
            "object|encoding",
            "memory|usage"
        }) {
            assertThat(table.lookup(name).has(CommandFlag.REPLICA_READABLE))
                    .as(name)
                    .isTrue();
        }
        // Scripts may write; TOUCH and OBJECT FREQ/IDLETIME are about the master's own bookkeeping.
        for (String name : new String[] {
            "set",
            "del",
            "mset",
            "incr",
            "eval",
            "evalsha",
            "fcall",
            "sort",
            "georadius",
            "touch",
            "object|freq",
            "object|idletime",
            "blpop",
            "xreadgroup",
            "watch",
            "multi",
            "publish",
            "ping"
        }) {
            assertThat(table.lookup(name).has(CommandFlag.REPLICA_READABLE))
                    .as(name)
                    .isFalse();
        }
    }
}
