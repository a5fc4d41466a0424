package io.shardis.proxy.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.shardis.proxy.config.TlsConfig;

/**
 * A pool listener's TLS: the {@link SslHandler} each accepted client starts with. The context is
 * replaced by {@link #reload}; clients already connected keep theirs.
 */
public final class ServerTls implements Reloadable {

    private final String pool;
    private volatile TlsConfig.Listener config;
    private volatile SslContext context;
    private final HandshakeGuard.Failures failures;

    private ServerTls(String pool, TlsConfig.Listener config, SslContext context) {
        this.failures = new HandshakeGuard.Failures(pool);
        this.pool = pool;
        this.config = config;
        this.context = context;
    }

    /**
     * Reads the pool's certificate, key and CA files.
     *
     * @throws IllegalStateException naming the pool and key when they cannot make a context
     */
    public static ServerTls load(String pool, TlsConfig.Listener config) {
        try {
            return new ServerTls(pool, config, TlsContexts.server(config));
        } catch (TlsSetupException e) {
            throw new IllegalStateException("pool '" + pool + "': key 'tls." + e.key() + "': " + e.getMessage(), e);
        }
    }

    /** A handler for a newly accepted client: the first in its pipeline. */
    public SslHandler newHandler(ByteBufAllocator alloc) {
        SslHandler handler = context.newHandler(alloc);
        handler.setHandshakeTimeoutMillis(config.handshakeTimeoutMillis());
        return handler;
    }

    /** Goes right behind {@link #newHandler}: closes a client whose handshake fails, logging it sparingly. */
    public HandshakeGuard newGuard() {
        return new HandshakeGuard(failures);
    }

    /** Client handshakes that failed since start. */
    public long handshakeFailures() {
        return failures.count();
    }

    @Override
    public void reload() throws TlsSetupException {
        reload(config);
    }

    /**
     * Takes a changed {@code tls} block (files, CA, client_auth, protocols, ciphers, engine,
     * handshake_timeout) for new clients; on failure the old one stays. Its {@code listen} is not
     * rebound here: the caller compares it.
     */
    public void reload(TlsConfig.Listener next) throws TlsSetupException {
        SslContext built = TlsContexts.server(next);
        config = next;
        context = built;
    }

    public TlsConfig.Listener config() {
        return config;
    }

    /** "openssl" or "jdk". */
    public String engine() {
        return TlsContexts.engineName(context);
    }

    @Override
    public String describe() {
        return "pool '" + pool + "' tls";
    }
}
