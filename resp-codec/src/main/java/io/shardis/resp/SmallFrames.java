package io.shardis.resp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * How a decoder takes a complete frame out of the bytes it gathered: a small one is copied into a
 * buffer of its own from the channel's allocator, whose buffers are pooled (a slice is a new object
 * each time with Netty's adaptive allocator, and pins the whole read buffer); a large one is a
 * retained slice, never copied.
 */
final class SmallFrames {

    /** Frames up to this size are copied. */
    static final int COPY_LIMIT = 512;

    private SmallFrames() {}

    /** The next {@code length} bytes of {@code in} as a frame the caller owns; {@code in} is read past them. */
    static ByteBuf take(ByteBufAllocator alloc, ByteBuf in, int length) {
        if (length > COPY_LIMIT) {
            return in.readRetainedSlice(length);
        }
        ByteBuf frame = alloc.directBuffer(length, length);
        in.getBytes(in.readerIndex(), frame, 0, length);
        frame.writerIndex(length);
        in.skipBytes(length);
        return frame;
    }
}
