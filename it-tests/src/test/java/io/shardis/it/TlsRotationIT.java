package io.shardis.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.shardis.it.support.Commands;
import io.shardis.it.support.Poll;
import io.shardis.it.support.RedisProcess;
import io.shardis.it.support.ShardisProcess;
import io.shardis.it.support.TestCertificates;
import io.shardis.it.support.TlsClients;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * Certificates rotated under a running {@code bin/shardis}: new files, SIGHUP, and new clients get
 * the new certificate while a client connected before keeps its connection and its session. A key
 * file that cannot be read leaves the certificates in use as they were.
 */
class TlsRotationIT {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void sighupRereadsCertificatesWithoutDroppingConnectedClients() throws Exception {
        TestCertificates certs = TestCertificates.create("rotation");
        Path cert = certs.dir().resolve("shardis.crt");
        Path key = certs.dir().resolve("shardis.key");
        Path backendCert = certs.dir().resolve("shardis-client.crt");
        Path backendKey = certs.dir().resolve("shardis-client.key");
        TestCertificates.Issued first = certs.issueInto(cert, key, "shardis", true);
        certs.issueInto(backendCert, backendKey, "shardis-client", false);
        try (RedisProcess redis = RedisProcess.builder().tls(certs, "yes").start();
                ShardisProcess shardis = ShardisProcess.start(
                        """
                     alpha:
                       listen: 127.0.0.1:${port.alpha}
                       timeout: 5000
                       tls:
                         cert_file: ${cert}
                         key_file: ${key}
                       backend_tls:
                         ca_file: ${ca}
                         cert_file: ${backendCert}
                         key_file: ${backendKey}
                       servers:
                         - ${redis}:1
                     """,
                        Map.of(
                                "cert",
                                cert,
                                "key",
                                key,
                                "ca",
                                certs.caFile(),
                                "backendCert",
                                backendCert,
                                "backendKey",
                                backendKey,
                                "redis",
                                redis.address()),
                        "-s",
                        "${port.stats}")) {
            int port = shardis.port("alpha");
            assertThat(TlsClients.servedSerial(port, certs)).isEqualTo(first.serial());
            try (Jedis kept = TlsClients.jedis(port, certs, null)) {
                assertThat(kept.set("rotation", "before")).isEqualTo("OK");
                kept.clientSetname("kept");

                TestCertificates.Issued second = certs.issueInto(cert, key, "shardis", true);
                certs.issueInto(backendCert, backendKey, "shardis-client", false);
                hangUp(shardis);
                assertThat(Poll.until(
                                WAIT,
                                () -> TlsClients.servedSerial(port, certs).equals(second.serial()),
                                () -> !shardis.isAlive()))
                        .as("new clients get the new certificate\n" + shardis.log())
                        .isTrue();
                assertThat(Poll.until(
                                WAIT,
                                () -> shardis.log().contains("pool 'alpha' backend_tls: certificates"),
                                () -> !shardis.isAlive()))
                        .as(shardis.log())
                        .isTrue();
                assertThat(shardis.log()).contains("pool 'alpha' tls: certificates");

                // The client connected before the rotation still has its connection and its session.
                assertThat(kept.clientGetname()).isEqualTo("kept");
                assertThat(kept.get("rotation")).isEqualTo("before");
                assertThat(kept.set("rotation", "after")).isEqualTo("OK");

                RedisClient lettuce = TlsClients.lettuce(certs);
                try (StatefulRedisConnection<String, String> connection =
                        lettuce.connect(TlsClients.lettuceUri(port))) {
                    assertThat(connection.sync().get("rotation")).isEqualTo("after");
                } finally {
                    lettuce.shutdown();
                }
                Commands.Result cli = TlsClients.redisCli(port, certs.caFile(), null, "get", "rotation");
                if (cli != null) {
                    assertThat(cli.output().trim()).isEqualTo("after");
                }

                // A broken key: reported, and the certificate in use stays.
                Files.writeString(key, "-----BEGIN PRIVATE KEY-----\nbroken\n-----END PRIVATE KEY-----\n");
                hangUp(shardis);
                assertThat(Poll.until(
                                WAIT,
                                () -> shardis.log().contains("the previous certificates stay in use"),
                                () -> !shardis.isAlive()))
                        .as(shardis.log())
                        .isTrue();
                assertThat(TlsClients.servedSerial(port, certs)).isEqualTo(second.serial());
                assertThat(kept.get("rotation")).isEqualTo("after");
                assertThat(shardis.isAlive()).isTrue();
            }
        }
    }

    @Test
    void testConfigNamesTheTlsFileThatCannotBeUsed() {
        TestCertificates certs = TestCertificates.create("check");
        TestCertificates.Issued server = certs.server();
        TestCertificates.Issued other = certs.client();
        // A key that is not the certificate's: the syntax is fine, the pair is not.
        Path config = ShardisProcess.writeConfig("""
                alpha:
                  listen: 127.0.0.1:22121
                  tls:
                    cert_file: %s
                    key_file: %s
                    key_password: not-shown
                  servers:
                    - 127.0.0.1:6379:1
                """.formatted(server.certFile(), other.keyFile()));
        ShardisProcess.Result result = ShardisProcess.run("-t", "-c", config.toString());
        assertThat(result.exitCode()).as(result.output()).isEqualTo(1);
        assertThat(result.output())
                .contains(config + ": pool 'alpha': key 'tls.cert_file': cannot")
                .doesNotContain("not-shown");
    }

    private static void hangUp(ShardisProcess shardis) throws Exception {
        Process kill = new ProcessBuilder(List.of("kill", "-HUP", Long.toString(shardis.pid()))).start();
        assertThat(kill.waitFor()).isZero();
    }
}
