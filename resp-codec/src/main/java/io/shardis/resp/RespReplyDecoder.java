package io.shardis.resp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.DecoderException;
import java.util.List;

/**
 * Emits each complete reply a server sends as one {@link ByteBuf}: a retained slice of the read
 * buffer, bytes untouched; a read that is exactly one reply (a client's lone command answered) is
 * handed on itself, without a slice. The receiver owns each emitted buffer and must release it.
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

    /**
     * A read that is exactly one reply, with nothing gathered before it, goes on as it is: its
     * buffer becomes the reply (no slice to allocate). Any other read is framed as usual; one that
     * holds more than a reply is framed again from its start.
     */
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (msg instanceof ByteBuf read
                && read.isReadable()
                && framer.idle()
                && !internalBuffer().isReadable()) {
            int length;
            try {
                length = framer.frame(read);
            } catch (RespProtocolException e) {
                read.release();
                throw new DecoderException(e);
            }
            if (length == read.readableBytes()) {
                ctx.fireChannelRead(read);
                return;
            }
            // Incomplete: the framer resumes where it stopped. More than one reply: it starts again.
        }
        super.channelRead(ctx, msg);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        int length;
        while (in.isReadable() && (length = framer.frame(in)) >= 0) {
            out.add(in.readRetainedSlice(length));
        }
        largeBulks.awaiting(in.isReadable() ? framer.awaitedBulkBytes(in) : 0);
    }
}
