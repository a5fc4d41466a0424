package io.shardis.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardis.proxy.command.CommandTable;
import io.shardis.proxy.config.ConfigException;
import io.shardis.proxy.config.HostPort;
import io.shardis.proxy.config.PoolConfig;
import io.shardis.proxy.config.ShardisConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

class SecurityChecksTest {

    private static PoolConfig pool(String extra) throws ConfigException {
        return ShardisConfig.parse("alpha:\n  servers: [127.0.0.1:6379:1]\n" + extra, "test.yml")
                .pools()
                .get(0);
    }

    private static List<String> warnings(String extra) throws ConfigException {
        return SecurityChecks.warnings(pool(extra), CommandTable.standard());
    }

    @Test
    void warnsOfAPortBeyondLoopbackWithoutAuthentication() throws ConfigException {
        assertThat(warnings("  listen: 0.0.0.0:22121\n"))
                .singleElement()
                .asString()
                .contains("pool 'alpha' listens on 0.0.0.0:22121, beyond loopback, without authentication");
        assertThat(warnings("  listen: 10.1.2.3:22121\n")).hasSize(1);
        assertThat(warnings("  listen: 127.0.0.1:22121\n")).isEmpty();
        assertThat(warnings("  listen: localhost:22121\n")).isEmpty();
        assertThat(warnings("  listen: /tmp/shardis.sock 0600\n")).isEmpty();
        assertThat(warnings("  listen: 0.0.0.0:22121\n  redis_auth: s3cret\n")).isEmpty();
        assertThat(warnings("  listen: 0.0.0.0:22121\n  users:\n    app: \"on >pw ~* +@all\"\n"))
                .isEmpty();
        // A default user without password lets anyone in.
        assertThat(warnings("  listen: 0.0.0.0:22121\n  users:\n    default: \"on nopass ~* +@read\"\n"))
                .hasSize(1);
    }

    @Test
    void warnsOfUsersWithKeyPatternsWhoMayRunScripts() throws ConfigException {
        List<String> warnings = warnings("  listen: 127.0.0.1:22121\n  users:\n"
                + "    app: \"on >pw ~cache:* +@read +@scripting\"\n"
                + "    reader: \"on >pw ~cache:* +@read\"\n"
                + "    admin: \"on >pw ~* +@all\"\n");
        assertThat(warnings)
                .singleElement()
                .asString()
                .contains("user 'app' has key patterns but may run")
                .contains("EVAL")
                .contains("FCALL");
    }

    @Test
    void loopbackAddresses() {
        assertThat(SecurityChecks.isLoopback(new HostPort("127.0.0.2", 1))).isTrue();
        assertThat(SecurityChecks.isLoopback(new HostPort("::1", 1))).isTrue();
        assertThat(SecurityChecks.isLoopback(new HostPort("[::1]", 1))).isTrue();
        assertThat(SecurityChecks.isLoopback(new HostPort("0.0.0.0", 1))).isFalse();
        assertThat(SecurityChecks.isLoopback(new HostPort("::", 1))).isFalse();
    }
}
