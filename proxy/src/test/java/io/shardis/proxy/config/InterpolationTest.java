package io.shardis.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Secrets from the environment or a file: ${env:NAME} and ${file:PATH} in a pool's keys. */
class InterpolationTest {

    @TempDir
    Path dir;

    private static PoolConfig pool(String extra) throws ConfigException {
        return ShardisConfig.parse(
                        "alpha:\n  listen: 127.0.0.1:22121\n  servers: [127.0.0.1:6379:1]\n" + extra, "test.yml")
                .pools()
                .get(0);
    }

    @Test
    void aPasswordComesFromTheEnvironment() throws ConfigException {
        // PATH is set wherever tests run; its value stands in for a secret.
        assertThat(pool("  redis_auth: ${env:PATH}\n").auth().redisAuth()).isEqualTo(System.getenv("PATH"));
        assertThat(pool("  redis_auth: \"pre-${env:PATH}\"\n").auth().redisAuth())
                .isEqualTo("pre-" + System.getenv("PATH"));
    }

    @Test
    void aPasswordComesFromAFileWithoutItsLineBreak() throws ConfigException, IOException {
        Path secret = Files.writeString(dir.resolve("redis-password"), "s3cret\n");
        assertThat(pool("  redis_auth: ${file:" + secret + "}\n").auth().redisAuth())
                .isEqualTo("s3cret");
        Path user = Files.writeString(dir.resolve("app-password"), "apppw\r\n");
        assertThat(pool("  users:\n    app: \"on >${file:" + user + "} ~* +@all\"\n")
                        .auth()
                        .users()
                        .get("app"))
                .containsExactly("on", ">apppw", "~*", "+@all");
    }

    @Test
    void aMissingVariableOrFileIsRefusedByNameNotValue() throws IOException {
        assertThatThrownBy(() -> pool("  redis_auth: ${env:SHARDIS_TEST_NEVER_SET_42}\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("test.yml: pool 'alpha': key 'redis_auth': environment variable SHARDIS_TEST_NEVER_SET_42"
                        + " is not set");
        Path missing = dir.resolve("nothing-here");
        assertThatThrownBy(() -> pool("  redis_auth: ${file:" + missing + "}\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("key 'redis_auth': cannot read the file " + missing);
    }

    @Test
    void otherLookupsAreNotRunAndPlainValuesStayAsWritten() throws ConfigException {
        // Only env and file are registered: no script, URL, DNS or system property lookup runs.
        assertThat(pool("  redis_auth: ${sys:user.home}\n").auth().redisAuth()).isEqualTo("${sys:user.home}");
        assertThat(pool("  redis_auth: \"${script:javascript:1+1}\"\n").auth().redisAuth())
                .isEqualTo("${script:javascript:1+1}");
        assertThat(pool("  redis_auth: pa$$word\n").auth().redisAuth()).isEqualTo("pa$$word");
    }
}
