package io.shardis.proxy.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.shardis.resp.RespValue;
import io.shardis.resp.RespValueWriter;

import java.util.ArrayList;
import java.util.List;

/**
 * Writes the replies Shardis composes itself (COMMAND, CLIENT LIST...) from {@link RespValue}s, in
 * the protocol of the client: the one place that knows how a structured reply is spelled on the
 * wire. Replies are built with the types Redis uses in RESP3 (a map for COMMAND INFO's key specs,
 * a verbatim string for CLIENT LIST); for a RESP2 client they become what Redis sends a RESP2
 * client for the same reply (maps flattened to arrays, sets to arrays, verbatim strings to bulks,
 * nulls to the null bulk).
 */
final class LocalReplies {

    private LocalReplies() {
    }

    /** {@code value} encoded for a RESP2 client; the caller owns the buffer. */
    static ByteBuf encode(ByteBufAllocator alloc, RespValue value) {
        ByteBuf out = alloc.buffer(64);
        RespValueWriter.write(resp2(value), out);
        return out;
    }

    /** The RESP2 form of {@code value}, as Redis writes the same reply to a RESP2 client. */
    static RespValue resp2(RespValue value) {
        if (value instanceof RespValue.Map map) {
            List<RespValue> flat = new ArrayList<>(map.entries().size() * 2);
            for (RespValue.Pair pair : map.entries()) {
                flat.add(resp2(pair.key()));
                flat.add(resp2(pair.value()));
            }
            return new RespValue.Array(flat);
        }
        if (value instanceof RespValue.Set set) {
            return new RespValue.Array(set.elements().stream().map(LocalReplies::resp2).toList());
        }
        if (value instanceof RespValue.Array array && !array.isNull()) {
            return new RespValue.Array(array.elements().stream().map(LocalReplies::resp2).toList());
        }
        if (value instanceof RespValue.VerbatimString verbatim) {
            return new RespValue.BulkString(verbatim.content());
        }
        if (value instanceof RespValue.Null) {
            return RespValue.BulkString.NULL;
        }
        return value;
    }
}
