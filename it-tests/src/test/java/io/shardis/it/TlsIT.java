package io.shardis.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.shardis.it.support.Commands;
import io.shardis.it.support.RedisProcess;
import io.shardis.it.support.ShardisFixture;
import io.shardis.it.support.TestCertificates;
import io.shardis.it.support.TlsClients;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * TLS on both sides of Shardis, against Debian's redis-server built with TLS ({@code --port 0
 * --tls-port}), with a CA made at test time: clients to Shardis (Jedis, Lettuce, redis-cli), Shardis
 * to Redis (with a client certificate Redis requires), both, mutual TLS, and the refusals (a client
 * that trusts another CA, a client without a certificate, a server whose certificate names another
 * host). Each side runs with the OpenSSL engine and with the JDK's.
 */
class TlsIT {

    private static TestCertificates certs;
    private static TestCertificates otherCa;
    private static RedisProcess plain;
    private static RedisProcess tlsRedis;
    private static ShardisFixture shardis;

    @BeforeAll
    static void start() {
        certs = TestCertificates.create("shardis");
        otherCa = TestCertificates.create("other");
        plain = RedisProcess.start();
        // Clients of this one must present a certificate of the CA: Shardis does (backend_tls.cert_file).
        tlsRedis = RedisProcess.builder().tls(certs, "yes").start();
        shardis = ShardisFixture.start(
                """
                front:
                  listen: 127.0.0.1:0
                  timeout: 5000
                  tls:
                    cert_file: ${cert}
                    key_file: ${key}
                    engine: openssl
                  servers:
                    - ${plain}:1
                front_jdk:
                  listen: 127.0.0.1:0
                  timeout: 5000
                  tls:
                    cert_file: ${cert}
                    key_file: ${key}
                    engine: jdk
                  servers:
                    - ${plain}:1
                back:
                  listen: 127.0.0.1:0
                  timeout: 5000
                  backend_tls:
                    ca_file: ${ca}
                    cert_file: ${clientCert}
                    key_file: ${clientKey}
                    engine: openssl
                  servers:
                    - ${tls}:1
                back_jdk:
                  listen: 127.0.0.1:0
                  timeout: 5000
                  backend_tls:
                    ca_file: ${ca}
                    cert_file: ${clientCert}
                    key_file: ${clientKey}
                    engine: jdk
                  servers:
                    - ${tls}:1
                both:
                  listen: 127.0.0.1:0
                  timeout: 5000
                  tls:
                    cert_file: ${cert}
                    key_file: ${key}
                    listen: 127.0.0.1:0
                  backend_tls:
                    ca_file: ${ca}
                    cert_file: ${clientCert}
                    key_file: ${clientKey}
                  servers:
                    - localhost:${tlsPort}:1
                mutual:
                  listen: 127.0.0.1:0
                  timeout: 5000
                  tls:
                    cert_file: ${cert}
                    key_file: ${key}
                    ca_file: ${ca}
                  servers:
                    - ${plain}:1
                wrongname:
                  listen: 127.0.0.1:0
                  timeout: 5000
                  backend_tls:
                    ca_file: ${ca}
                    cert_file: ${clientCert}
                    key_file: ${clientKey}
                    server_name: not-this-server.example
                  servers:
                    - ${tls}:1
                """,
                Map.of(
                        "cert",
                        certs.server().certFile(),
                        "key",
                        certs.server().keyFile(),
                        "ca",
                        certs.caFile(),
                        "clientCert",
                        certs.client().certFile(),
                        "clientKey",
                        certs.client().keyFile(),
                        "plain",
                        plain.address(),
                        "tls",
                        tlsRedis.address(),
                        "tlsPort",
                        tlsRedis.port()));
    }

    @AfterAll
    static void stop() {
        if (shardis != null) {
            shardis.close();
        }
        if (tlsRedis != null) {
            tlsRedis.close();
        }
        if (plain != null) {
            plain.close();
        }
    }

    @Test
    void jedisLettuceAndRedisCliSpeakTlsToShardisWithEitherEngine() {
        for (String pool : List.of("front", "front_jdk")) {
            int port = shardis.port(pool);
            try (Jedis jedis = TlsClients.jedis(port, certs, null)) {
                assertThat(jedis.set("tls:" + pool, "jedis")).isEqualTo("OK");
                assertThat(jedis.get("tls:" + pool)).isEqualTo("jedis");
            }
            RedisClient lettuce = TlsClients.lettuce(certs);
            try (StatefulRedisConnection<String, String> connection = lettuce.connect(TlsClients.lettuceUri(port))) {
                assertThat(connection.sync().get("tls:" + pool)).isEqualTo("jedis");
                assertThat(connection.sync().set("tls:" + pool, "lettuce")).isEqualTo("OK");
            } finally {
                lettuce.shutdown();
            }
            Commands.Result cli = TlsClients.redisCli(port, certs.caFile(), null, "get", "tls:" + pool);
            if (cli != null) {
                assertThat(cli.exitCode()).as(cli.output()).isZero();
                assertThat(cli.output().trim()).isEqualTo("lettuce");
            }
            try (Jedis direct = plain.client()) {
                assertThat(direct.get("tls:" + pool))
                        .as("the backend is plain here")
                        .isEqualTo("lettuce");
            }
        }
    }

    @Test
    void aClientThatTrustsAnotherCaOrSpeaksPlainTextIsRefused() {
        int port = shardis.port("front");
        assertThatThrownBy(() -> pingOnce(() -> TlsClients.jedis(port, otherCa, null)))
                .isInstanceOf(JedisConnectionException.class);
        Commands.Result cli = TlsClients.redisCli(port, otherCa.caFile(), null, "ping");
        if (cli != null) {
            assertThat(cli.output()).doesNotContain("PONG");
        }
        assertThatThrownBy(() -> pingOnce(() -> new Jedis("127.0.0.1", port, 5_000)))
                .isInstanceOf(JedisConnectionException.class);
        try (Jedis good = TlsClients.jedis(port, certs, null)) {
            assertThat(good.ping())
                    .as("the listener still serves clients that trust its CA")
                    .isEqualTo("PONG");
        }
    }

    @Test
    void shardisReachesATlsOnlyRedisWithTheClientCertificateItRequires() {
        for (String pool : List.of("back", "back_jdk")) {
            try (Jedis jedis = shardis.jedis(pool)) {
                assertThat(jedis.set("backend:" + pool, "over tls")).isEqualTo("OK");
                assertThat(jedis.get("backend:" + pool)).isEqualTo("over tls");
            }
            try (Jedis direct = tlsRedis.client()) {
                assertThat(direct.get("backend:" + pool)).isEqualTo("over tls");
            }
        }
    }

    @Test
    void tlsOnBothSidesWithATlsPortBesideThePlainOne() {
        // The server is named localhost here: its certificate's DNS name is checked, and sent as SNI.
        int tlsPort = shardis.server().tlsAddress("both").getPort();
        assertThat(tlsPort).isNotEqualTo(shardis.port("both"));
        try (Jedis tls = TlsClients.jedis(tlsPort, certs, null);
                Jedis plainText = shardis.jedis("both")) {
            assertThat(tls.set("both", "sides")).isEqualTo("OK");
            assertThat(plainText.get("both"))
                    .as("the plain listener serves the same pool")
                    .isEqualTo("sides");
        }
        Commands.Result cli = TlsClients.redisCli(tlsPort, certs.caFile(), null, "get", "both");
        if (cli != null) {
            assertThat(cli.output().trim()).isEqualTo("sides");
        }
        try (Jedis direct = tlsRedis.client()) {
            assertThat(direct.get("both")).isEqualTo("sides");
        }
    }

    @Test
    void mutualTlsServesClientsWithACertificateOfItsCaOnly() {
        int port = shardis.port("mutual");
        try (Jedis withCertificate = TlsClients.jedis(port, certs, certs.client())) {
            assertThat(withCertificate.set("mutual", "yes")).isEqualTo("OK");
        }
        Commands.Result cli = TlsClients.redisCli(port, certs.caFile(), certs.client(), "get", "mutual");
        if (cli != null) {
            assertThat(cli.output().trim()).isEqualTo("yes");
        }
        assertThatThrownBy(() -> pingOnce(() -> TlsClients.jedis(port, certs, null)))
                .isInstanceOf(JedisConnectionException.class);
        TestCertificates.Issued stranger = otherCa.client();
        assertThatThrownBy(() -> pingOnce(() -> TlsClients.jedis(port, certs, stranger)))
                .isInstanceOf(JedisConnectionException.class);
        Commands.Result noCert = TlsClients.redisCli(port, certs.caFile(), null, "get", "mutual");
        if (noCert != null) {
            assertThat(noCert.output()).doesNotContain("yes");
        }
    }

    /** Connects (Jedis may do it in its constructor, or at the first command) and sends one PING. */
    private static void pingOnce(java.util.function.Supplier<Jedis> connect) {
        try (Jedis jedis = connect.get()) {
            jedis.ping();
        }
    }

    @Test
    void aServerWhoseCertificateDoesNotNameItIsRefusedAndTheClientStaysConnected() {
        try (Jedis jedis = shardis.jedis("wrongname")) {
            assertThatThrownBy(() -> jedis.get("anything"))
                    .isInstanceOf(JedisDataException.class)
                    .hasMessageContaining("pool 'wrongname'")
                    .hasMessageContaining("TLS handshake failed");
            assertThat(jedis.ping()).isEqualTo("PONG");
        }
    }
}
