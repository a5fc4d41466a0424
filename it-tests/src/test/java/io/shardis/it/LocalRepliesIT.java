package io.shardis.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardis.it.support.Closeables;
import io.shardis.it.support.RedisProcess;
import io.shardis.it.support.RespConnection;
import io.shardis.it.support.SingleBackendShardis;
import io.shardis.it.support.StopChildProcesses;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The reply diff: every command Shardis answers or refuses itself is sent, on a fresh connection,
 * to Shardis (a pool of one redis-server 7.0, {@code allow_admin: true}) and to a reference
 * redis-server 7.0, and the replies must be the same, type for type and byte for byte, after the
 * normalisation the row names (ids and ages differ between any two servers). The rows where Shardis
 * differs on purpose say what Shardis answers and why; README's "What clients see" says the same.
 */
@ExtendWith(StopChildProcesses.class)
class LocalRepliesIT {

    @RegisterExtension
    static final SingleBackendShardis env =
            SingleBackendShardis.withTimeout(5_000, "  allow_admin: true").withoutFlush();

    private static RedisProcess reference;

    @BeforeAll
    static void startReference() {
        reference = RedisProcess.start();
    }

    @AfterAll
    static void stopReference() throws Exception {
        Closeables.closeAll(reference);
    }

    /** One row: commands sent in order on one connection, how their replies are normalised, and any intended difference. */
    record Row(List<String[]> commands, UnaryOperator<Object> normalise, Object shardisAnswers, String reason) {
        @Override
        public String toString() {
            return String.join(
                            " / ",
                            commands.stream().map(c -> String.join(" ", c)).toList())
                    + (reason == null ? "" : "  [differs: " + reason + "]");
        }
    }

    private static Row same(String... commands) {
        return new Row(split(commands), UnaryOperator.identity(), null, null);
    }

    private static Row sameArgs(String... args) {
        return new Row(List.<String[]>of(args), UnaryOperator.identity(), null, null);
    }

    private static Row normalised(UnaryOperator<Object> normalise, String... commands) {
        return new Row(split(commands), normalise, null, null);
    }

    /** Shardis answers {@code shardis} (the replies of every command, as a list) where Redis answers otherwise, because {@code reason}. */
    private static Row differs(Object shardis, String reason, String... commands) {
        return new Row(split(commands), UnaryOperator.identity(), shardis, reason);
    }

    private static List<String[]> split(String... commands) {
        return Arrays.stream(commands).map(c -> c.split(" ")).toList();
    }

    static Stream<Row> rows() {
        return Stream.of(
                // PING, ECHO, QUIT, SELECT, HELLO
                same("PING"),
                same("PING hello"),
                same("PING a b"),
                same("ping A B C"),
                same("ECHO"),
                same("ECHO hi"),
                same("ECHO a b"),
                same("QUIT x"),
                same("QUIT"),
                same("SELECT 0"),
                same("SELECT x"),
                same("SELECT"),
                same("SELECT 0 1"),
                normalised(LocalRepliesIT::helloIdAndVersion, "HELLO"),
                normalised(LocalRepliesIT::helloIdAndVersion, "HELLO 2"),
                normalised(LocalRepliesIT::helloIdAndVersion, "HELLO 2 SETNAME app", "CLIENT GETNAME"),
                same("HELLO abc"),
                same("HELLO 0"),
                same("HELLO 4"),
                same("HELLO 2 FOO"),
                same("HELLO 2 SETNAME"),
                same("HELLO 2 AUTH default"),
                same("RESET x"),
                same("ACL WHOAMI"),
                same("ACL WHOAMI x"),
                same("AUTH"),
                // Unknown commands and subcommands, wrong arity
                same("FOO"),
                same("FOO a b"),
                same("foo bar baz qux"),
                same("CLIENT"),
                same("CLIENT FOO"),
                same("client foo bar"),
                same("CLIENT SETNAME"),
                same("CLIENT SETNAME a b"),
                same("CLIENT GETNAME x"),
                same("CLIENT ID x"),
                same("CLIENT INFO x"),
                same("COMMAND FOO"),
                same("command Foo bar"),
                same("COMMAND COUNT x"),
                same("COMMAND GETKEYS"),
                same("COMMAND GETKEYS get"),
                same("CONFIG"),
                same("CONFIG FOO"),
                same("FUNCTION FOO"),
                same("OBJECT"),
                same("XINFO FOO"),
                same("GET"),
                same("SET k"),
                // CLIENT about the client itself
                same("CLIENT GETNAME"),
                same("CLIENT SETNAME app", "CLIENT GETNAME"),
                same("CLIENT SETNAME app", "CLIENT SETNAME", "CLIENT GETNAME"),
                sameArgs("CLIENT", "SETNAME", "a b"),
                sameArgs("CLIENT", "SETNAME", "a\nb"),
                normalised(LocalRepliesIT::integersAsZero, "CLIENT ID"),
                normalised(LocalRepliesIT::clientInfo, "CLIENT SETNAME app", "CLIENT INFO"),
                same("CLIENT NO-EVICT on"),
                same("CLIENT NO-EVICT off"),
                same("CLIENT NO-EVICT maybe"),
                same("CLIENT NO-EVICT"),
                // CLIENT LIST options
                same("CLIENT LIST TYPE pubsub"),
                same("CLIENT LIST TYPE master"),
                same("CLIENT LIST TYPE replica"),
                same("CLIENT LIST TYPE foo"),
                same("CLIENT LIST ID abc"),
                same("CLIENT LIST ID 987654"),
                same("CLIENT LIST foo"),
                same("CLIENT LIST TYPE normal extra"),
                // CLIENT KILL: old form and filters, without matching anyone
                same("CLIENT KILL"),
                same("CLIENT KILL 10.9.8.7:6"),
                same("CLIENT KILL ID abc"),
                same("CLIENT KILL ID 0"),
                same("CLIENT KILL ID -3"),
                same("CLIENT KILL ID 987654"),
                same("CLIENT KILL ID"),
                same("CLIENT KILL FOO bar"),
                same("CLIENT KILL TYPE xx"),
                same("CLIENT KILL TYPE master"),
                same("CLIENT KILL TYPE pubsub"),
                same("CLIENT KILL ID 1 SKIPME maybe"),
                same("CLIENT KILL USER nobody"),
                same("CLIENT KILL ADDR 10.9.8.7:6"),
                same("CLIENT KILL LADDR 10.9.8.7:6"),
                same("CLIENT KILL ADDR 10.9.8.7:6 ID 987654 SKIPME no"),
                same("CLIENT KILL ADDR 10.9.8.7:6 TYPE"),
                // COMMAND from Shardis' table
                same("COMMAND INFO get"),
                same("COMMAND INFO GET set mget nosuch"),
                same("COMMAND INFO nosuch"),
                same("COMMAND INFO lmove xread zunionstore eval"),
                same("COMMAND INFO georadius bitfield"),
                same("COMMAND INFO config|get echo"),
                same("COMMAND GETKEYS get k"),
                same("COMMAND GETKEYS foo a"),
                same("COMMAND GETKEYS ping x"),
                same("COMMAND GETKEYS get a b"),
                same("COMMAND GETKEYS mset a b c d"),
                same("COMMAND GETKEYS zunionstore d 2 a b"),
                same("COMMAND GETKEYS eval x 2 a b c"),
                same("COMMAND GETKEYS xread COUNT 2 STREAMS s1 s2 0 0"),
                same("COMMAND GETKEYS sort k STORE d"),
                same("COMMAND GETKEYS client foo"),
                same("COMMAND GETKEYS eval x 9 a"),
                same("COMMAND GETKEYSANDFLAGS lmove a b left right"),
                same("COMMAND GETKEYSANDFLAGS set k v"),
                same("COMMAND GETKEYSANDFLAGS mget a b"),
                same("COMMAND LIST FILTERBY foo x"),
                same("COMMAND LIST x"),
                same("COMMAND LIST FILTERBY aclcat"),
                same("COMMAND LIST FILTERBY aclcat nosuch"),
                same("COMMAND LIST FILTERBY module foo"),
                normalised(LocalRepliesIT::sorted, "COMMAND LIST FILTERBY pattern xa*"),
                normalised(LocalRepliesIT::sorted, "COMMAND LIST FILTERBY aclcat hyperloglog"),
                normalised(LocalRepliesIT::sorted, "COMMAND LIST FILTERBY pattern g?t"),
                normalised(LocalRepliesIT::sorted, "COMMAND LIST FILTERBY pattern LPO*"),
                same("COMMAND DOCS get"),
                same("COMMAND DOCS get nosuch set"),
                same("COMMAND DOCS nosuch"),
                same("COMMAND DOCS echo mget"),
                same("COMMAND GETKEYSANDFLAGS set k v GET"),
                same("COMMAND GETKEYSANDFLAGS bitfield k GET u8 0"),
                same(
                        "CLIENT TRACKING on",
                        "CLIENT GETREDIR",
                        "CLIENT TRACKINGINFO",
                        "CLIENT CACHING yes",
                        "CLIENT TRACKING on prefix a",
                        "CLIENT TRACKING on optin optout",
                        "CLIENT TRACKING off",
                        "CLIENT TRACKING on bcast prefix a prefix ab",
                        "CLIENT GETREDIR"),
                same("COMMAND GETKEYSANDFLAGS bitfield k GET u8 0 SET u8 0 1"),
                same("COMMAND INFO sort getex xadd"),

                // Where Shardis answers otherwise on purpose
                differs(
                        List.of("+OK"),
                        "cluster clients send READONLY; Shardis picks replicas itself (read_from)",
                        "READONLY"),
                differs(
                        List.of(12182L),
                        "arithmetic on the key, the answer any cluster node gives",
                        "CLUSTER KEYSLOT foo"),
                differs(
                        List.of("-ERR SELECT is not supported by Shardis: pool 'alpha' serves database 0 (redis_db)"),
                        "the database is the pool's (redis_db)",
                        "SELECT 1"),
                differs(
                        List.of("+OK"),
                        "a Redis 7.2 command clients send on connect (Jedis, Lettuce)",
                        "CLIENT SETINFO lib-name shardis-test"),
                differs(List.of("+OK"), "a Redis 7.2 command, answered in front of 7.0 too", "CLIENT NO-TOUCH on"),
                differs(
                        List.of("-ERR unknown or unsupported command 'monitor'"),
                        "MONITOR would take over a shared backend connection",
                        "MONITOR"),
                differs(
                        List.of(Arrays.asList((Object) null)),
                        "COMMAND lists what Shardis accepts: MONITOR is refused",
                        "COMMAND INFO monitor"),
                differs(List.of(List.of()), "COMMAND DOCS documents what Shardis accepts", "COMMAND DOCS monitor"),
                differs(
                        List.of(List.of(
                                bytes("client|caching"),
                                bytes("client|getname"),
                                bytes("client|getredir"),
                                bytes("client|help"),
                                bytes("client|id"),
                                bytes("client|info"),
                                bytes("client|kill"),
                                bytes("client|list"),
                                bytes("client|no-evict"),
                                bytes("client|no-touch"),
                                bytes("client|pause"),
                                bytes("client|setinfo"),
                                bytes("client|setname"),
                                bytes("client|tracking"),
                                bytes("client|trackinginfo"),
                                bytes("client|unpause"))),
                        "only the CLIENT subcommands Shardis accepts, 7.2's NO-TOUCH and SETINFO included",
                        "COMMAND LIST FILTERBY pattern client|*"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void shardisAnswersAsRedis(Row row) {
        List<Object> direct = run(reference.socketAddress(), row);
        List<Object> proxied = run(env.address(), row);
        if (row.reason() == null) {
            assertThat(proxied)
                    .as("through Shardis (left) against a reference Redis 7.0 (right)")
                    .isEqualTo(direct);
        } else {
            assertThat(proxied).as("Shardis' intended answer").isEqualTo(printable(row.shardisAnswers()));
            assertThat(direct).as("Redis answers otherwise: " + row.reason()).isNotEqualTo(proxied);
        }
    }

    private static List<Object> run(InetSocketAddress address, Row row) {
        try (RespConnection connection = new RespConnection(address)) {
            List<Object> replies = new ArrayList<>();
            for (String[] command : row.commands()) {
                replies.add(printable(row.normalise().apply(connection.call(command))));
            }
            return replies;
        }
    }

    /** Bulk strings as text, so that assertion messages are readable and lists compare by content. */
    private static Object printable(Object reply) {
        if (reply instanceof byte[] bytes) {
            return "$" + new String(bytes, StandardCharsets.UTF_8);
        }
        if (reply instanceof List<?> list) {
            List<Object> out = new ArrayList<>(list.size());
            for (Object element : list) {
                out.add(printable(element));
            }
            return out;
        }
        return reply;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** HELLO's id is the connection's, its version the server's (Shardis says 7.0.0): both set to 0. */
    private static Object helloIdAndVersion(Object reply) {
        if (!(reply instanceof List<?> list)) {
            return reply;
        }
        List<Object> out = new ArrayList<>(list);
        for (int i = 0; i + 1 < out.size(); i += 2) {
            String key = new String((byte[]) out.get(i), StandardCharsets.UTF_8);
            if (key.equals("id")) {
                out.set(i + 1, 0L);
            } else if (key.equals("version")) {
                out.set(i + 1, bytes("0"));
            }
        }
        return out;
    }

    /** Redis lists commands in its hash table's order (nondeterministic_output_order): compared sorted. */
    private static Object sorted(Object reply) {
        if (!(reply instanceof List<?> list)) {
            return reply;
        }
        return list.stream()
                .map(element -> new String((byte[]) element, StandardCharsets.UTF_8))
                .sorted()
                .toList();
    }

    private static Object integersAsZero(Object reply) {
        return reply instanceof Long ? 0L : reply;
    }

    /**
     * CLIENT INFO: the same fields in the same order, and the same values for those that do not
     * depend on the server (name, db, flags, sub/psub/ssub, multi, cmd, user, redir, resp). Redis
     * 7.0 ends at resp; Shardis adds 7.2's lib-name and lib-ver, which are dropped here.
     */
    private static Object clientInfo(Object reply) {
        if (!(reply instanceof byte[] bytes)) {
            return reply;
        }
        Map<String, String> fields = new LinkedHashMap<>();
        for (String field : new String(bytes, StandardCharsets.UTF_8).strip().split(" ")) {
            int eq = field.indexOf('=');
            String key = field.substring(0, eq);
            String value = field.substring(eq + 1);
            if (key.equals("lib-name") || key.equals("lib-ver")) {
                continue;
            }
            boolean deterministic = List.of(
                            "name", "db", "flags", "sub", "psub", "ssub", "multi", "cmd", "user", "redir", "resp")
                    .contains(key);
            fields.put(key, deterministic ? value : "*");
        }
        return fields.toString();
    }
}
