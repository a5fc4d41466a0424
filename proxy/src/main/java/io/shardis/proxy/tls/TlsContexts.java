package io.shardis.proxy.tls;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.shardis.proxy.config.TlsConfig;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds Netty {@link SslContext}s from a pool's TLS blocks: the OpenSSL engine (BoringSSL, shipped
 * in {@code lib/}) where its native library loads, else the JDK's. Every build reads the PEM files
 * afresh, which is what a certificate rotation relies on.
 */
public final class TlsContexts {

    private TlsContexts() {}

    /** The engine {@code engine} stands for here; {@code openssl} without a loadable OpenSSL is an error. */
    static SslProvider provider(TlsConfig.Engine engine) throws TlsSetupException {
        return switch (engine) {
            case JDK -> SslProvider.JDK;
            case OPENSSL -> {
                if (!OpenSsl.isAvailable()) {
                    throw new TlsSetupException(
                            "engine",
                            "engine: openssl, but OpenSSL cannot be loaded here (" + OpenSsl.unavailabilityCause()
                                    + "); use engine: auto or jdk");
                }
                yield SslProvider.OPENSSL;
            }
            case AUTO -> OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
        };
    }

    /** "openssl" or "jdk", for logs. */
    public static String engineName(SslContext context) {
        return context instanceof io.netty.handler.ssl.JdkSslContext ? "jdk" : "openssl";
    }

    /** The context a pool's listener hands each new client. */
    public static SslContext server(TlsConfig.Listener tls) throws TlsSetupException {
        SslContextBuilder builder;
        try {
            builder = SslContextBuilder.forServer(file(tls.certFile()), file(tls.keyFile()), tls.keyPassword());
        } catch (IllegalArgumentException e) {
            throw new TlsSetupException(
                    "cert_file",
                    "cannot use the certificate " + tls.certFile() + " and key " + tls.keyFile() + ": "
                            + rootMessage(e));
        }
        builder.sslProvider(provider(tls.engine()))
                .protocols(tls.protocols())
                .ciphers(tls.ciphers().isEmpty() ? null : tls.ciphers(), SupportedCipherSuiteFilter.INSTANCE)
                .clientAuth(
                        switch (tls.clientAuth()) {
                            case NONE -> ClientAuth.NONE;
                            case OPTIONAL -> ClientAuth.OPTIONAL;
                            case REQUIRED -> ClientAuth.REQUIRE;
                        });
        if (tls.caFile() != null) {
            trust(builder, tls.caFile());
        }
        return build(builder, "cert_file", tls.certFile(), tls.keyFile(), tls.caFile());
    }

    /** The context Shardis connects to servers, cluster nodes (or any TLS peer) with. */
    public static SslContext client(TlsConfig.Peer tls) throws TlsSetupException {
        SslContextBuilder builder = SslContextBuilder.forClient()
                .sslProvider(provider(tls.engine()))
                .protocols(tls.protocols())
                .ciphers(tls.ciphers().isEmpty() ? null : tls.ciphers(), SupportedCipherSuiteFilter.INSTANCE)
                .endpointIdentificationAlgorithm(tls.verifyHostname() ? "HTTPS" : null);
        if (tls.insecure()) {
            builder.trustManager(InsecureTrustManagerFactory.INSTANCE);
        } else if (tls.caFile() != null) {
            trust(builder, tls.caFile());
        }
        if (tls.certFile() != null) {
            try {
                builder.keyManager(file(tls.certFile()), file(tls.keyFile()), tls.keyPassword());
            } catch (IllegalArgumentException e) {
                throw new TlsSetupException(
                        "cert_file",
                        "cannot use the certificate " + tls.certFile() + " and key " + tls.keyFile() + ": "
                                + rootMessage(e));
            }
        }
        return build(
                builder, tls.certFile() != null ? "cert_file" : "ca_file", tls.certFile(), tls.keyFile(), tls.caFile());
    }

    private static SslContext build(SslContextBuilder builder, String key, Path cert, Path privateKey, Path ca)
            throws TlsSetupException {
        SslContext context;
        try {
            context = builder.build();
        } catch (Exception e) {
            List<String> files = new ArrayList<>();
            for (Path path : new Path[] {cert, privateKey, ca}) {
                if (path != null) {
                    files.add(path.toString());
                }
            }
            throw new TlsSetupException(
                    key, "cannot build a TLS context from " + String.join(", ", files) + ": " + rootMessage(e));
        }
        if (context.cipherSuites().isEmpty()) {
            throw new TlsSetupException(
                    "ciphers",
                    "the " + engineName(context) + " engine supports none of the"
                            + " ciphers listed (the JDK engine takes IANA names such as TLS_AES_128_GCM_SHA256)");
        }
        return context;
    }

    private static void trust(SslContextBuilder builder, Path caFile) throws TlsSetupException {
        try {
            builder.trustManager(file(caFile));
        } catch (IllegalArgumentException e) {
            throw new TlsSetupException(
                    "ca_file", "cannot read CA certificates from " + caFile + ": " + rootMessage(e));
        }
    }

    private static File file(Path path) {
        return path.toFile();
    }

    /** The innermost message: what the PEM reader or the engine objected to (never key material). */
    static String rootMessage(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        String message = cause.getMessage();
        return message == null ? cause.getClass().getSimpleName() : message;
    }
}
