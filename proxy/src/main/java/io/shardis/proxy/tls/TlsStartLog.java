package io.shardis.proxy.tls;

import io.netty.channel.Channel;
import io.shardis.proxy.config.PoolConfig;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One start-up line per pool that speaks TLS: where, which engine, which checks. Never a password. */
public final class TlsStartLog {

    private static final Logger log = LoggerFactory.getLogger(TlsStartLog.class);

    private TlsStartLog() {}

    /** {@code beside}: the TLS listener's address beside the plain one, or null. */
    public static void log(
            PoolConfig pool, ServerTls listener, Channel plain, java.net.SocketAddress beside, BackendTls backend) {
        if (listener != null) {
            Object where = beside != null ? beside : plain.localAddress();
            log.info(
                    "pool '{}': TLS clients on {} ({} engine, {}, client certificates {})",
                    pool.name(),
                    where,
                    listener.engine(),
                    listener.config().protocols(),
                    listener.config().clientAuth().name().toLowerCase(Locale.ROOT));
        }
        if (backend != null) {
            String checks = backend.config().insecure()
                    ? "INSECURE: no certificate checked"
                    : backend.config().verifyHostname()
                            ? "certificates and host names checked"
                            : "certificates checked, host names not";
            log.info("pool '{}': TLS towards its servers ({} engine, {})", pool.name(), backend.engine(), checks);
            if (backend.config().insecure()) {
                log.warn(
                        "pool '{}': backend_tls.insecure is set: anyone on the path can impersonate the servers",
                        pool.name());
            }
        }
        if (pool.tls().sentinel() != null && pool.tls().sentinel().insecure()) {
            log.warn(
                    "pool '{}': sentinel_tls.insecure is set: anyone on the path can impersonate the Sentinels",
                    pool.name());
        }
    }
}
