package io.shardis.proxy.channel;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelOutboundInvoker;

/**
 * Gathers small buffers bound for one channel into one, so that a pipeline of a thousand short
 * replies (or commands) costs one outbound entry and one iovec instead of a thousand. Large buffers
 * are passed on as they are: copying them would cost more than it saves. A buffer written alone
 * between two flushes (an unpipelined client's reply or command) is passed on as it is too: it
 * is copied only once a second one follows it.
 *
 * <p>Ownership: {@link #write} takes the buffer; the coalesced buffer is owned here until handed
 * to the channel.
 */
public final class WriteCoalescer {

    private static final int COPY_LIMIT = 2048;
    private static final int BATCH_LIMIT = 64 * 1024;

    private final ByteBufAllocator alloc;
    private ByteBuf batch;
    /** The first small buffer since the last hand-over, kept as it is until a second one comes. */
    private ByteBuf single;

    public WriteCoalescer(ByteBufAllocator alloc) {
        this.alloc = alloc;
    }

    /** Queues {@code buf} (ownership passes) for the next flush of {@code channel}. */
    public void write(ChannelOutboundInvoker channel, ByteBuf buf) {
        int length = buf.readableBytes();
        if (length == 0) {
            buf.release();
            return;
        }
        if (length > COPY_LIMIT) {
            handOver(channel);
            channel.write(buf, channel.voidPromise());
            return;
        }
        if (batch == null) {
            if (single == null) {
                single = buf;
                return;
            }
            try {
                batch = alloc.directBuffer(Math.max(single.readableBytes() + length, 4096));
            } catch (RuntimeException | OutOfMemoryError e) {
                // Direct memory exhausted: the buffer handed over is not leaked on the way out.
                buf.release();
                throw e;
            }
            ByteBuf first = single;
            single = null;
            append(first);
        }
        append(buf);
        if (batch.readableBytes() >= BATCH_LIMIT) {
            handOver(channel);
        }
    }

    /**
     * Copies {@code buf} (released) to the end of the batch, read from {@code buf}'s side: Netty's
     * adaptive buffers copy from a slice or a wrapper through a new NIO view of it when written to,
     * and from memory address to memory address when read from.
     */
    private void append(ByteBuf buf) {
        int length = buf.readableBytes();
        batch.ensureWritable(length);
        int at = batch.writerIndex();
        buf.getBytes(buf.readerIndex(), batch, at, length);
        batch.writerIndex(at + length);
        buf.release();
    }

    /** Writes what was gathered and flushes the channel. */
    public void flush(ChannelOutboundInvoker channel) {
        handOver(channel);
        channel.flush();
    }

    /** Passes what was gathered to the channel without flushing. */
    public void handOver(ChannelOutboundInvoker channel) {
        if (single != null) {
            ByteBuf alone = single;
            single = null;
            channel.write(alone, channel.voidPromise());
        }
        if (batch != null) {
            ByteBuf ready = batch;
            batch = null;
            channel.write(ready, channel.voidPromise());
        }
    }

    /** Releases what was gathered; the channel is gone. */
    public void discard() {
        if (single != null) {
            single.release();
            single = null;
        }
        if (batch != null) {
            batch.release();
            batch = null;
        }
    }
}
