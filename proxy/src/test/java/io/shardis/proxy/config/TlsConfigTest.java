package io.shardis.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsConfigTest {

    @TempDir
    static Path dir;

    private static String cert;
    private static String key;
    private static String ca;

    @BeforeAll
    static void files() throws IOException {
        cert = Files.writeString(dir.resolve("server.crt"), "not read by the parser")
                .toString();
        key = Files.writeString(dir.resolve("server.key"), "not read by the parser")
                .toString();
        ca = Files.writeString(dir.resolve("ca.crt"), "not read by the parser").toString();
    }

    private static PoolConfig pool(String keys) throws ConfigException {
        return ShardisConfig.parse(
                        "alpha:\n  listen: 127.0.0.1:22121\n  servers:\n    - 127.0.0.1:6379:1\n" + keys, "test.yml")
                .pool("alpha");
    }

    @Test
    void withoutTlsBlocksEverySideIsPlain() throws ConfigException {
        assertThat(pool("").tls()).isEqualTo(TlsConfig.NONE);
    }

    @Test
    void aListenerBlockHasSafeDefaults() throws ConfigException {
        TlsConfig.Listener tls = pool("  tls:\n    cert_file: " + cert + "\n    key_file: " + key + "\n")
                .tls()
                .listener();
        assertThat(tls.certFile()).isEqualTo(Path.of(cert));
        assertThat(tls.protocols()).containsExactlyInAnyOrder("TLSv1.2", "TLSv1.3");
        assertThat(tls.ciphers()).as("the engine's secure defaults").isEmpty();
        assertThat(tls.clientAuth()).isEqualTo(TlsConfig.ClientAuth.NONE);
        assertThat(tls.engine()).isEqualTo(TlsConfig.Engine.AUTO);
        assertThat(tls.listen()).as("the pool's listen speaks TLS").isNull();
        assertThat(tls.handshakeTimeoutMillis()).isEqualTo(10_000);
    }

    @Test
    void aCaMakesClientCertificatesRequiredUnlessSaidOtherwise() throws ConfigException {
        String base = "  tls:\n    cert_file: " + cert + "\n    key_file: " + key + "\n    ca_file: " + ca + "\n";
        assertThat(pool(base).tls().listener().clientAuth()).isEqualTo(TlsConfig.ClientAuth.REQUIRED);
        assertThat(pool(base + "    client_auth: optional\n").tls().listener().clientAuth())
                .isEqualTo(TlsConfig.ClientAuth.OPTIONAL);
        assertThatThrownBy(() -> pool(
                        "  tls:\n    cert_file: " + cert + "\n    key_file: " + key + "\n    client_auth: required\n"))
                .hasMessage("test.yml: pool 'alpha': key 'tls.client_auth': 'required' needs tls.ca_file, the CA"
                        + " that signs client certificates");
    }

    @Test
    void aTlsPortBesideThePlainOneMustBeItsOwn() throws ConfigException {
        String tls = "  tls:\n    cert_file: " + cert + "\n    key_file: " + key + "\n    listen: 127.0.0.1:22443\n";
        assertThat(pool(tls).tls().listener().listen()).isEqualTo(new HostPort("127.0.0.1", 22443));
        assertThatThrownBy(() -> ShardisConfig.parse(
                        "alpha:\n  listen: 127.0.0.1:22121\n  servers:\n"
                                + "    - 127.0.0.1:6379:1\n  tls:\n    cert_file: " + cert + "\n    key_file: " + key
                                + "\n    listen: 127.0.0.1:22121\n",
                        "test.yml"))
                .hasMessageContaining("key 'tls.listen': 127.0.0.1:22121 is already used");
    }

    @Test
    void errorsNameTheFilePoolAndKey() {
        assertThatThrownBy(() -> pool("  tls:\n    cert_file: " + cert + "\n"))
                .hasMessage("test.yml: pool 'alpha': key 'tls.key_file': missing; expected the path of a PEM file");
        assertThatThrownBy(() -> pool("  tls:\n    cert_file: /nonexistent/server.crt\n    key_file: " + key + "\n"))
                .hasMessage(
                        "test.yml: pool 'alpha': key 'tls.cert_file': cannot read the file /nonexistent/server.crt");
        assertThatThrownBy(() -> pool(
                        "  tls:\n    cert_file: " + cert + "\n    key_file: " + key + "\n    protocols: [TLSv1.1]\n"))
                .hasMessageContaining("key 'tls.protocols': expected TLSv1.2 and/or TLSv1.3");
        assertThatThrownBy(() ->
                        pool("  tls:\n    cert_file: " + cert + "\n    key_file: " + key + "\n    engine: boring\n"))
                .hasMessage(
                        "test.yml: pool 'alpha': key 'tls.engine': expected one of auto, openssl, jdk; got 'boring'");
        assertThatThrownBy(() -> pool("  tls:\n    cert: " + cert + "\n"))
                .hasMessageContaining("key 'tls.cert': unknown key");
        assertThatThrownBy(() -> pool("  tls: yes\n")).hasMessageContaining("key 'tls': expected a map");
    }

    @Test
    void aKeyPasswordNeverShows() throws ConfigException {
        TlsConfig.Listener tls = pool("  tls:\n    cert_file: " + cert + "\n    key_file: " + key
                        + "\n    key_password: hunter2\n")
                .tls()
                .listener();
        assertThat(tls.keyPassword()).isEqualTo("hunter2");
        assertThat(tls.toString()).doesNotContain("hunter2").contains("key_password=***");
        TlsConfig.Peer peer = pool("  backend_tls:\n    cert_file: " + cert + "\n    key_file: " + key
                        + "\n    key_password: hunter2\n")
                .tls()
                .backend();
        assertThat(peer.toString()).doesNotContain("hunter2");
    }

    @Test
    void backendTlsChecksCertificatesAndNamesUnlessInsecureIsAsked() throws ConfigException {
        TlsConfig.Peer peer =
                pool("  backend_tls:\n    ca_file: " + ca + "\n").tls().backend();
        assertThat(peer.verifyHostname()).isTrue();
        assertThat(peer.insecure()).isFalse();
        assertThat(peer.caFile()).isEqualTo(Path.of(ca));
        assertThat(peer.certFile()).isNull();
        TlsConfig.Peer insecure =
                pool("  backend_tls:\n    insecure: true\n").tls().backend();
        assertThat(insecure.insecure()).isTrue();
        assertThat(insecure.verifyHostname()).isFalse();
        TlsConfig.Peer named = pool("  backend_tls:\n    ca_file: " + ca + "\n    server_name: redis.internal\n")
                .tls()
                .backend();
        assertThat(named.serverName()).isEqualTo("redis.internal");
        assertThatThrownBy(() -> pool("  backend_tls:\n    insecure: true\n    verify_hostname: true\n"))
                .hasMessageContaining("key 'backend_tls.verify_hostname': cannot be true with insecure: true");
        assertThatThrownBy(() -> pool("  backend_tls:\n    cert_file: " + cert + "\n"))
                .hasMessageContaining("key 'backend_tls.key_file': a client certificate needs both");
    }

    @Test
    void sentinelTlsIsForSentinelPoolsOnly() throws ConfigException {
        assertThatThrownBy(() -> pool("  sentinel_tls:\n    ca_file: " + ca + "\n"))
                .hasMessage(
                        "test.yml: pool 'alpha': key 'sentinel_tls': only pools with 'sentinels' talk to Sentinels");
        PoolConfig sentinel = ShardisConfig.parse(
                        "alpha:\n  listen: 127.0.0.1:22121\n  sentinels: [127.0.0.1:26379]\n"
                                + "  servers:\n    - 127.0.0.1:6379:1 shard1\n  sentinel_tls:\n    ca_file: " + ca
                                + "\n    protocols: TLSv1.3\n",
                        "test.yml")
                .pool("alpha");
        assertThat(sentinel.tls().sentinel().protocols()).isEqualTo(List.of("TLSv1.3"));
        assertThat(sentinel.tls().backend()).isNull();
    }
}
