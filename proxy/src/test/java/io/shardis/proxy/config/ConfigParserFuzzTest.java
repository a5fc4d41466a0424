package io.shardis.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzzing of configuration files: well-formed YAML with every key the parser knows
 * and hostile values, and arbitrary text. A file is accepted or refused with a {@link ConfigException}
 * naming the file (and, for a pool's content, the pool and the key); no other exception escapes,
 * so no operator ever sees a stack trace for a bad file.
 */
class ConfigParserFuzzTest {

    private static final String SOURCE = "fuzz.yml";

    private static final String[] POOL_NAMES = {"alpha", "beta", "a.b", "\"\"", "x y", "1", "&anchor", "'q'"};
    private static final String[] KEYS = {
        "listen",
        "hash",
        "hash_tag",
        "distribution",
        "timeout",
        "backlog",
        "preconnect",
        "redis",
        "redis_auth",
        "redis_user",
        "redis_db",
        "server_connections",
        "auto_eject_hosts",
        "server_retry_timeout",
        "server_failure_limit",
        "servers",
        "client_connections",
        "connect_timeout",
        "failover_timeout",
        "max_request_bytes",
        "max_bulk_bytes",
        "max_pipeline",
        "allow_admin",
        "read_from",
        "sentinels",
        "sentinel_user",
        "sentinel_auth",
        "cluster",
        "seeds",
        "refresh_interval",
        "tracking_max_keys",
        "redis_version",
        "unknown_key"
    };
    private static final String[] VALUES = {
        "",
        "0",
        "-1",
        "1",
        "65536",
        "99999999999999999999",
        "1.5",
        "7.4.0",
        "true",
        "false",
        "yes",
        "no",
        "on",
        "~",
        "null",
        "[]",
        "{}",
        "[1, 2]",
        "{a: b}",
        "'{}'",
        "\"\\\\\"",
        "127.0.0.1:22121",
        "127.0.0.1:0",
        "[::1]:6379",
        "localhost:99999",
        "/tmp/shardis.sock 0600",
        "/tmp/s.sock 999",
        "fnv1a_64",
        "murmur",
        "crc16",
        "ketama",
        "modula",
        "random",
        "replica",
        "replica_preferred",
        "master",
        "nearest",
        "x:y:z",
        "0x10",
        "1e3",
        "!!binary aGk=",
        "*alias",
        "- a",
        ": b",
        "\"\\u0000\"",
        "'\n'"
    };
    private static final String[] SERVERS = {
        "127.0.0.1:6379:1",
        "127.0.0.1:6379:1 name",
        "127.0.0.1:6380:0",
        "127.0.0.1:6379",
        "host",
        "[::1]:6379:1",
        "/tmp/r.sock:1",
        "127.0.0.1:6379:1 a b",
        "127.0.0.1:-1:1",
        "127.0.0.1:6379:99999999999",
        ":1",
        "name:6379:1 name",
        "{a: 1}"
    };

    @FuzzTest(maxDuration = "10s")
    void everyBadFileIsRefusedWithTheFilePoolAndKeyNeverAStackTrace(FuzzedDataProvider data) {
        boolean structured = data.consumeBoolean();
        String yaml = structured ? structuredYaml(data) : data.consumeRemainingAsString();
        try {
            ShardisConfig config = ShardisConfig.parse(yaml, SOURCE);
            assertThat(config).isNotNull();
        } catch (ConfigException refused) {
            assertThat(refused.getMessage()).as("the message for\n%s", yaml).startsWith(SOURCE + ": ");
            assertThat(refused.getMessage()).as("the message for\n%s", yaml).doesNotContain("Exception");
        } catch (RuntimeException escaped) {
            throw new AssertionError("a stack trace escapes for\n" + yaml, escaped);
        }
    }

    /** One to three pools of known keys with hostile values, mostly well-formed YAML. */
    private static String structuredYaml(FuzzedDataProvider data) {
        StringBuilder yaml = new StringBuilder();
        int pools = data.consumeInt(1, 3);
        for (int p = 0; p < pools; p++) {
            yaml.append(data.pickValue(POOL_NAMES)).append(":\n");
            int keys = data.consumeInt(0, 8);
            for (int k = 0; k < keys; k++) {
                String key = data.pickValue(KEYS);
                yaml.append("  ").append(key).append(':');
                int shape = data.consumeInt(0, 3);
                if (shape == 0 || key.equals("servers") || key.equals("sentinels") || key.equals("seeds")) {
                    yaml.append('\n');
                    int items = data.consumeInt(0, 4);
                    for (int i = 0; i < items; i++) {
                        yaml.append("    - ")
                                .append(data.consumeBoolean() ? data.pickValue(SERVERS) : data.pickValue(VALUES))
                                .append('\n');
                    }
                } else if (shape == 1) {
                    yaml.append(' ')
                            .append(data.consumeString(24).replace("\n", " "))
                            .append('\n');
                } else {
                    yaml.append(' ').append(data.pickValue(VALUES)).append('\n');
                }
            }
        }
        return yaml.toString();
    }
}
