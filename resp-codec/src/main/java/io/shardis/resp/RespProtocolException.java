package io.shardis.resp;

/** Bytes that are not RESP. On a backend connection this ends the connection: it cannot be resynchronised. */
public final class RespProtocolException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public RespProtocolException(String message) {
        super(message);
    }
}
