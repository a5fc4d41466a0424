package io.shardis.proxy.tls;

/** A TLS block whose files or settings cannot make a context; names the key at fault, not its secret. */
public final class TlsSetupException extends Exception {

    private final String key;

    public TlsSetupException(String key, String message) {
        super(message);
        this.key = key;
    }

    /** The key of the block at fault ({@code cert_file}, {@code ca_file}, {@code engine}...). */
    public String key() {
        return key;
    }
}
