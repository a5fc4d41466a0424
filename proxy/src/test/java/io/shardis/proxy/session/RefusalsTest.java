package io.shardis.proxy.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.buffer.UnpooledByteBufAllocator;
import io.shardis.resp.RespCommand;
import io.shardis.resp.RespCommands;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The errors Shardis answers in Redis' stead are worded as Redis words them: each text of the
 * catalogue that has a Redis counterpart is looked for in the redis-server binary (its error
 * strings, and the constant parts of its formatted ones), which the integration tests run too.
 */
class RefusalsTest {

    /** The redis-server binary as Latin-1 text (one char per byte), so that its strings can be searched. */
    private static String redis;

    @BeforeAll
    static void readRedisServer() throws IOException {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, "redis-server");
            if (Files.isRegularFile(candidate) && Files.isReadable(candidate)) {
                redis = new String(Files.readAllBytes(candidate), StandardCharsets.ISO_8859_1);
                return;
            }
        }
    }

    @Test
    void redisOwnAnswersAreWordedAsRedisWordsThem() {
        assumeTrue(redis != null, "redis-server is not on the PATH");
        assertRedisSays(Refusals.MAX_CLIENTS);
        assertRedisSays(Refusals.NOT_AN_INTEGER);
        assertRedisSays(Refusals.INVALID_CURSOR);
        assertRedisSays(Refusals.SYNTAX);
        assertRedisSays(Refusals.PING_ARITY, "ping");
        assertRedisSays(Refusals.NESTED_MULTI);
        assertRedisSays(Refusals.EXEC_WITHOUT_MULTI);
        assertRedisSays(Refusals.DISCARD_WITHOUT_MULTI);
        assertRedisSays(Refusals.WATCH_IN_MULTI);
        assertRedisSays(Refusals.EXECABORT);
        assertRedisSays(Refusals.NOPROTO);
        assertRedisSays(Refusals.PROTOCOL_VERSION);
        RespCommand hello = RespCommands.encode(UnpooledByteBufAllocator.DEFAULT, "HELLO", "3", "FOO");
        try {
            assertRedisSays(Refusals.helloSyntax(hello, 2), "FOO");
        } finally {
            hello.release();
        }
        assertRedisSays(Refusals.INVALID_CLIENT_ID);
        assertRedisSays(Refusals.NO_SUCH_CLIENT);
        assertRedisSays(Refusals.CLIENT_ID_NOT_POSITIVE);
        assertRedisSays(Refusals.BAD_CLIENT_NAME);
        assertRedisSays(Refusals.unknownClientType("robot"), "robot");
        assertRedisSays(Refusals.noSuchUser("alice"), "alice");
        assertRedisSays(Refusals.badLibraryAttribute("lib-name"), "lib-name");
        assertRedisSays(Refusals.TRACKING_ONE_REDIRECT);
        assertRedisSays(Refusals.TRACKING_NO_REDIRECT_CLIENT);
        assertRedisSays(Refusals.TRACKING_PREFIX_WITHOUT_BCAST);
        assertRedisSays(Refusals.TRACKING_SWITCH_BCAST);
        assertRedisSays(Refusals.TRACKING_OPT_WITH_BCAST);
        assertRedisSays(Refusals.TRACKING_OPTIN_AND_OPTOUT);
        assertRedisSays(Refusals.TRACKING_SWITCH_OPT);
        assertRedisSays(Refusals.trackingPrefixOverlapsExisting("user:", "us"), "user:", "us");
        assertRedisSays(Refusals.trackingPrefixesOverlap("user:", "us"), "user:", "us");
        assertRedisSays(Refusals.CACHING_WITHOUT_MODE);
        assertRedisSays(Refusals.CACHING_YES);
        assertRedisSays(Refusals.CACHING_NO);
    }

    @Test
    void shardisOwnErrorsSayShardis() {
        assertThat(Refusals.WATCHED_SLOT_MOVED).startsWith("ERR Shardis: ");
        assertThat(Refusals.CLIENT_CLOSED).startsWith("ERR Shardis: ");
        assertThat(Refusals.watchElsewhere(true)).startsWith("ERR Shardis: ").contains("hash slot");
        assertThat(Refusals.watchElsewhere(false)).startsWith("ERR Shardis: ").doesNotContain("hash slot");
        assertThat(Refusals.shardChannelMoved(42)).startsWith("ERR Shardis: hash slot 42 ");
    }

    /**
     * {@code text} (an error line without its {@code -}) is Redis' wording: its code and words
     * between the {@code values} filled in are in redis-server, which adds {@code ERR } itself for
     * most of them.
     */
    private static void assertRedisSays(String text, String... values) {
        String words = text.startsWith("ERR ") ? text.substring(4) : text;
        int from = 0;
        for (String value : values) {
            int at = words.indexOf(value, from);
            assertThat(at).as("'%s' in %s", value, text).isGreaterThanOrEqualTo(from);
            assertInRedis(words.substring(from, at), text);
            from = at + value.length();
        }
        assertInRedis(words.substring(from), text);
    }

    private static void assertInRedis(String part, String text) {
        if (part.length() > 1) {
            assertThat(redis.contains(part))
                    .as("redis-server has \"%s\" (of %s)", part, text)
                    .isTrue();
        }
    }
}
