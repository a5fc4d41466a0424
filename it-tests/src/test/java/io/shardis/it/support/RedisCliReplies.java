package io.shardis.it.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/**
 * {@code redis-cli -3 --no-raw} run over a list of commands (its standard input), as a user sees
 * RESP3's types: maps ({@code 1# "f" => "v"}), sets ({@code 1~}), doubles ({@code (double) 1.5}),
 * nils, errors. {@link #COMMANDS} covers each type and the replies Shardis merges over servers; the
 * same commands through Shardis and to a Redis 7.0 alone must print the same, but for HELLO's
 * {@code version} and {@code id}, which name the server and the connection.
 */
public final class RedisCliReplies {

    /** Each RESP3 type, and MGET/EXISTS/DEL/DBSIZE over keys a pool spreads over its servers. */
    public static final List<String> COMMANDS = List.of(
            "SET a 1",
            "SET b 2",
            "SET c 3",
            "SET d 4",
            "SET e 5",
            "MGET a b c d e nosuch",
            "EXISTS a b c nosuch",
            "DBSIZE",
            "HSET h f1 v1 f2 2",
            "HGETALL h",
            "HGET h nosuch",
            "HGETALL nosuch",
            "SADD s 3 1 2",
            "SMEMBERS s",
            "SMISMEMBER s 1 9",
            "SMEMBERS nosuch",
            "ZADD z 1.5 m 2 n",
            "ZSCORE z m",
            "ZSCORE z nosuch",
            "ZRANGE z 0 -1 WITHSCORES",
            "ZINCRBY z 0.25 m",
            "ZMSCORE z m nosuch",
            "INCRBYFLOAT fl 1.25",
            "INCRBYFLOAT fl 0.5",
            "LPUSH l x y",
            "LRANGE l 0 -1",
            "GET l",
            "TYPE h",
            "TTL a",
            "PING",
            "ECHO e",
            "DEL a b nosuch",
            "MGET a b c",
            "DBSIZE",
            "HELLO 3");

    private RedisCliReplies() {}

    /** What {@code redis-cli -3 --no-raw} prints for {@link #COMMANDS} at {@code address}, HELLO's version and id left out. */
    public static String of(InetSocketAddress address) {
        Path cli = RedisBinaries.get().redisCli().orElseThrow();
        Path input;
        try {
            input = Files.createTempFile(WorkDirs.base(), "redis-cli-", ".in");
            Files.writeString(input, String.join("\n", COMMANDS) + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            Commands.Result result = Commands.run(
                    List.of(
                            cli.toString(),
                            "-h",
                            address.getHostString(),
                            "-p",
                            Integer.toString(address.getPort()),
                            "-3",
                            "--no-raw"),
                    input,
                    Duration.ofSeconds(20));
            assertThat(result.exitCode()).as(result.output()).isZero();
            String output = result.output()
                    .lines()
                    .filter(line -> !line.contains("\"version\" =>") && !line.contains("\"id\" =>"))
                    .collect(Collectors.joining("\n"));
            assertThat(output).as("HELLO's map was printed").contains("\"proto\" => (integer) 3");
            return output;
        } finally {
            try {
                Files.deleteIfExists(input);
            } catch (IOException ignored) {
                // A leftover file under target/ does no harm.
            }
        }
    }
}
