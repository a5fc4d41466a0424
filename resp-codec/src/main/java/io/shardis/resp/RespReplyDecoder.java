package io.shardis.resp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Emits each complete reply a server sends as one {@link ByteBuf}: a retained slice of the read
 * buffer, bytes untouched. The receiver owns each emitted buffer and must release it.
 * Malformed replies raise {@link RespProtocolException} (wrapped by Netty in a DecoderException).
 */
public final class RespReplyDecoder extends ByteToMessageDecoder {

    private final RespReplyFramer framer;

    public RespReplyDecoder(RespLimits limits) {
        this.framer = new RespReplyFramer(limits);
    }

    public RespReplyDecoder() {
        this(RespLimits.DEFAULT);
    }

    private final LargeBulks largeBulks = new LargeBulks(this);

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        int length;
        while (in.isReadable() && (length = framer.frame(in)) >= 0) {
            out.add(in.readRetainedSlice(length));
        }
        largeBulks.awaiting(in.isReadable() ? framer.awaitedBulkBytes(in) : 0);
    }
}
