package io.shardis.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shardis.it.support.Http;
import io.shardis.it.support.RedisProcess;
import io.shardis.it.support.ShardisProcess;
import io.shardis.it.support.StopChildProcesses;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * A password kept outside the configuration ({@code redis_auth: ${file:PATH}}), as a Kubernetes or
 * systemd secret is: clients and backends use it, it never reaches the log or a reply, and a
 * rotated password (the backend's changed, the file rewritten, {@code POST /reload}) is taken up
 * without a restart.
 */
@ExtendWith(StopChildProcesses.class)
class SecretFileIT {

    private static final String OLD = "old-Secret-7f3a";
    private static final String NEW = "new-Secret-91c2";

    @TempDir
    Path dir;

    @Test
    void aPasswordReadFromAFileIsUsedAndRotatedByAReload() throws Exception {
        Path secret = Files.writeString(dir.resolve("redis-password"), OLD + "\n");
        try (RedisProcess redis = RedisProcess.start("--requirepass", OLD);
                ShardisProcess shardis = ShardisProcess.start(
                        """
                        shardis:
                          admin: true
                        alpha:
                          listen: 127.0.0.1:${port.alpha}
                          redis_auth: ${file:%s}
                          servers:
                            - ${redis}:1
                        """.formatted(secret), Map.of("redis", redis.address()), "--http", "127.0.0.1:${port.http}")) {
            try (Jedis client = new Jedis("127.0.0.1", shardis.port("alpha"), 10_000)) {
                assertThatThrownBy(() -> client.get("k")).hasMessageStartingWith("NOAUTH");
                assertThat(client.auth(OLD)).isEqualTo("OK");
                assertThat(client.set("k", "v1")).isEqualTo("OK");
                assertThat(client.get("k")).isEqualTo("v1");
            }

            // Rotation: the backend's password changes, then the file, then a reload.
            try (Jedis direct = new Jedis(redis.host(), redis.port(), 10_000)) {
                direct.auth(OLD);
                direct.configSet("requirepass", NEW);
            }
            Files.writeString(secret, NEW + "\n");
            Http.Response reload = Http.post(shardis.port("http"), "/reload");
            assertThat(reload.status()).as(reload.body()).isEqualTo(200);
            assertThat(reload.body())
                    .contains("auth.redisAuth: changed (value hidden)")
                    .doesNotContain(OLD)
                    .doesNotContain(NEW);

            try (Jedis client = new Jedis("127.0.0.1", shardis.port("alpha"), 10_000)) {
                assertThatThrownBy(() -> client.auth(OLD)).hasMessageStartingWith("WRONGPASS");
                assertThat(client.auth(NEW)).isEqualTo("OK");
                assertThat(client.get("k"))
                        .as("read on a backend connection made with the new password")
                        .isEqualTo("v1");
                assertThat(client.set("k", "v2")).isEqualTo("OK");
            }
            assertThat(shardis.log()).doesNotContain(OLD).doesNotContain(NEW);
        }
    }
}
