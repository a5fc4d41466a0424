package io.shardis.proxy.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.shardis.resp.RespProtocol;
import io.shardis.resp.RespValue;
import io.shardis.resp.RespValueWriter;

/**
 * Writes the replies Shardis composes itself (COMMAND, CLIENT LIST...) from {@link RespValue}s, in
 * the protocol of the client: the one place that knows how a structured reply is spelled on the
 * wire. Replies are built with the types Redis uses in RESP3 (a map for COMMAND INFO's key specs,
 * a verbatim string for CLIENT LIST); for a RESP2 client they become what Redis sends a RESP2
 * client for the same reply (maps flattened to arrays, sets to arrays, verbatim strings to bulks,
 * nulls to the null bulk), see {@link RespValueWriter#write(RespValue, ByteBuf, RespProtocol)}.
 */
final class LocalReplies {

    private LocalReplies() {}

    /** {@code value} encoded for a client speaking {@code protocol}; the caller owns the buffer. */
    static ByteBuf encode(ByteBufAllocator alloc, RespValue value, RespProtocol protocol) {
        ByteBuf out = alloc.buffer(64);
        RespValueWriter.write(value, out, protocol);
        return out;
    }
}
