package io.shardis.proxy.tls;

/** Words for a failed TLS handshake, for logs and error replies: what the engine objected to. */
public final class TlsFailures {

    private TlsFailures() {}

    public static String describe(Throwable cause) {
        return TlsContexts.rootMessage(cause);
    }
}
