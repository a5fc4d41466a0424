package io.shardis.proxy.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * A pool's TLS: towards its clients ({@code tls:}), its servers or cluster nodes
 * ({@code backend_tls:}) and its Sentinels ({@code sentinel_tls:}). Each part is null when that
 * side speaks plain TCP. Holds file paths, never key material; {@link #toString} never shows a
 * key password.
 */
public record TlsConfig(Listener listener, Peer backend, Peer sentinel) {

    /** Plain TCP on every side. */
    public static final TlsConfig NONE = new TlsConfig(null, null, null);

    /** TLS 1.2 and 1.3: what Redis 7 accepts by default, and nothing older. */
    public static final List<String> DEFAULT_PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    /** Which TLS implementation: OpenSSL (BoringSSL, shipped) when it loads, else the JDK's. */
    public enum Engine {
        AUTO,
        OPENSSL,
        JDK;

        public String configName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Whether clients must present a certificate signed by {@code ca_file}. */
    public enum ClientAuth {
        NONE,
        OPTIONAL,
        REQUIRED
    }

    /**
     * The listener's side ({@code tls:}).
     *
     * @param listen            a second address that speaks TLS beside the plain {@code listen}, as
     *                          Redis' {@code tls-port} beside {@code port}; null when {@code listen}
     *                          itself speaks TLS
     * @param ciphers           cipher suites; empty for the engine's secure defaults
     * @param handshakeTimeoutMillis how long a client may take to complete its handshake
     */
    public record Listener(
            Path certFile,
            Path keyFile,
            String keyPassword,
            Path caFile,
            ClientAuth clientAuth,
            List<String> protocols,
            List<String> ciphers,
            Engine engine,
            HostPort listen,
            int handshakeTimeoutMillis) {
        public Listener {
            protocols = List.copyOf(protocols);
            ciphers = List.copyOf(ciphers);
        }

        @Override
        public String toString() {
            return "tls[cert_file=" + certFile + ", key_file=" + keyFile
                    + (keyPassword == null ? "" : ", key_password=***")
                    + ", ca_file=" + caFile + ", client_auth=" + clientAuth + ", protocols=" + protocols
                    + ", engine=" + engine.configName() + (listen == null ? "" : ", listen=" + listen) + "]";
        }
    }

    /**
     * Shardis as a TLS client ({@code backend_tls:}, {@code sentinel_tls:}).
     *
     * @param caFile         the CAs that sign the peers' certificates; null for the JDK's trust store
     * @param certFile       Shardis' client certificate chain, for peers that require one; may be null
     * @param verifyHostname check that the peer's certificate names the host connected to (or
     *                       {@code serverName}); on unless turned off
     * @param serverName     the name sent in SNI and checked in the certificate instead of the host
     *                       connected to; null to use that host
     * @param insecure       accept any certificate (no chain, no name check): only when asked
     */
    public record Peer(
            Path caFile,
            Path certFile,
            Path keyFile,
            String keyPassword,
            boolean verifyHostname,
            String serverName,
            boolean insecure,
            List<String> protocols,
            List<String> ciphers,
            Engine engine) {
        public Peer {
            protocols = List.copyOf(protocols);
            ciphers = List.copyOf(ciphers);
        }

        @Override
        public String toString() {
            return "tls[ca_file=" + caFile + ", cert_file=" + certFile + ", key_file=" + keyFile
                    + (keyPassword == null ? "" : ", key_password=***") + ", verify_hostname=" + verifyHostname
                    + (serverName == null ? "" : ", server_name=" + serverName) + (insecure ? ", insecure" : "")
                    + ", protocols=" + protocols + ", engine=" + engine.configName() + "]";
        }
    }
}
