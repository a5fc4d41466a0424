package io.shardis.proxy.tls;

import io.lettuce.core.SslOptions;
import io.lettuce.core.SslVerifyMode;
import io.shardis.proxy.config.TlsConfig;

/**
 * The same TLS settings for the Lettuce clients of the control plane: the Sentinel watcher and the
 * cluster slot map reader. Lettuce reads the PEM files at each connection, so a rotated certificate
 * is used from the next (re)connection on.
 */
public final class LettuceTls {

    private LettuceTls() {}

    public static SslOptions options(TlsConfig.Peer tls) throws TlsSetupException {
        SslOptions.Builder builder =
                SslOptions.builder().protocols(tls.protocols().toArray(String[]::new));
        if (TlsContexts.provider(tls.engine()) == io.netty.handler.ssl.SslProvider.OPENSSL) {
            builder.openSslProvider();
        } else {
            builder.jdkSslProvider();
        }
        if (!tls.ciphers().isEmpty()) {
            builder.cipherSuites(tls.ciphers().toArray(String[]::new));
        }
        if (tls.caFile() != null && !tls.insecure()) {
            builder.trustManager(tls.caFile().toFile());
        }
        if (tls.certFile() != null) {
            builder.keyManager(
                    tls.certFile().toFile(),
                    tls.keyFile().toFile(),
                    tls.keyPassword() == null ? null : tls.keyPassword().toCharArray());
        }
        return builder.build();
    }

    /** FULL (chain and host name), CA (chain only, {@code verify_hostname: false}) or NONE ({@code insecure}). */
    public static SslVerifyMode verifyMode(TlsConfig.Peer tls) {
        if (tls.insecure()) {
            return SslVerifyMode.NONE;
        }
        return tls.verifyHostname() ? SslVerifyMode.FULL : SslVerifyMode.CA;
    }
}
