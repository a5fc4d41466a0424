package io.shardis.resp;

import io.netty.buffer.ByteBuf;

/**
 * The protocol a connection speaks, as {@code HELLO} sets it: RESP2 (every connection's until it
 * says otherwise) or RESP3. It decides how a reply is spelled, never what it says: Redis writes the
 * same reply to a RESP2 client with RESP2's types (a map as a flat array, a double as a bulk
 * string...), see {@link RespValueWriter#write(RespValue, ByteBuf, RespProtocol)}.
 */
public enum RespProtocol {
    RESP2(2),
    RESP3(3);

    private final int version;

    RespProtocol(int version) {
        this.version = version;
    }

    /** The number HELLO takes and reports as {@code proto}. */
    public int version() {
        return version;
    }

    /** The protocol of HELLO's {@code protover}; null for a version Redis does not speak. */
    public static RespProtocol of(long version) {
        return version == 2 ? RESP2 : version == 3 ? RESP3 : null;
    }
}
