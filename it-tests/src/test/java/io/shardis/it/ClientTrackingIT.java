package io.shardis.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.TrackingArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.support.caching.CacheAccessor;
import io.lettuce.core.support.caching.CacheFrontend;
import io.lettuce.core.support.caching.ClientSideCaching;
import io.shardis.it.support.LettuceClients;
import io.shardis.it.support.Poll;
import io.shardis.it.support.Resp3Socket;
import io.shardis.it.support.ShardedShardis;
import io.shardis.it.support.StopChildProcesses;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/**
 * Client-side caching through a sharded pool of four redis-server 7.0: Lettuce's
 * {@link ClientSideCaching} serves repeated reads from its cache (no second GET reaches a server)
 * and drops a value another client wrote; raw sockets see the exact invalidation frames of the
 * default mode, BCAST with prefixes, NOLOOP, OPTIN and a RESP2 client's REDIRECT; a backend that
 * restarts makes Shardis send the null invalidation.
 */
@ExtendWith(StopChildProcesses.class)
class ClientTrackingIT {

    @RegisterExtension
    static final ShardedShardis env = ShardedShardis.withPoolKeys("allow_admin: true");

    @RegisterExtension
    static final LettuceClients lettuce = LettuceClients.withDefaultProtocol();

    private static final Pattern PING_CALLS = Pattern.compile("cmdstat_ping:calls=(\\d+)");

    private static InetSocketAddress shardis() {
        return env.shardis().address(ShardedShardis.POOL);
    }

    private static String bulk(String value) {
        return "$" + value.length() + "\r\n" + value + "\r\n";
    }

    private static String invalidate(String... keys) {
        StringBuilder out = new StringBuilder(">2\r\n$10\r\ninvalidate\r\n*" + keys.length + "\r\n");
        for (String key : keys) {
            out.append(bulk(key));
        }
        return out.toString();
    }

    /** PINGs each server has run. */
    private static long[] pingCalls() {
        long[] calls = new long[env.backends().size()];
        for (int i = 0; i < calls.length; i++) {
            try (Jedis direct = env.backends().get(i).client()) {
                Matcher matcher = PING_CALLS.matcher(direct.info("commandstats"));
                calls[i] = matcher.find() ? Long.parseLong(matcher.group(1)) : 0;
            }
        }
        return calls;
    }

    /**
     * Waits until every server ran a PING since {@code before}: Shardis' barrier, after which a
     * write's invalidation comes after its reply on the tracking connection.
     */
    private static void awaitBarrier(long[] before) {
        assertThat(Poll.until(
                        Duration.ofSeconds(10),
                        () -> {
                            long[] now = pingCalls();
                            for (int i = 0; i < now.length; i++) {
                                if (now[i] <= before[i]) {
                                    return false;
                                }
                            }
                            return true;
                        },
                        () -> false))
                .as("a barrier PING on every server's tracking connection")
                .isTrue();
    }

    private static void write(String key, String value) {
        try (Jedis jedis = env.jedis()) {
            jedis.set(key, value);
        }
    }

    @Test
    void lettucesCacheServesRepeatedReadsAndDropsWhatAnotherClientWrote() {
        write("user:1", "ann");
        write("user:2", "bob");
        Map<String, String> cache = new ConcurrentHashMap<>();
        try (StatefulRedisConnection<String, String> connection = lettuce.connect(shardis())) {
            CacheFrontend<String, String> frontend =
                    ClientSideCaching.enable(CacheAccessor.forMap(cache), connection, TrackingArgs.Builder.enabled());
            long before = env.backendCalls("get");
            assertThat(frontend.get("user:1")).isEqualTo("ann");
            assertThat(frontend.get("user:2")).isEqualTo("bob");
            for (int i = 0; i < 5; i++) {
                assertThat(frontend.get("user:1")).isEqualTo("ann");
                assertThat(frontend.get("user:2")).isEqualTo("bob");
            }
            assertThat(env.backendCalls("get") - before)
                    .as("one GET per key reached the servers")
                    .isEqualTo(2);
            write("user:1", "amy");
            assertThat(Poll.until(Duration.ofSeconds(10), () -> !cache.containsKey("user:1"), () -> false))
                    .as("invalidated by the other client's write")
                    .isTrue();
            assertThat(frontend.get("user:1")).isEqualTo("amy");
            assertThat(cache).containsEntry("user:2", "bob");
            frontend.close();
        }
    }

    @Test
    void rawFramesOfTheDefaultModeBcastNoloopAndOptin() {
        try (Resp3Socket plain = new Resp3Socket(shardis());
                Resp3Socket bcast = new Resp3Socket(shardis());
                Resp3Socket noloop = new Resp3Socket(shardis());
                Resp3Socket optin = new Resp3Socket(shardis())) {
            for (Resp3Socket socket : new Resp3Socket[] {plain, bcast, noloop, optin}) {
                socket.call("HELLO 3");
            }
            assertThat(plain.call("CLIENT TRACKING ON")).isEqualTo("+OK\r\n");
            assertThat(bcast.call("CLIENT TRACKING ON BCAST PREFIX b: PREFIX a:"))
                    .isEqualTo("+OK\r\n");
            assertThat(noloop.call("CLIENT TRACKING ON NOLOOP")).isEqualTo("+OK\r\n");
            assertThat(optin.call("CLIENT TRACKING ON OPTIN")).isEqualTo("+OK\r\n");
            for (String key : new String[] {"a:1", "a:2", "a:3", "a:4"}) {
                plain.call("GET " + key);
            }
            noloop.call("GET a:1");
            noloop.call("GET a:2");
            optin.call("GET a:1");
            optin.send("CLIENT CACHING YES", "GET a:2");
            assertThat(optin.read()).isEqualTo("+OK\r\n");
            assertThat(optin.read()).isEqualTo("_\r\n");
            assertThat(noloop.call("SET a:1 mine")).isEqualTo("+OK\r\n");
            assertThat(plain.read()).isEqualTo(invalidate("a:1"));
            assertThat(bcast.read()).isEqualTo(invalidate("a:1"));
            write("a:2", "theirs");
            assertThat(plain.read()).isEqualTo(invalidate("a:2"));
            assertThat(bcast.read()).isEqualTo(invalidate("a:2"));
            assertThat(noloop.read()).as("its own write left out").isEqualTo(invalidate("a:2"));
            assertThat(optin.read()).as("only the read after CACHING YES").isEqualTo(invalidate("a:2"));
            write("b:1", "x");
            assertThat(bcast.read()).isEqualTo(invalidate("b:1"));
            write("a:2", "again");
            write("a:3", "y");
            assertThat(plain.read()).as("a:2 was forgotten once invalidated").isEqualTo(invalidate("a:3"));
            assertThat(plain.call("CLIENT TRACKINGINFO"))
                    .isEqualTo("%3\r\n" + bulk("flags") + "~1\r\n" + bulk("on") + bulk("redirect") + ":0\r\n"
                            + bulk("prefixes") + "*0\r\n");
        }
    }

    @Test
    void noloopWriteThatChangesNothingDoesNotHideAnotherClientsLaterWrite() {
        write("n:1", "theirs");
        try (Resp3Socket noloop = new Resp3Socket(shardis())) {
            noloop.call("HELLO 3");
            assertThat(noloop.call("CLIENT TRACKING ON NOLOOP")).isEqualTo("+OK\r\n");
            assertThat(noloop.call("GET n:1")).isEqualTo(bulk("theirs"));
            long[] before = pingCalls();
            assertThat(noloop.call("SET n:1 mine NX"))
                    .as("n:1 exists: nothing written")
                    .isEqualTo("_\r\n");
            awaitBarrier(before);
            write("n:1", "again");
            assertThat(noloop.read())
                    .as("another client's write after its own that changed nothing")
                    .isEqualTo(invalidate("n:1"));

            assertThat(noloop.call("GET n:1")).isEqualTo(bulk("again"));
            before = pingCalls();
            assertThat(noloop.call("MULTI")).isEqualTo("+OK\r\n");
            assertThat(noloop.call("SET n:1 mine NX")).isEqualTo("+QUEUED\r\n");
            assertThat(noloop.call("EXEC")).isEqualTo("*1\r\n_\r\n");
            awaitBarrier(before);
            write("n:1", "later");
            assertThat(noloop.read())
                    .as("the same in a transaction, the barrier once EXEC is answered")
                    .isEqualTo(invalidate("n:1"));
        }
    }

    /**
     * The invalidations an OPTIN client hears after CLIENT CACHING YES followed by another CLIENT
     * subcommand, a transaction, and a read outside it, then writes of every key read.
     */
    private static List<String> optinFrames(InetSocketAddress at, Jedis writer) {
        try (Resp3Socket tracker = new Resp3Socket(at)) {
            tracker.call("HELLO 3");
            assertThat(tracker.call("CLIENT TRACKING ON OPTIN")).isEqualTo("+OK\r\n");
            List<String> replies = new ArrayList<>();
            for (String command : List.of(
                    "CLIENT CACHING YES",
                    "CLIENT GETREDIR",
                    "GET {o}1",
                    "GET {o}2",
                    "CLIENT CACHING YES",
                    "MULTI",
                    "GET {o}3",
                    "GET {o}4",
                    "EXEC",
                    "GET {o}5",
                    "CLIENT CACHING YES",
                    "GET {o}6")) {
                replies.add(tracker.call(command));
            }
            for (int i = 1; i <= 6; i++) {
                writer.set("{o}" + i, "w");
            }
            for (int i = 0; i < 4; i++) {
                replies.add(tracker.read());
            }
            return replies;
        }
    }

    @Test
    void optinCachingYesHoldsOverClientSubcommandsAndATransactionAsOnRedis() {
        List<String> viaShardis;
        try (Jedis writer = env.jedis()) {
            viaShardis = optinFrames(shardis(), writer);
        }
        List<String> alone;
        try (Jedis writer = env.reference().client()) {
            alone = optinFrames(env.reference().socketAddress(), writer);
        }
        assertThat(viaShardis)
                .as("through Shardis (left), a Redis 7.0 alone (right)")
                .isEqualTo(alone);
        assertThat(viaShardis.subList(viaShardis.size() - 4, viaShardis.size()))
                .containsExactly(invalidate("{o}1"), invalidate("{o}3"), invalidate("{o}4"), invalidate("{o}6"));
    }

    @Test
    void aResp2ClientRedirectsToASubscriberOfRedisInvalidate() {
        try (Resp3Socket target = new Resp3Socket(shardis());
                Resp3Socket tracker = new Resp3Socket(shardis())) {
            String id = target.call("CLIENT ID").substring(1).trim();
            assertThat(target.call("SUBSCRIBE __redis__:invalidate"))
                    .isEqualTo("*3\r\n$9\r\nsubscribe\r\n$20\r\n__redis__:invalidate\r\n:1\r\n");
            assertThat(tracker.call("CLIENT TRACKING ON REDIRECT " + id)).isEqualTo("+OK\r\n");
            assertThat(tracker.call("CLIENT GETREDIR")).isEqualTo(":" + id + "\r\n");
            tracker.call("GET r:1");
            write("r:1", "v");
            assertThat(target.read())
                    .isEqualTo("*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n*1\r\n" + bulk("r:1"));
            assertThat(tracker.call("CLIENT TRACKING ON REDIRECT 99999"))
                    .isEqualTo("-ERR The client ID you want redirect to does not exist\r\n");
        }
    }

    @Test
    void aRestartedBackendFlushesTheTrackingClients() {
        try (Resp3Socket tracker = new Resp3Socket(shardis())) {
            tracker.call("HELLO 3");
            assertThat(tracker.call("CLIENT TRACKING ON")).isEqualTo("+OK\r\n");
            tracker.call("GET k:1");
            env.backends().get(2).restart();
            assertThat(tracker.read()).isEqualTo(">2\r\n$10\r\ninvalidate\r\n_\r\n");
        }
    }
}
