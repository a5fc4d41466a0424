package io.shardis.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.shardis.it.support.Http;
import io.shardis.it.support.RedisProcess;
import io.shardis.it.support.ShardisFixture;
import io.shardis.it.support.StopChildProcesses;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.Jedis;

/**
 * The admin view of the HTTP listener: {@code GET /pools} describes each pool, and with
 * {@code shardis: admin: true} an operator ejects a server of a sharded pool for maintenance (its
 * keys go to the others) and restores it; without it, changes are refused.
 */
@ExtendWith(StopChildProcesses.class)
class AdminIT {

    private static final String CONFIG = """
            shardis:
              admin: ${admin}
            alpha:
              listen: 127.0.0.1:0
              redis_auth: ${password}
              servers:
                - ${one}:1 one
                - ${two}:1 two
            """;

    private static RedisProcess one;
    private static RedisProcess two;

    @BeforeAll
    static void startRedis() {
        one = RedisProcess.start("--requirepass", "s3cret-pw");
        two = RedisProcess.start("--requirepass", "s3cret-pw");
    }

    @AfterAll
    static void stopRedis() {
        one.close();
        two.close();
    }

    @BeforeEach
    void flush() {
        for (RedisProcess redis : new RedisProcess[] {one, two}) {
            try (Jedis jedis = new Jedis(redis.host(), redis.port())) {
                jedis.auth("s3cret-pw");
                jedis.flushAll();
            }
        }
    }

    private static ShardisFixture start(boolean admin) {
        return ShardisFixture.startWithHttp(
                CONFIG, Map.of("admin", admin, "password", "s3cret-pw", "one", one.address(), "two", two.address()));
    }

    @Test
    void poolsDescribeServersWithoutSecrets() {
        try (ShardisFixture shardis = start(false)) {
            Http.Response all = Http.get(shardis.httpPort(), "/pools");
            assertThat(all.status()).isEqualTo(200);
            assertThat(all.body()).doesNotContain("s3cret-pw");
            JsonObject alpha = JsonParser.parseString(all.body())
                    .getAsJsonObject()
                    .getAsJsonArray("pools")
                    .get(0)
                    .getAsJsonObject();
            assertThat(alpha.get("name").getAsString()).isEqualTo("alpha");
            assertThat(alpha.get("mode").getAsString()).isEqualTo("sharded");
            assertThat(alpha.get("config_digest").getAsString()).hasSize(16);
            JsonArray servers = alpha.getAsJsonArray("servers");
            assertThat(servers).hasSize(2);
            assertThat(servers.get(1).getAsJsonObject().get("name").getAsString())
                    .isEqualTo("two");
            assertThat(servers.get(1).getAsJsonObject().get("address").getAsString())
                    .isEqualTo(two.address());
            assertThat(servers.get(1).getAsJsonObject().get("state").getAsString())
                    .isEqualTo("in ring");

            assertThat(Http.get(shardis.httpPort(), "/pools/alpha").body()).contains("\"name\": \"alpha\"");
            assertThat(Http.get(shardis.httpPort(), "/pools/nope").status()).isEqualTo(404);
            // Changes are off unless the configuration allows them.
            Http.Response refused = Http.post(shardis.httpPort(), "/pools/alpha/servers/two/eject");
            assertThat(refused.status()).isEqualTo(403);
            assertThat(refused.body()).contains("admin: true");
        }
    }

    @Test
    void ejectMovesAServerOutOfTheRingAndRestorePutsItBack() {
        try (ShardisFixture shardis = start(true);
                Jedis jedis = shardis.jedis("alpha")) {
            jedis.auth("s3cret-pw"); // redis_auth is the clients' password too, as in Twemproxy
            int http = shardis.httpPort();
            Http.Response ejected = Http.post(http, "/pools/alpha/servers/two/eject");
            assertThat(ejected.status()).as(ejected.body()).isEqualTo(200);
            assertThat(ejected.body()).contains("\"state\": \"maintenance\"");
            assertThat(Http.get(http, "/pools/alpha").body()).contains("\"state\": \"maintenance\"");

            for (int i = 0; i < 100; i++) {
                jedis.set("admin:" + i, "v");
            }
            assertThat(dbsize(two)).isZero();
            assertThat(dbsize(one)).isEqualTo(100);
            // The last server in the ring stays.
            assertThat(Http.post(http, "/pools/alpha/servers/one/eject").status())
                    .isEqualTo(409);

            Http.Response restored = Http.post(http, "/pools/alpha/servers/two/restore");
            assertThat(restored.status()).as(restored.body()).isEqualTo(200);
            assertThat(restored.body()).contains("\"state\": \"in ring\"");
            for (int i = 100; i < 200; i++) {
                jedis.set("admin:" + i, "v");
            }
            assertThat(dbsize(two)).isPositive();
            assertThat(dbsize(one) + dbsize(two)).isEqualTo(200);
            assertThat(Http.post(http, "/pools/alpha/servers/three/eject").status())
                    .isEqualTo(404);
            assertThat(Http.get(http, "/pools/alpha/servers/two/eject").status())
                    .isEqualTo(405);
        }
    }

    private static long dbsize(RedisProcess redis) {
        try (Jedis jedis = new Jedis(redis.host(), redis.port())) {
            jedis.auth("s3cret-pw");
            return jedis.dbSize();
        }
    }
}
