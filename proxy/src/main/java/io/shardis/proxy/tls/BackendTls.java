package io.shardis.proxy.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.shardis.proxy.config.TlsConfig;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * A pool's TLS towards its servers or cluster nodes ({@code backend_tls}): each new backend
 * connection starts with the {@link SslHandler} made here, which sends the server's name (SNI) and,
 * unless turned off, checks that the certificate names the host connected to. The context is
 * replaced by {@link #reload}; open connections keep theirs.
 */
public final class BackendTls implements Reloadable {

    private final String pool;
    private volatile TlsConfig.Peer config;
    private volatile SslContext context;
    /** The JDK engine's, for the blocking health check of ejected servers. */
    private volatile javax.net.ssl.SSLSocketFactory blocking;

    private BackendTls(String pool, TlsConfig.Peer config, SslContext context) throws TlsSetupException {
        this.pool = pool;
        this.config = config;
        this.context = context;
        this.blocking = blockingFactory(config);
    }

    private static javax.net.ssl.SSLSocketFactory blockingFactory(TlsConfig.Peer config) throws TlsSetupException {
        TlsConfig.Peer jdk = new TlsConfig.Peer(
                config.caFile(),
                config.certFile(),
                config.keyFile(),
                config.keyPassword(),
                config.verifyHostname(),
                config.serverName(),
                config.insecure(),
                config.protocols(),
                config.ciphers(),
                TlsConfig.Engine.JDK);
        return ((io.netty.handler.ssl.JdkSslContext) TlsContexts.client(jdk))
                .context()
                .getSocketFactory();
    }

    /**
     * Wraps a connected blocking socket (the health check of an ejected server) in TLS, with the same
     * files and checks as the data connections, and completes the handshake.
     */
    public java.net.Socket wrap(java.net.Socket socket, InetSocketAddress address) throws java.io.IOException {
        String host = config.serverName() != null ? config.serverName() : address.getHostString();
        javax.net.ssl.SSLSocket tls =
                (javax.net.ssl.SSLSocket) blocking.createSocket(socket, host, address.getPort(), true);
        javax.net.ssl.SSLParameters parameters = tls.getSSLParameters();
        parameters.setProtocols(config.protocols().toArray(String[]::new));
        parameters.setEndpointIdentificationAlgorithm(config.verifyHostname() ? "HTTPS" : null);
        tls.setSSLParameters(parameters);
        tls.startHandshake();
        return tls;
    }

    /**
     * Reads the pool's {@code backend_tls} files; null when the pool has none.
     *
     * @throws IllegalStateException naming the pool and key when they cannot make a context
     */
    public static BackendTls load(String pool, TlsConfig.Peer config) {
        if (config == null) {
            return null;
        }
        try {
            return new BackendTls(pool, config, TlsContexts.client(config));
        } catch (TlsSetupException e) {
            throw new IllegalStateException(
                    "pool '" + pool + "': key 'backend_tls." + e.key() + "': " + e.getMessage(), e);
        }
    }

    /**
     * The handler for a connection to {@code address}; null for a Unix socket, which Redis serves in
     * plain text only. The handshake may take {@code handshakeTimeoutMillis}.
     */
    public SslHandler newHandler(ByteBufAllocator alloc, SocketAddress address, int handshakeTimeoutMillis) {
        if (!(address instanceof InetSocketAddress inet)) {
            return null;
        }
        String host = config.serverName() != null ? config.serverName() : inet.getHostString();
        SslHandler handler = context.newHandler(alloc, host, inet.getPort());
        handler.setHandshakeTimeoutMillis(handshakeTimeoutMillis);
        return handler;
    }

    @Override
    public void reload() throws TlsSetupException {
        reload(config);
    }

    /** Takes a changed {@code backend_tls} block for new connections; on failure the old one stays. */
    public void reload(TlsConfig.Peer next) throws TlsSetupException {
        SslContext built = TlsContexts.client(next);
        javax.net.ssl.SSLSocketFactory builtBlocking = blockingFactory(next);
        config = next;
        blocking = builtBlocking;
        context = built;
    }

    public TlsConfig.Peer config() {
        return config;
    }

    public String engine() {
        return TlsContexts.engineName(context);
    }

    @Override
    public String describe() {
        return "pool '" + pool + "' backend_tls";
    }
}
