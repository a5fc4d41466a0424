package io.shardis.resp;

/**
 * What {@link RespRequestDecoder} emits when a client breaks the protocol. The message is Redis'
 * own wording without the "ERR " prefix (e.g. {@code Protocol error: invalid bulk length}); the
 * receiver answers {@code -ERR <message>} and closes the connection, as Redis does.
 */
public record RespProtocolError(String message) {}
