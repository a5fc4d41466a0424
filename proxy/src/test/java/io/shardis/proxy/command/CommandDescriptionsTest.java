package io.shardis.proxy.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardis.resp.RespValue;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** COMMAND INFO, COUNT, LIST and GETKEYS built from the table, in Redis 7.0's reply shapes. */
class CommandDescriptionsTest {

    private final CommandDescriptions table = new CommandDescriptions(CommandTable.standard());
    private final TestCommands commands = new TestCommands();

    @AfterEach
    void releaseFrames() {
        commands.close();
    }

    private static RespValue bulk(String text) {
        return RespValue.BulkString.of(text);
    }

    private static RespValue status(String text) {
        return new RespValue.SimpleString(text);
    }

    private static RespValue integer(long value) {
        return new RespValue.Integer(value);
    }

    private static RespValue.Map map(Object... keysAndValues) {
        return KeySpec.map(keysAndValues);
    }

    @Test
    void getIsDescribedAsRedisDescribesIt() {
        RespValue keySpec = map(
                "flags",
                new RespValue.Set(List.of(status("RO"), status("access"))),
                "begin_search",
                map("type", bulk("index"), "spec", map("index", integer(1))),
                "find_keys",
                map(
                        "type",
                        bulk("range"),
                        "spec",
                        map("lastkey", integer(0), "keystep", integer(1), "limit", integer(0))));
        assertThat(table.info(table.named("get")))
                .isEqualTo(RespValue.Array.of(
                        bulk("get"),
                        integer(2),
                        new RespValue.Set(List.of(status("readonly"), status("fast"))),
                        integer(1),
                        integer(1),
                        integer(1),
                        new RespValue.Set(List.of(status("@read"), status("@string"), status("@fast"))),
                        new RespValue.Set(List.of()),
                        new RespValue.Set(List.of(keySpec)),
                        new RespValue.Set(List.of())));
    }

    @Test
    void keySpecNotesComeFirstAndKeywordSpecsNameTheirKeyword() {
        RespValue.Array set = (RespValue.Array) table.info(table.named("set"));
        RespValue.Map spec = (RespValue.Map)
                ((RespValue.Set) set.elements().get(8)).elements().get(0);
        assertThat(spec.entries().get(0))
                .isEqualTo(new RespValue.Pair(bulk("notes"), bulk("RW and ACCESS due to the optional `GET` argument")));

        RespValue.Array xread = (RespValue.Array) table.info(table.named("xread"));
        RespValue.Map xreadSpec = (RespValue.Map)
                ((RespValue.Set) xread.elements().get(8)).elements().get(0);
        assertThat(xreadSpec.entries().get(1).value())
                .isEqualTo(
                        map("type", bulk("keyword"), "spec", map("keyword", bulk("STREAMS"), "startfrom", integer(1))));
    }

    @Test
    void listsOnlyWhatShardisAccepts() {
        assertThat(table.named("monitor")).as("refused").isNull();
        assertThat(table.named("client|reply")).as("refused subcommand").isNull();
        assertThat(table.named("debug|object")).as("not a Redis subcommand").isNull();
        assertThat(table.named("nosuch")).isNull();
        assertThat(table.named("client|list")).isNotNull();
        List<String> names = table.commands().stream().map(CommandSpec::name).toList();
        assertThat(names)
                .contains("get", "client", "cluster", "command", "debug")
                .doesNotContain("monitor", "sync", "shutdown", "module", "client|list");
        List<String> client = table.subcommands(table.named("client")).stream()
                .map(CommandSpec::name)
                .toList();
        assertThat(client)
                .contains("client|list", "client|kill", "client|setname", "client|no-touch")
                .contains("client|tracking", "client|caching")
                .doesNotContain("client|reply", "client|unblock");
        assertThat(table.subcommands(table.named("cluster")).stream().map(CommandSpec::name))
                .containsExactly("cluster|info", "cluster|keyslot");
        assertThat(table.subcommands(table.named("debug"))).isEmpty();
        assertThat(table.names(spec -> spec.name().startsWith("cluster")))
                .containsExactly("cluster", "cluster|info", "cluster|keyslot");
    }

    @Test
    void getKeysAnswersAsRedisWords() {
        assertThat(table.keys(commands.of("mget", "a", "b"), false))
                .isEqualTo(RespValue.Array.of(bulk("a"), bulk("b")));
        assertThat(table.keys(commands.of("lmove", "a", "b", "left", "right"), true))
                .isEqualTo(RespValue.Array.of(
                        RespValue.Array.of(
                                bulk("a"),
                                new RespValue.Set(List.of(status("RW"), status("access"), status("delete")))),
                        RespValue.Array.of(bulk("b"), new RespValue.Set(List.of(status("RW"), status("insert"))))));
        assertThat(table.keys(commands.of("set", "k", "v", "GET"), true))
                .isEqualTo(RespValue.Array.of(RespValue.Array.of(
                        bulk("k"), new RespValue.Set(List.of(status("RW"), status("access"), status("update"))))));
        assertThat(table.keys(commands.of("nosuch", "a"), false)).isEqualTo("ERR Invalid command specified");
        assertThat(table.keys(commands.of("monitor"), false)).isEqualTo("ERR Invalid command specified");
        assertThat(table.keys(commands.of("ping"), false)).isEqualTo("ERR The command has no key arguments");
        assertThat(table.keys(commands.of("spublish", "ch", "m"), false))
                .as("a shard channel is not a key")
                .isEqualTo("ERR The command has no key arguments");
        assertThat(table.keys(commands.of("get", "a", "b"), false))
                .isEqualTo("ERR Invalid number of arguments specified for command");
        assertThat(table.keys(commands.of("eval", "s", "9", "a"), false)).isEqualTo(RespValue.Array.of());
        assertThat(table.keys(commands.of("zunionstore", "d", "9", "a"), false))
                .isEqualTo("ERR Invalid arguments specified for command");
    }
}
