package io.shardis.proxy.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardis.proxy.config.ShardisConfig;
import io.shardis.proxy.config.TlsConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a configuration reload does with changed TLS blocks: applied for new connections, or reported. */
class TlsReconfigureTest {

    @TempDir
    Path dir;

    private ShardisConfig config(String tlsKeys) throws Exception {
        return ShardisConfig.parse(
                "alpha:\n  listen: 127.0.0.1:22121\n  servers:\n    - 127.0.0.1:6379:1\n" + tlsKeys, "reloaded.yml");
    }

    @Test
    void changedSettingsAreTakenAndWhatNeedsARestartIsReported() throws Exception {
        TestCa ca = new TestCa(dir, "reload");
        ca.issue("server");
        String files = "    cert_file: " + ca.cert("server") + "\n    key_file: " + ca.key("server") + "\n";
        ShardisConfig started = config("  tls:\n" + files + "  backend_tls:\n    ca_file: " + ca.caFile + "\n");
        TlsConfig running = started.pool("alpha").tls();
        ServerTls listener = ServerTls.load("alpha", running.listener());
        BackendTls backend = BackendTls.load("alpha", running.backend());
        Map<String, TlsReconfigure.Running> pools =
                Map.of("alpha", new TlsReconfigure.Running(running, listener, backend));

        ShardisConfig tightened = config("  tls:\n" + files + "    protocols: [TLSv1.3]\n    engine: jdk\n"
                + "  backend_tls:\n    ca_file: " + ca.caFile + "\n    verify_hostname: false\n");
        assertThat(TlsReconfigure.apply(tightened, pools)).isEmpty();
        assertThat(listener.config().protocols()).containsExactly("TLSv1.3");
        assertThat(listener.engine()).isEqualTo("jdk");
        assertThat(backend.config().verifyHostname()).isFalse();

        ShardisConfig moved = config("  tls:\n" + files + "    listen: 127.0.0.1:22443\n");
        List<String> problems = TlsReconfigure.apply(moved, pools);
        assertThat(problems)
                .anySatisfy(line ->
                        assertThat(line).startsWith("pool 'alpha': key 'tls':").contains("takes a restart"));
        assertThat(problems).anySatisfy(line -> assertThat(line).startsWith("pool 'alpha': key 'backend_tls':"));
        assertThat(listener.config().listen()).as("left as it runs").isNull();
    }
}
