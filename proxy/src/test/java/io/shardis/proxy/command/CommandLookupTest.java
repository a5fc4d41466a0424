package io.shardis.proxy.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardis.resp.RespCommand;
import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CommandLookupTest {

    private final CommandTable table = CommandTable.standard();
    private final TestCommands commands = new TestCommands();

    @AfterEach
    void releaseFrames() {
        commands.close();
    }

    @Test
    void findsCommandsWhateverTheirCase() {
        for (String name : new String[] {"get", "GET", "GeT", "gEt"}) {
            CommandSpec spec = table.lookup(commands.of(name, "k"));
            assertThat(spec).as(name).isNotNull();
            assertThat(spec.name()).isEqualTo("get");
            assertThat(table.lookup(name)).isSameAs(spec);
        }
        assertThat(table.lookup(commands.of("ZUNIONSTORE", "d", "1", "a")).name())
                .isEqualTo("zunionstore");
        assertThat(table.lookup(commands.of("restore-ASKING")).name()).isEqualTo("restore-asking");
        assertThat(table.lookup(commands.of("GEORADIUS_RO")).name()).isEqualTo("georadius_ro");
    }

    @Test
    void answersNullForUnknownNames() {
        assertThat(table.lookup(commands.of("nosuchcommand"))).isNull();
        assertThat(table.lookup(commands.of("ge"))).isNull();
        assertThat(table.lookup(commands.of("gett"))).isNull();
        assertThat(table.lookup(commands.of(""))).isNull();
        assertThat(table.lookup(commands.of("x".repeat(10_000)))).isNull();
        assertThat(table.lookup(commands.of("gét"))).isNull();
        assertThat(table.lookup("nosuchcommand")).isNull();
        assertThat(table.lookup("client|nosuchsubcommand")).isNull();
        assertThat(table.lookup("get|x")).isNull();
    }

    @Test
    void findsSubcommandsOfContainers() {
        assertThat(table.lookup(commands.of("CLIENT", "SETNAME", "app")).name()).isEqualTo("client|setname");
        assertThat(table.lookup(commands.of("client", "setname", "app")).name()).isEqualTo("client|setname");
        assertThat(table.lookup(commands.of("Config", "Get", "maxmemory")).name())
                .isEqualTo("config|get");
        assertThat(table.lookup(commands.of("script", "load", "return 1")).name())
                .isEqualTo("script|load");
        assertThat(table.lookup(commands.of("FUNCTION", "LIST")).name()).isEqualTo("function|list");
        assertThat(table.lookup(commands.of("object", "encoding", "k")).name()).isEqualTo("object|encoding");
        assertThat(table.lookup(commands.of("MEMORY", "USAGE", "k")).name()).isEqualTo("memory|usage");
        assertThat(table.lookup(commands.of("xinfo", "stream", "s")).name()).isEqualTo("xinfo|stream");
        assertThat(table.lookup(commands.of("XGROUP", "CREATE", "s", "g", "$")).name())
                .isEqualTo("xgroup|create");
        assertThat(table.lookup(commands.of("command", "getkeys", "get", "k")).name())
                .isEqualTo("command|getkeys");
        assertThat(table.lookup(commands.of("cluster", "slots")).name()).isEqualTo("cluster|slots");
        assertThat(table.lookup(commands.of("acl", "whoami")).name()).isEqualTo("acl|whoami");
        assertThat(table.lookup(commands.of("PUBSUB", "CHANNELS")).name()).isEqualTo("pubsub|channels");
        assertThat(table.lookup(commands.of("latency", "latest")).name()).isEqualTo("latency|latest");
        assertThat(table.lookup(commands.of("slowlog", "get", "10")).name()).isEqualTo("slowlog|get");
        assertThat(table.lookup(commands.of("module", "list")).name()).isEqualTo("module|list");
        assertThat(table.lookup("CLIENT|SetName").name()).isEqualTo("client|setname");
    }

    @Test
    void fallsBackToTheContainerWhenArgumentOneIsNoSubcommand() {
        assertThat(table.lookup(commands.of("client")).name()).isEqualTo("client");
        assertThat(table.lookup(commands.of("client", "bogus")).name()).isEqualTo("client");
        assertThat(table.lookup(commands.of("config", "")).name()).isEqualTo("config");
        // Plain commands ignore argument 1 even when it spells a subcommand of something else.
        assertThat(table.lookup(commands.of("get", "setname")).name()).isEqualTo("get");
        assertThat(table.lookup("client").routing()).isEqualTo(Routing.REFUSED);
    }

    @Test
    void newerClientHandshakeCommandsAreKnown() {
        assertThat(table.lookup(commands.of("CLIENT", "SETINFO", "LIB-NAME", "jedis"))
                        .name())
                .isEqualTo("client|setinfo");
        assertThat(table.lookup(commands.of("client", "no-touch", "on")).name()).isEqualTo("client|no-touch");
        assertThat(table.lookup(commands.of("WAITAOF", "1", "0", "100")).name()).isEqualTo("waitaof");
    }

    @Test
    void everySpecIsFoundByItsOwnNameBothWays() {
        assertThat(table.all()).hasSizeGreaterThan(350);
        for (CommandSpec spec : table.all()) {
            assertThat(spec.name()).isEqualTo(spec.name().toLowerCase(Locale.ROOT));
            assertThat(table.lookup(spec.name())).as(spec.name()).isSameAs(spec);
            assertThat(table.lookup(spec.name().toUpperCase(Locale.ROOT)))
                    .as(spec.name())
                    .isSameAs(spec);
            String[] words = spec.name().split("\\|");
            RespCommand command = commands.of(words);
            assertThat(table.lookup(command)).as(spec.name()).isSameAs(spec);
        }
    }

    @Test
    void standardTableIsLoadedOnce() {
        assertThat(CommandTable.standard()).isSameAs(table);
    }

    @Test
    void arityFollowsRedisConvention() {
        CommandSpec get = table.lookup("get");
        assertThat(get.arity()).isEqualTo(2);
        assertThat(get.arityAccepts(2)).isTrue();
        assertThat(get.arityAccepts(1)).isFalse();
        assertThat(get.arityAccepts(3)).isFalse();

        CommandSpec mget = table.lookup("mget");
        assertThat(mget.arity()).isEqualTo(-2);
        assertThat(mget.arityAccepts(1)).isFalse();
        assertThat(mget.arityAccepts(2)).isTrue();
        assertThat(mget.arityAccepts(500)).isTrue();

        CommandSpec mset = table.lookup("mset");
        assertThat(mset.arity()).isEqualTo(-3);
        assertThat(mset.arityAccepts(2)).isFalse();

        assertThat(table.lookup("ping").arity()).isEqualTo(-1);
        assertThat(table.lookup("ping").arityAccepts(1)).isTrue();
        assertThat(table.lookup("client|setname").arity()).isEqualTo(3);
        assertThat(table.lookup("client").arityAccepts(1)).isFalse();
        assertThat(table.lookup("eval").arity()).isEqualTo(-3);
        assertThat(table.lookup("xreadgroup").arity()).isEqualTo(-7);
    }

    @Test
    void carriesRedisFlags() {
        CommandSpec get = table.lookup("get");
        assertThat(get.has(CommandFlag.READONLY)).isTrue();
        assertThat(get.has(CommandFlag.FAST)).isTrue();
        assertThat(get.has(CommandFlag.WRITE)).isFalse();
        assertThat(table.lookup("set").has(CommandFlag.DENYOOM)).isTrue();
        assertThat(table.lookup("eval").has(CommandFlag.MOVABLE_KEYS)).isTrue();
        assertThat(table.lookup("eval").has(CommandFlag.NO_MANDATORY_KEYS)).isTrue();
        assertThat(table.lookup("auth").has(CommandFlag.NO_AUTH)).isTrue();
        assertThat(table.lookup("blpop").has(CommandFlag.BLOCKING)).isTrue();
        assertThat(table.lookup("subscribe").has(CommandFlag.PUBSUB)).isTrue();
        assertThat(table.lookup("config|set").has(CommandFlag.ADMIN)).isTrue();
        assertThat(table.lookup("save").has(CommandFlag.NO_MULTI)).isTrue();
        assertThat(table.lookup("eval").has(CommandFlag.SKIP_MONITOR)).isTrue();
        assertThat(table.lookup("keys").has(CommandFlag.SORT_FOR_SCRIPT)).isTrue();
        assertThat(table.lookup("get").has(CommandFlag.SORT_FOR_SCRIPT)).isFalse();
    }
}
