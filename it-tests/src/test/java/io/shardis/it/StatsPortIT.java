package io.shardis.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.shardis.it.support.RedisProcess;
import io.shardis.it.support.RespConnection;
import io.shardis.it.support.ShardisFixture;
import io.shardis.it.support.StatsDocuments;
import io.shardis.it.support.StopChildProcesses;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Map.Entry;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The Twemproxy stats port of a running Shardis, read as Twemproxy dashboards read it: connect,
 * receive one JSON document, see the server close the connection.
 */
@ExtendWith(StopChildProcesses.class)
class StatsPortIT {

    private static final int TIMEOUT_MILLIS = 10_000;
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final List<String> PROCESS_KEYS =
            List.of("service", "source", "version", "uptime", "timestamp", "total_connections", "curr_connections");
    private static final List<String> POOL_KEYS =
            List.of("client_eof", "client_err", "client_connections", "server_ejects", "forward_error", "fragments");
    private static final List<String> SERVER_KEYS = List.of(
            "server_eof",
            "server_err",
            "server_timedout",
            "server_connections",
            "server_ejected_at",
            "requests",
            "request_bytes",
            "responses",
            "response_bytes",
            "in_queue",
            "in_queue_bytes",
            "out_queue",
            "out_queue_bytes");

    private static RedisProcess redis;
    private ShardisFixture shardis;

    @BeforeAll
    static void startRedis() {
        redis = RedisProcess.start();
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    /** A fresh Shardis for each test, so that every test starts from zero counters. */
    @BeforeEach
    void startShardis() {
        shardis = ShardisFixture.startWithStats("""
                alpha:
                  listen: 127.0.0.1:0
                  redis: true
                  timeout: 5000
                  servers:
                    - ${redis}:1 cache-1
                beta:
                  listen: 127.0.0.1:0
                  redis: true
                  timeout: 5000
                  servers:
                    - ${redis}:1
                """, Map.of("redis", redis.address()));
    }

    @AfterEach
    void stopShardis() {
        if (shardis != null) {
            shardis.close();
        }
    }

    @Test
    void servesOneJsonDocumentWithNutcrackersLayoutThenClosesTheConnection() {
        // fetch() reads until end-of-stream without sending anything: it returns only if Shardis
        // ends the connection after the document (a read timeout fails the test).
        String text = fetch(shardis.statsAddress());

        assertThat(text).endsWith("}\n");
        JsonObject document = parseStrict(text);
        assertThat(document.keySet())
                .containsExactly(
                        "service",
                        "source",
                        "version",
                        "uptime",
                        "timestamp",
                        "total_connections",
                        "curr_connections",
                        "beta",
                        "alpha");
        assertThat(document.get("service").getAsString()).isEqualTo("shardis");
        for (String key : List.of("source", "version")) {
            assertThat(document.getAsJsonPrimitive(key).isString()).as(key).isTrue();
        }
        for (String key : PROCESS_KEYS.subList(3, PROCESS_KEYS.size())) {
            assertThat(document.getAsJsonPrimitive(key).isNumber()).as(key).isTrue();
        }
        assertThat(document.get("timestamp").getAsLong())
                .isBetween(System.currentTimeMillis() / 1000 - 60, System.currentTimeMillis() / 1000 + 60);
        // One listening socket per pool, counted as nutcracker counts them; nothing else is open.
        assertThat(document.get("curr_connections").getAsLong()).isEqualTo(2);

        JsonObject alpha = document.getAsJsonObject("alpha");
        assertThat(alpha.keySet()).containsExactlyElementsOf(concat(POOL_KEYS, "cache-1"));
        assertThat(alpha.getAsJsonObject("cache-1").keySet()).containsExactlyElementsOf(SERVER_KEYS);
        JsonObject beta = document.getAsJsonObject("beta");
        assertThat(beta.keySet()).containsExactlyElementsOf(concat(POOL_KEYS, redis.address()));
        assertThat(beta.getAsJsonObject(redis.address()).keySet()).containsExactlyElementsOf(SERVER_KEYS);
        for (JsonObject object : List.of(alpha, beta, alpha.getAsJsonObject("cache-1"))) {
            for (Entry<String, JsonElement> member : object.entrySet()) {
                if (!member.getValue().isJsonObject()) {
                    assertThat(member.getValue().getAsJsonPrimitive().isNumber())
                            .as(member.getKey())
                            .isTrue();
                }
            }
        }
    }

    @Test
    void fragmentsAndForwardErrorsFollowSplitCommandsAndAFailedServer() {
        // A pool of two servers, one of which nothing listens on (auto_eject_hosts off, as
        // nutcracker's default): its keys get errors, and a split MGET counts one fragment per server.
        int nothingListens = io.shardis.it.support.FreePorts.next();
        try (ShardisFixture split =
                        ShardisFixture.startWithStats("""
                        gamma:
                          listen: 127.0.0.1:0
                          redis: true
                          timeout: 2000
                          hash: fnv1a_64
                          distribution: ketama
                          servers:
                            - ${redis}:1 up
                            - 127.0.0.1:${dead}:1 down
                        """, Map.of("redis", redis.address(), "dead", nothingListens));
                redis.clients.jedis.Jedis jedis = split.jedis("gamma")) {
            String live = null;
            String dead = null;
            for (int i = 0; i < 200 && (live == null || dead == null); i++) {
                String key = "stats:" + i;
                try {
                    jedis.get(key);
                    live = live == null ? key : live;
                } catch (redis.clients.jedis.exceptions.JedisDataException e) {
                    dead = dead == null ? key : dead;
                }
            }
            assertThat(live).as("a key on the live server").isNotNull();
            assertThat(dead).as("a key on the server nothing listens on").isNotNull();
            JsonObject before = pool(parseStrict(fetch(split.statsAddress())), "gamma");

            String liveKey = live;
            String deadKey = dead;
            assertThatThrownBy(() -> jedis.get(deadKey))
                    .isInstanceOf(redis.clients.jedis.exceptions.JedisDataException.class);
            assertThatThrownBy(() -> jedis.mget(liveKey, deadKey))
                    .isInstanceOf(redis.clients.jedis.exceptions.JedisDataException.class);
            assertThat(jedis.mget(liveKey, liveKey)).hasSize(2);

            JsonObject after = pool(parseStrict(fetch(split.statsAddress())), "gamma");
            assertThat(after.get("fragments").getAsLong()
                            - before.get("fragments").getAsLong())
                    .as("fragments: the MGET over both servers split in two, the one over a single server not split")
                    .isEqualTo(2);
            assertThat(after.get("forward_error").getAsLong()
                            - before.get("forward_error").getAsLong())
                    .as("forward_error: the GET and the MGET fragment on the failed server")
                    .isEqualTo(2);
        }
    }

    @Test
    void clientCountersFollowClientsAsTheyComeAndGo() throws IOException {
        JsonObject before = parseStrict(fetch(shardis.statsAddress()));
        long total = before.get("total_connections").getAsLong();
        long current = before.get("curr_connections").getAsLong();
        assertThat(pool(before, "alpha").get("client_connections").getAsLong()).isZero();

        // PING is answered by Shardis itself: no backend connection is opened, only clients count.
        RespConnection leaves = new RespConnection(shardis.address("alpha"));
        RespConnection quits = new RespConnection(shardis.address("alpha"));
        Socket resets = new Socket();
        try {
            assertThat(leaves.call("PING")).isEqualTo("+PONG");
            assertThat(quits.call("PING")).isEqualTo("+PONG");
            resets.connect(shardis.address("alpha"), TIMEOUT_MILLIS);

            await().atMost(WAIT).untilAsserted(() -> {
                JsonObject document = parseStrict(fetch(shardis.statsAddress()));
                assertThat(pool(document, "alpha").get("client_connections").getAsLong())
                        .isEqualTo(3);
                assertThat(document.get("total_connections").getAsLong()).isEqualTo(total + 3);
                assertThat(document.get("curr_connections").getAsLong()).isEqualTo(current + 3);
                assertThat(pool(document, "beta").get("client_connections").getAsLong())
                        .isZero();
            });

            leaves.close();
            awaitPool("alpha", 2, 1, 0);

            assertThat(quits.call("QUIT")).isEqualTo("+OK");
            awaitPool("alpha", 1, 2, 0);

            // A reset instead of a FIN: SO_LINGER 0, then close.
            resets.setSoLinger(true, 0);
            resets.close();
            awaitPool("alpha", 0, 2, 1);
        } finally {
            leaves.close();
            quits.close();
            resets.close();
        }
        JsonObject after = parseStrict(fetch(shardis.statsAddress()));
        assertThat(after.get("curr_connections").getAsLong()).isEqualTo(current);
        assertThat(after.get("total_connections").getAsLong()).isEqualTo(total + 3);
    }

    @Test
    void statsClientsThatVanishDoNotStopThePortAndAreNotCounted() throws IOException {
        for (int i = 0; i < 10; i++) {
            try (Socket socket = new Socket()) {
                socket.connect(shardis.statsAddress(), TIMEOUT_MILLIS);
                socket.setSoLinger(true, 0);
            }
        }
        JsonObject document = parseStrict(fetch(shardis.statsAddress()));
        assertThat(document.get("total_connections").getAsLong()).isEqualTo(2);
    }

    @Test
    void theStatsPortClosesWithShardis() {
        InetSocketAddress address = shardis.statsAddress();
        shardis.close();
        shardis = null;

        assertThatThrownBy(() -> {
                    try (Socket socket = new Socket()) {
                        socket.connect(address, TIMEOUT_MILLIS);
                    }
                })
                .isInstanceOf(ConnectException.class);
    }

    /** Waits until pool {@code name} shows these client counters. */
    private void awaitPool(String name, long connections, long eof, long err) {
        await().atMost(WAIT).untilAsserted(() -> {
            JsonObject pool = pool(parseStrict(fetch(shardis.statsAddress())), name);
            assertThat(pool.get("client_connections").getAsLong())
                    .as("client_connections")
                    .isEqualTo(connections);
            assertThat(pool.get("client_eof").getAsLong()).as("client_eof").isEqualTo(eof);
            assertThat(pool.get("client_err").getAsLong()).as("client_err").isEqualTo(err);
        });
    }

    private static JsonObject pool(JsonObject document, String name) {
        return document.getAsJsonObject(name);
    }

    private static List<String> concat(List<String> keys, String last) {
        return Stream.concat(keys.stream(), Stream.of(last)).toList();
    }

    private static String fetch(InetSocketAddress address) {
        return StatsDocuments.fetch(address);
    }

    private static JsonObject parseStrict(String text) {
        return StatsDocuments.parseStrict(text);
    }
}
