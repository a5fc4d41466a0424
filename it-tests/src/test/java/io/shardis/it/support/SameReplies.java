package io.shardis.it.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.function.Function;
import java.util.function.Supplier;
import redis.clients.jedis.Jedis;

/** Runs one scenario straight against Redis and then through Shardis, from an empty database each time, and compares. */
public final class SameReplies {

    private SameReplies() {}

    /** With Jedis: a fresh connection to the backend, then a fresh one to Shardis' pool. */
    public static void assertSame(
            RedisProcess backend, ShardisFixture shardis, String pool, Function<Jedis, ReplyLog> scenario) {
        assertSame(
                backend,
                () -> {
                    try (Jedis direct = backend.client()) {
                        return scenario.apply(direct);
                    }
                },
                () -> {
                    try (Jedis proxied = shardis.jedis(pool)) {
                        return scenario.apply(proxied);
                    }
                });
    }

    /** With any client: {@code direct} and {@code proxied} run the same calls over their own connections. */
    public static void assertSame(RedisProcess backend, Supplier<ReplyLog> direct, Supplier<ReplyLog> proxied) {
        backend.flushAll();
        ReplyLog expected = direct.get();
        backend.flushAll();
        ReplyLog actual = proxied.get();
        assertThat(actual.entries())
                .as("replies through Shardis (left) against straight from Redis (right)")
                .containsExactlyElementsOf(expected.entries());
    }
}
