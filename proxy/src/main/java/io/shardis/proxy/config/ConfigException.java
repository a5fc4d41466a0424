package io.shardis.proxy.config;

/** A configuration Shardis refuses; the message names the file, the pool, the key and what was expected. */
public final class ConfigException extends Exception {

    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
