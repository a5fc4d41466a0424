package io.shardis.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardis.it.support.RedisBinaries;
import io.shardis.it.support.RedisProcess;
import io.shardis.it.support.RespConnection;
import io.shardis.it.support.TableKeys;
import io.shardis.proxy.command.CommandTable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;

/**
 * The command table's key extraction against {@code COMMAND GETKEYS} of a real redis-server, for
 * generated argument lists: any command the server knows that has keys, followed by arguments drawn
 * from the words its syntax reacts to (STORE, STREAMS, KEYS, BY, GET, LIMIT, WEIGHTS, small
 * numbers...) and plain names. Wherever both name keys they name the same ones (else the command
 * would go to the wrong server); Shardis may refuse (-1) arguments the command would fail on, and
 * never throws. 3,000 tries a build, how often each case came is printed; a failing case is shrunk
 * and printed.
 */
class CommandKeysPropertyIT {

    /** Where Shardis deliberately differs from Redis 7.0 (see CommandTableIT): channels routed as keys. */
    private static final List<String> CHANNELS_AS_KEYS = List.of("spublish", "ssubscribe", "sunsubscribe");

    private static final List<String> WORDS = List.of(
            "STORE",
            "STOREDIST",
            "STREAMS",
            "KEYS",
            "BY",
            "GET",
            "LIMIT",
            "WEIGHTS",
            "AGGREGATE",
            "COUNT",
            "BLOCK",
            "GROUP",
            "AUTH",
            "AUTH2",
            "COPY",
            "REPLACE",
            "LEFT",
            "RIGHT",
            "MIN",
            "MAX",
            "ALPHA",
            "ASC",
            "DESC",
            "WITHSCORES",
            "WITHCOORD",
            "NOACK",
            "km",
            "#",
            "$",
            ">",
            "0",
            "1",
            "2",
            "3",
            "4",
            "-1",
            "10",
            "k1",
            "k2",
            "k3",
            "dst",
            "",
            "w_*");

    private static RedisProcess redis;
    private static RespConnection connection;
    private static List<String> keyedCommands;
    private static final Map<String, Integer> ARITIES = new TreeMap<>();
    private static final CommandTable TABLE = CommandTable.standard();

    @BeforeContainer
    static void startRedis() {
        if (!RedisBinaries.get().serverAtLeast(7, 0)) {
            // Key specs need Redis 7; CommandTableIT reports the skip (or fails under require-all).
            return;
        }
        redis = RedisProcess.start();
        connection = new RespConnection(redis.socketAddress());
        List<String> keyed = new ArrayList<>();
        for (Object item : (List<?>) connection.call("COMMAND")) {
            List<?> info = (List<?>) item;
            add(info, keyed);
            for (Object sub : (List<?>) info.get(9)) {
                add((List<?>) sub, keyed);
            }
        }
        keyedCommands = List.copyOf(keyed);
    }

    private static void add(List<?> info, List<String> keyed) {
        String name = text(info.get(0)).toLowerCase(Locale.ROOT);
        if (!((List<?>) info.get(8)).isEmpty() && !CHANNELS_AS_KEYS.contains(name) && TABLE.lookup(name) != null) {
            keyed.add(name);
            ARITIES.put(name, ((Long) info.get(1)).intValue());
        }
    }

    @AfterContainer
    static void stopRedis() {
        if (connection != null) {
            connection.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    @Property(tries = 3000)
    void shardisFindsTheKeysRedisFinds(@ForAll("invocations") List<String> args) {
        if (redis == null) {
            return;
        }
        Object reply = getKeys(args);
        List<String> shardis = shardisKeys(args);
        if (reply instanceof List<?> names) {
            List<String> expected = new ArrayList<>();
            names.forEach(name -> expected.add(text(name)));
            if (shardis == null) {
                // Shardis refuses arguments its command would fail on (MSETNX a b c: an odd pair;
                // EVAL s x: numkeys not a number) where Redis' key specs still read some. What must
                // never happen is a different set of keys: the command would go to the wrong server.
                Statistics.label("Redis finds keys").collect("Shardis refuses the arguments");
                return;
            }
            Statistics.label("Redis finds keys").collect(expected.isEmpty() ? "no key, the same" : "keys, the same");
            assertThat(shardis).as("keys of %s", args).containsExactlyInAnyOrderElementsOf(expected);
        } else {
            Statistics.label("Redis finds keys").collect("Redis refuses the arguments");
        }
    }

    @Provide
    Arbitrary<List<String>> invocations() {
        if (keyedCommands == null || keyedCommands.isEmpty()) {
            return Arbitraries.just(List.of("get", "k"));
        }
        Arbitrary<String> word = Arbitraries.oneOf(
                Arbitraries.of(WORDS),
                Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(4));
        return Combinators.combine(
                        Arbitraries.of(keyedCommands),
                        Arbitraries.integers().between(0, 8),
                        word.list().ofMaxSize(14))
                .as((name, extra, words) -> {
                    List<String> args = new ArrayList<>(Arrays.asList(name.split("\\|")));
                    int arity = ARITIES.get(name);
                    int wanted = arity > 0 ? arity : -arity + extra;
                    for (int i = 0; args.size() < wanted; i++) {
                        args.add(i < words.size() ? words.get(i) : "a" + i);
                    }
                    return args;
                });
    }

    private static Object getKeys(List<String> args) {
        List<String> request = new ArrayList<>(List.of("COMMAND", "GETKEYS"));
        request.addAll(args);
        return connection.call(request.toArray(new String[0]));
    }

    /** The keys Shardis finds in {@code args}, or null when it answers -1. */
    private static List<String> shardisKeys(List<String> args) {
        return TableKeys.of(TABLE, args);
    }

    private static String text(Object reply) {
        return reply instanceof byte[] bytes
                ? new String(bytes, StandardCharsets.UTF_8)
                : String.valueOf(reply).replaceFirst("^\\+", "");
    }
}
