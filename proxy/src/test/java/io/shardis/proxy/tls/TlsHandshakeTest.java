package io.shardis.proxy.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslHandler;
import io.shardis.proxy.config.TlsConfig;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Handshakes in memory between the contexts Shardis builds, with each engine: the checks
 * backend_tls promises (chain, host name, server_name, client certificates) and what a reload does.
 */
class TlsHandshakeTest {

    @TempDir
    static Path dir;

    private static TestCa ca;
    private static TestCa otherCa;

    @BeforeAll
    static void certificates() throws Exception {
        ca = new TestCa(dir, "test");
        otherCa = new TestCa(dir, "other");
        ca.issue("server");
        ca.issue("client");
        otherCa.issue("stranger");
    }

    private static TlsConfig.Listener listener(
            String cert, Path clientCa, TlsConfig.ClientAuth auth, TlsConfig.Engine engine) {
        return new TlsConfig.Listener(
                ca.cert(cert),
                ca.key(cert),
                null,
                clientCa,
                auth,
                TlsConfig.DEFAULT_PROTOCOLS,
                List.of(),
                engine,
                null,
                5_000);
    }

    private static TlsConfig.Peer peer(Path trusted, String clientCert, String serverName, TlsConfig.Engine engine) {
        TestCa issuer = "stranger".equals(clientCert) ? otherCa : ca;
        return new TlsConfig.Peer(
                trusted,
                clientCert == null ? null : issuer.cert(clientCert),
                clientCert == null ? null : issuer.key(clientCert),
                null,
                true,
                serverName,
                false,
                TlsConfig.DEFAULT_PROTOCOLS,
                List.of(),
                engine);
    }

    /** Runs the handshake to its end; returns the server certificate the client saw, or the failure. */
    private static Object handshake(ServerTls server, BackendTls client) {
        return handshake(server, client, false);
    }

    /**
     * With {@code serverView}, what the server concluded: the client's certificate (or the
     * string "none" when it sent none), or the failure.
     */
    private static Object handshake(ServerTls server, BackendTls client, boolean serverView) {
        SslHandler serverHandler = server.newHandler(ByteBufAllocator.DEFAULT);
        EmbeddedChannel serverSide = new EmbeddedChannel(serverHandler);
        SslHandler clientHandler =
                client.newHandler(ByteBufAllocator.DEFAULT, new InetSocketAddress("127.0.0.1", 6379), 5_000);
        EmbeddedChannel clientSide = new EmbeddedChannel(clientHandler);
        try {
            for (int round = 0;
                    round < 20
                            && !(clientHandler.handshakeFuture().isDone()
                                    && serverHandler.handshakeFuture().isDone());
                    round++) {
                shuttle(clientSide, serverSide);
                shuttle(serverSide, clientSide);
            }
            if (serverView) {
                if (!serverHandler.handshakeFuture().isSuccess()) {
                    return serverHandler.handshakeFuture().cause();
                }
                try {
                    return serverHandler.engine().getSession().getPeerCertificates()[0];
                } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
                    return "none";
                }
            }
            if (!clientHandler.handshakeFuture().isSuccess()) {
                return clientHandler.handshakeFuture().cause();
            }
            return clientHandler.engine().getSession().getPeerCertificates()[0];
        } catch (Exception e) {
            return e;
        } finally {
            serverSide.finishAndReleaseAll();
            clientSide.finishAndReleaseAll();
        }
    }

    private static void shuttle(EmbeddedChannel from, EmbeddedChannel to) {
        for (Object bytes = from.readOutbound(); bytes != null; bytes = from.readOutbound()) {
            if (!to.isOpen()) {
                io.netty.util.ReferenceCountUtil.release(bytes);
                continue;
            }
            try {
                to.writeInbound(bytes);
            } catch (Exception handshakeFailed) {
                // Seen through the handshake future.
            }
        }
    }

    private static BigInteger serialOf(Object outcome) {
        assertThat(outcome).as("a completed handshake").isInstanceOf(X509Certificate.class);
        return ((X509Certificate) outcome).getSerialNumber();
    }

    @ParameterizedTest
    @EnumSource(
            value = TlsConfig.Engine.class,
            names = {"OPENSSL", "JDK"})
    void theServerCertificateIsCheckedAgainstTheCaAndTheHostName(TlsConfig.Engine engine) {
        ServerTls server = ServerTls.load("p", listener("server", null, TlsConfig.ClientAuth.NONE, engine));
        assertThat(handshake(server, BackendTls.load("p", peer(ca.caFile, null, null, engine))))
                .isInstanceOf(X509Certificate.class);
        assertThat(handshake(server, BackendTls.load("p", peer(ca.caFile, null, "localhost", engine))))
                .as("server_name localhost is in the certificate")
                .isInstanceOf(X509Certificate.class);
        assertThat(handshake(server, BackendTls.load("p", peer(ca.caFile, null, "redis.example", engine))))
                .as("a name the certificate does not carry")
                .isInstanceOf(Throwable.class);
        assertThat(handshake(server, BackendTls.load("p", peer(otherCa.caFile, null, null, engine))))
                .as("a certificate another CA signed")
                .isInstanceOf(Throwable.class);
    }

    @ParameterizedTest
    @EnumSource(
            value = TlsConfig.Engine.class,
            names = {"OPENSSL", "JDK"})
    void requiredClientCertificatesMustComeFromTheClientCa(TlsConfig.Engine engine) {
        ServerTls server = ServerTls.load("p", listener("server", ca.caFile, TlsConfig.ClientAuth.REQUIRED, engine));
        assertThat(handshake(server, BackendTls.load("p", peer(ca.caFile, "client", null, engine)), true))
                .isInstanceOf(X509Certificate.class);
        // In TLS 1.3 the client may finish its side before the server refuses: the server's side is
        // what fails, and it closes the connection.
        assertThat(handshake(server, BackendTls.load("p", peer(ca.caFile, null, null, engine)), true))
                .as("no client certificate")
                .isInstanceOf(Throwable.class);
        assertThat(handshake(server, BackendTls.load("p", peer(ca.caFile, "stranger", null, engine)), true))
                .as("a client certificate another CA signed")
                .isInstanceOf(Throwable.class);

        ServerTls optional = ServerTls.load("p", listener("server", ca.caFile, TlsConfig.ClientAuth.OPTIONAL, engine));
        assertThat(handshake(optional, BackendTls.load("p", peer(ca.caFile, null, null, engine)), true))
                .as("optional: a client without a certificate is served")
                .isEqualTo("none");
        // A client holds back a certificate the server's CA list does not name, or is refused for it.
        assertThat(handshake(optional, BackendTls.load("p", peer(ca.caFile, "stranger", null, engine)), true))
                .as("optional: another CA's certificate is never taken")
                .isNotInstanceOf(X509Certificate.class);
    }

    @ParameterizedTest
    @EnumSource(
            value = TlsConfig.Engine.class,
            names = {"OPENSSL", "JDK"})
    void aClientHandshakeThatFailsClosesTheConnectionQuietlyAndIsCounted(TlsConfig.Engine engine) {
        ServerTls server = ServerTls.load("p", listener("server", null, TlsConfig.ClientAuth.NONE, engine));
        EmbeddedChannel serverSide =
                new EmbeddedChannel(server.newHandler(ByteBufAllocator.DEFAULT), server.newGuard());
        BackendTls distrusting = BackendTls.load("p", peer(otherCa.caFile, null, null, engine));
        SslHandler clientHandler =
                distrusting.newHandler(ByteBufAllocator.DEFAULT, new InetSocketAddress("127.0.0.1", 6379), 5_000);
        EmbeddedChannel clientSide = new EmbeddedChannel(clientHandler);
        try {
            for (int round = 0; round < 20 && serverSide.isOpen(); round++) {
                shuttle(clientSide, serverSide);
                shuttle(serverSide, clientSide);
            }
            assertThat(serverSide.isOpen()).as("the server closed the client").isFalse();
            // Nothing reached the end of the pipeline (the session would log it as unexpected).
            serverSide.checkException();
            assertThat(server.handshakeFailures()).isEqualTo(1);
        } finally {
            serverSide.finishAndReleaseAll();
            clientSide.finishAndReleaseAll();
        }
    }

    @Test
    void autoChoosesOpenSslWhereItLoads() throws TlsSetupException {
        assertThat(OpenSsl.isAvailable())
                .as("netty-tcnative-boringssl-static is on the class path")
                .isTrue();
        assertThat(TlsContexts.provider(TlsConfig.Engine.AUTO)).isEqualTo(io.netty.handler.ssl.SslProvider.OPENSSL);
        assertThat(ServerTls.load("p", listener("server", null, TlsConfig.ClientAuth.NONE, TlsConfig.Engine.JDK))
                        .engine())
                .isEqualTo("jdk");
        assertThat(ServerTls.load("p", listener("server", null, TlsConfig.ClientAuth.NONE, TlsConfig.Engine.AUTO))
                        .engine())
                .isEqualTo("openssl");
    }

    @Test
    void aReloadServesTheNewCertificateAndABrokenKeyKeepsTheOld() throws Exception {
        BigInteger first = ca.issue("rotating");
        ServerTls server =
                ServerTls.load("p", listener("rotating", null, TlsConfig.ClientAuth.NONE, TlsConfig.Engine.AUTO));
        BackendTls client = BackendTls.load("p", peer(ca.caFile, null, null, TlsConfig.Engine.AUTO));
        assertThat(serialOf(handshake(server, client))).isEqualTo(first);

        BigInteger second = ca.issue("rotating");
        server.reload();
        assertThat(serialOf(handshake(server, client))).isEqualTo(second);

        Files.writeString(ca.key("rotating"), "-----BEGIN PRIVATE KEY-----\nbroken\n-----END PRIVATE KEY-----\n");
        TlsReloader reloader = new TlsReloader();
        reloader.add(server);
        assertThat(reloader.reloadAll())
                .singleElement()
                .asString()
                .startsWith("pool 'p' tls.cert_file: cannot")
                .endsWith("the previous certificates stay in use");
        assertThat(serialOf(handshake(server, client)))
                .as("the previous certificate")
                .isEqualTo(second);
    }

    @Test
    void aFileThatMakesNoContextNamesThePoolAndKey() throws Exception {
        Path garbage = Files.writeString(dir.resolve("garbage.crt"), "not a certificate");
        TlsConfig.Listener broken = new TlsConfig.Listener(
                garbage,
                ca.key("server"),
                "s3cret-pass",
                null,
                TlsConfig.ClientAuth.NONE,
                TlsConfig.DEFAULT_PROTOCOLS,
                List.of(),
                TlsConfig.Engine.JDK,
                null,
                5_000);
        assertThatThrownBy(() -> ServerTls.load("alpha", broken))
                .hasMessageStartingWith("pool 'alpha': key 'tls.cert_file': cannot")
                .hasMessageContaining(garbage.toString())
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("s3cret-pass"));
    }
}
