package io.shardis.proxy.tls;

/**
 * TLS material that can be read again from its files: the new context serves new connections,
 * connections already open keep the one they started with.
 */
public interface Reloadable {

    /** Reads the files again and swaps the context in; on failure the old one stays in use. */
    void reload() throws TlsSetupException;

    /** "pool 'alpha' tls", for logs. */
    String describe();
}
