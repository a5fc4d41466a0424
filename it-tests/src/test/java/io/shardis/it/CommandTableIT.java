package io.shardis.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardis.it.support.Closeables;
import io.shardis.it.support.Prerequisites;
import io.shardis.it.support.RedisBinaries;
import io.shardis.it.support.RedisProcess;
import io.shardis.it.support.RespConnection;
import io.shardis.it.support.StopChildProcesses;
import io.shardis.it.support.TableKeys;
import io.shardis.proxy.command.CommandFlag;
import io.shardis.proxy.command.CommandSpec;
import io.shardis.proxy.command.CommandTable;
import io.shardis.proxy.command.Routing;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Shardis' command table against the real redis-server it was generated from: the same commands,
 * arities and flags, and the same keys as {@code COMMAND GETKEYS} finds for invocations of every
 * key-spec shape.
 */
@ExtendWith(StopChildProcesses.class)
class CommandTableIT {

    /** Commands of newer Redis versions that Shardis knows ahead of the server, and the version adding them. */
    private static final Map<String, String> NEWER_THAN_SERVER =
            Map.of("client|setinfo", "7.2", "client|no-touch", "7.2", "waitaof", "7.2");

    /**
     * Sharded pub/sub channels: Shardis routes them like keys, Redis marks them {@code not_key} and
     * {@code COMMAND GETKEYS} does not list them.
     */
    private static final Set<String> CHANNELS_AS_KEYS = Set.of("spublish", "ssubscribe", "sunsubscribe");

    /**
     * Where Shardis reads more than Redis 7.0's {@code COMMAND GETKEYS}: PFMERGE's source keys are
     * optional, yet an empty list of them makes Redis' key-spec reading answer "invalid".
     */
    private static final Map<List<String>, List<String>> BEYOND_GETKEYS =
            Map.of(List.of("pfmerge", "a1"), List.of("a1"));

    /** Invocations of every command whose keys move with its arguments (Redis' movablekeys). */
    private static final List<List<String>> MOVABLE_KEY_SAMPLES = List.of(
            List.of("EVAL", "return 1", "2", "k1", "k2", "arg"),
            List.of("EVAL", "return 1", "0", "arg"),
            List.of("EVAL_RO", "return 1", "1", "k1"),
            List.of("EVALSHA", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "3", "k1", "k2", "k3"),
            List.of("EVALSHA_RO", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "1", "k1", "arg"),
            List.of("FCALL", "f", "2", "k1", "k2", "arg"),
            List.of("FCALL_RO", "f", "1", "k1"),
            List.of("ZUNIONSTORE", "dst", "2", "k1", "k2", "WEIGHTS", "1", "2", "AGGREGATE", "MAX"),
            List.of("ZINTERSTORE", "dst", "1", "k1"),
            List.of("ZDIFFSTORE", "dst", "3", "k1", "k2", "k3"),
            List.of("ZUNION", "2", "k1", "k2", "WITHSCORES"),
            List.of("ZINTER", "1", "k1"),
            List.of("ZDIFF", "2", "k1", "k2"),
            List.of("ZINTERCARD", "2", "k1", "k2", "LIMIT", "10"),
            List.of("SINTERCARD", "3", "k1", "k2", "k3"),
            List.of("LMPOP", "2", "k1", "k2", "LEFT", "COUNT", "2"),
            List.of("BLMPOP", "0", "1", "k1", "RIGHT"),
            List.of("ZMPOP", "2", "k1", "k2", "MIN"),
            List.of("BZMPOP", "1.5", "2", "k1", "k2", "MAX", "COUNT", "3"),
            List.of("XREAD", "COUNT", "2", "BLOCK", "10", "STREAMS", "k1", "k2", "0", "0"),
            List.of("XREAD", "STREAMS", "k1", "$"),
            List.of("XREADGROUP", "GROUP", "g", "c", "NOACK", "STREAMS", "k1", "k2", ">", ">"),
            List.of("SORT", "k1"),
            List.of("SORT", "k1", "BY", "w_*", "LIMIT", "0", "10", "GET", "#", "STORE", "dst"),
            List.of("SORT", "k1", "GET", "store", "ALPHA"),
            List.of("SORT_RO", "k1", "BY", "w_*", "GET", "o_*"),
            List.of("MIGRATE", "127.0.0.1", "1", "k1", "0", "1000"),
            List.of("MIGRATE", "127.0.0.1", "1", "", "0", "1000", "COPY", "REPLACE", "KEYS", "k1", "k2"),
            List.of("MIGRATE", "127.0.0.1", "1", "", "0", "1000", "AUTH", "keys", "KEYS", "k1"),
            List.of("GEORADIUS", "k1", "0", "0", "1", "km"),
            List.of("GEORADIUS", "k1", "0", "0", "1", "km", "ASC", "STORE", "dst"),
            List.of("GEORADIUS", "k1", "0", "0", "1", "km", "STOREDIST", "dst"),
            List.of("GEORADIUSBYMEMBER", "k1", "m", "1", "km", "STORE", "dst"),
            List.of("GEORADIUSBYMEMBER", "k1", "m", "1", "km", "WITHCOORD"));

    private static RedisProcess redis;
    private static RespConnection connection;
    private static Map<String, List<?>> serverCommands;

    private final CommandTable table = CommandTable.standard();

    @BeforeAll
    static void startRedis() {
        Prerequisites.need(
                RedisBinaries.get().serverAtLeast(7, 0),
                "key specs need Redis 7, found " + RedisBinaries.get().serverVersion());
        redis = RedisProcess.start();
        connection = new RespConnection(redis.socketAddress());
        serverCommands = new TreeMap<>();
        for (Object item : (List<?>) connection.call("COMMAND")) {
            List<?> info = (List<?>) item;
            serverCommands.put(text(info.get(0)).toLowerCase(Locale.ROOT), info);
            for (Object sub : (List<?>) info.get(9)) {
                serverCommands.put(text(((List<?>) sub).get(0)).toLowerCase(Locale.ROOT), (List<?>) sub);
            }
        }
    }

    @AfterAll
    static void stopRedis() throws Exception {
        Closeables.closeAll(connection, redis);
    }

    @Test
    void knowsEveryServerCommandWithItsArityAndFlags() {
        SoftAssertions softly = new SoftAssertions();
        for (Map.Entry<String, List<?>> entry : serverCommands.entrySet()) {
            String name = entry.getKey();
            CommandSpec spec = table.lookup(name);
            softly.assertThat(spec).as(name).isNotNull();
            if (spec == null) {
                continue;
            }
            softly.assertThat(spec.arity())
                    .as(name + " arity")
                    .isEqualTo(((Long) entry.getValue().get(1)).intValue());
            for (String flag : words(entry.getValue(), 2)) {
                softly.assertThat(spec.has(flagNamed(flag)))
                        .as(name + " " + flag)
                        .isTrue();
            }
        }
        softly.assertAll();
    }

    @Test
    void everyCommandShardisKnowsExistsOnTheServer() {
        for (CommandSpec spec : table.all()) {
            if (serverCommands.containsKey(spec.name())) {
                continue;
            }
            if (spec.name().startsWith("debug|")) {
                // Redis lists DEBUG as one command; Shardis names its subcommands to route each
                // (commands-extra.tsv). DEBUG itself must exist.
                assertThat(serverCommands).containsKey("debug");
                continue;
            }
            String since = NEWER_THAN_SERVER.get(spec.name());
            assertThat(since)
                    .as(
                            "'%s' is not a command of redis-server %s",
                            spec.name(), RedisBinaries.get().serverVersion())
                    .isNotNull();
            String[] version = since.split("\\.");
            assertThat(RedisBinaries.get().serverAtLeast(Integer.parseInt(version[0]), Integer.parseInt(version[1])))
                    .as("'%s' should exist since Redis %s", spec.name(), since)
                    .isFalse();
        }
    }

    @Test
    void keysOfEveryFixedPositionCommandMatchTheServer() {
        SoftAssertions softly = new SoftAssertions();
        int compared = 0;
        for (Map.Entry<String, List<?>> entry : serverCommands.entrySet()) {
            String name = entry.getKey();
            List<?> info = entry.getValue();
            boolean movable = words(info, 2).contains("movablekeys");
            boolean keyed = !((List<?>) info.get(8)).isEmpty();
            if (movable || !keyed || CHANNELS_AS_KEYS.contains(name)) {
                continue;
            }
            int arity = ((Long) info.get(1)).intValue();
            // The fewest arguments the arity allows, then two more for variadic commands so that
            // ranges (MSET's pairs, BLPOP's keys before the timeout) have more than one key.
            compareKeys(softly, invocation(name, Math.abs(arity)));
            if (arity < 0) {
                compareKeys(softly, invocation(name, -arity + 2));
            }
            compared++;
        }
        softly.assertAll();
        assertThat(compared).isGreaterThan(150);
    }

    @Test
    void keysOfEveryMovableKeyCommandMatchTheServer() {
        Set<String> sampled = new TreeSet<>();
        SoftAssertions softly = new SoftAssertions();
        for (List<String> sample : MOVABLE_KEY_SAMPLES) {
            compareKeys(softly, sample);
            sampled.add(sample.get(0).toLowerCase(Locale.ROOT));
        }
        softly.assertAll();
        Set<String> movable = new TreeSet<>();
        serverCommands.forEach((name, info) -> {
            if (words(info, 2).contains("movablekeys")) {
                movable.add(name);
            }
        });
        assertThat(sampled).as("every movable-key command has a sample").containsAll(movable);
    }

    @Test
    void keylessCommandsHaveNoKeysOnEitherSide() {
        SoftAssertions softly = new SoftAssertions();
        for (Map.Entry<String, List<?>> entry : serverCommands.entrySet()) {
            List<?> info = entry.getValue();
            int arity = ((Long) info.get(1)).intValue();
            if (!((List<?>) info.get(8)).isEmpty() || arity == 1) {
                continue; // keyed; or no argument can follow, so COMMAND GETKEYS cannot be asked
            }
            List<String> args = invocation(entry.getKey(), Math.max(2, Math.abs(arity)));
            Object reply = getKeys(args);
            softly.assertThat(reply).as(args.toString()).isInstanceOf(String.class);
            softly.assertThat(shardisKeys(args)).as(args.toString()).isEmpty();
        }
        softly.assertAll();
    }

    @Test
    void splitCommandsAreTheOnesRedisSplitsAcrossShards() {
        Set<String> multiShard = new TreeSet<>();
        serverCommands.forEach((name, info) -> {
            if (words(info, 7).contains("request_policy:multi_shard")) {
                multiShard.add(name);
            }
        });
        // MSETNX is all-or-nothing: Shardis keeps it on one shard rather than split it.
        multiShard.remove("msetnx");
        assertThat(table.lookup("msetnx").routing()).isEqualTo(Routing.SAME_SHARD);
        Set<String> split = new TreeSet<>();
        for (CommandSpec spec : table.all()) {
            if (spec.routing() == Routing.MULTI_KEY) {
                split.add(spec.name());
            }
        }
        assertThat(split).isEqualTo(multiShard);
    }

    /** {@code name} (words split at '|') followed by distinct arguments a1, a2... up to {@code argc}. */
    private static List<String> invocation(String name, int argc) {
        List<String> args = new ArrayList<>(Arrays.asList(name.split("\\|")));
        for (int i = args.size(); i < argc; i++) {
            args.add("a" + i);
        }
        return args;
    }

    private void compareKeys(SoftAssertions softly, List<String> args) {
        Object reply = BEYOND_GETKEYS.containsKey(args) ? BEYOND_GETKEYS.get(args) : getKeys(args);
        List<String> expected = new ArrayList<>();
        if (reply instanceof List<?> names) {
            names.forEach(key -> expected.add(text(key)));
        } else {
            softly.fail("COMMAND GETKEYS " + args + " answered " + reply);
            return;
        }
        List<String> actual = shardisKeys(args);
        softly.assertThat(actual).as(args.toString()).isNotNull();
        if (actual != null) {
            softly.assertThat(actual).as(args.toString()).containsExactlyInAnyOrderElementsOf(expected);
        }
    }

    private static Object getKeys(List<String> args) {
        List<String> request = new ArrayList<>(List.of("COMMAND", "GETKEYS"));
        request.addAll(args);
        return connection.call(request.toArray(new String[0]));
    }

    /** The keys Shardis finds in {@code args}, or null when it answers -1. */
    private List<String> shardisKeys(List<String> args) {
        return TableKeys.of(table, args);
    }

    private static CommandFlag flagNamed(String redisFlag) {
        return switch (redisFlag) {
            case "movablekeys" -> CommandFlag.MOVABLE_KEYS;
            default -> CommandFlag.valueOf(redisFlag.toUpperCase(Locale.ROOT));
        };
    }

    /** Item {@code index} of a COMMAND INFO reply: a list of flags, tips... as lower-case words. */
    private static Set<String> words(List<?> info, int index) {
        Set<String> words = new TreeSet<>();
        for (Object item : (List<?>) info.get(index)) {
            words.add(text(item).toLowerCase(Locale.ROOT));
        }
        return words;
    }

    /** A bulk or status reply as text. */
    private static String text(Object reply) {
        return reply instanceof byte[] bytes
                ? new String(bytes, StandardCharsets.UTF_8)
                : String.valueOf(reply).replaceFirst("^\\+", "");
    }
}
