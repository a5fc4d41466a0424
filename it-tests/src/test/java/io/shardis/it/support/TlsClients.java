package io.shardis.it.support;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SslOptions;
import io.lettuce.core.SslVerifyMode;
import io.lettuce.core.protocol.ProtocolVersion;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLSocket;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

/** Jedis, Lettuce and redis-cli over TLS, trusting a test CA and presenting one of its certificates when asked. */
public final class TlsClients {

    private static final int TIMEOUT_MILLIS = 10_000;

    private TlsClients() {}

    /** Jedis over TLS to {@code 127.0.0.1:port}, trusting {@code trusted}; {@code identity} may be null. */
    public static Jedis jedis(int port, TestCertificates trusted, TestCertificates.Issued identity) {
        return new Jedis(
                new HostAndPort("127.0.0.1", port),
                DefaultJedisClientConfig.builder()
                        .ssl(true)
                        .sslSocketFactory(trusted.socketFactory(identity))
                        .timeoutMillis(TIMEOUT_MILLIS)
                        .build());
    }

    /**
     * A Lettuce client that checks the server's certificate and name ({@code 127.0.0.1}, an IP
     * name in the certificate) against {@code trusted}'s CA file; close it after use.
     */
    public static RedisClient lettuce(TestCertificates trusted) {
        RedisClient client = RedisClient.create();
        client.setOptions(ClientOptions.builder()
                .protocolVersion(ProtocolVersion.RESP2)
                .sslOptions(SslOptions.builder()
                        .jdkSslProvider()
                        .trustManager(trusted.caFile().toFile())
                        .build())
                .build());
        return client;
    }

    public static RedisURI lettuceUri(int port) {
        return RedisURI.builder()
                .withHost("127.0.0.1")
                .withPort(port)
                .withSsl(true)
                .withVerifyPeer(SslVerifyMode.FULL)
                .withTimeout(Duration.ofMillis(TIMEOUT_MILLIS))
                .build();
    }

    /** {@code redis-cli --tls --cacert CA [--cert --key] -p port args...}; null when redis-cli is not installed. */
    public static Commands.Result redisCli(int port, Path caFile, TestCertificates.Issued identity, String... args) {
        Path cli = RedisBinaries.get().redisCli().orElse(null);
        if (cli == null) {
            return null;
        }
        List<String> command = new ArrayList<>(List.of(
                cli.toString(),
                "-h",
                "127.0.0.1",
                "-p",
                Integer.toString(port),
                "--tls",
                "--cacert",
                caFile.toString()));
        if (identity != null) {
            command.addAll(List.of(
                    "--cert",
                    identity.certFile().toString(),
                    "--key",
                    identity.keyFile().toString()));
        }
        command.addAll(List.of(args));
        return Commands.run(command, Duration.ofSeconds(30));
    }

    /** The serial number of the certificate the server on {@code port} presents now, over a new connection. */
    public static BigInteger servedSerial(int port, TestCertificates trusted) {
        try (Socket plain = new Socket()) {
            plain.connect(new InetSocketAddress("127.0.0.1", port), TIMEOUT_MILLIS);
            plain.setSoTimeout(TIMEOUT_MILLIS);
            try (SSLSocket tls = (SSLSocket) trusted.socketFactory(null).createSocket(plain, "127.0.0.1", port, true)) {
                tls.startHandshake();
                return ((java.security.cert.X509Certificate) tls.getSession().getPeerCertificates()[0])
                        .getSerialNumber();
            }
        } catch (java.io.IOException e) {
            throw new IllegalStateException("no TLS handshake with 127.0.0.1:" + port, e);
        }
    }
}
