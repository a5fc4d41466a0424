package io.shardis.proxy.merge;

import io.netty.buffer.ByteBuf;
import io.netty.util.internal.PlatformDependent;
import io.shardis.resp.RespReplies;

/**
 * Byte copies and headers for building frames out of parts of other frames (a split command's
 * sub-commands, a merged reply), without the per-call garbage of {@code writeBytes(ByteBuf, ...)}:
 * Netty copies from a derived buffer (a slice of a read buffer) through a new {@code
 * java.nio.ByteBuffer} view each time, which for one MGET of 100 keys is some 200 short-lived
 * objects.
 */
public final class FrameBytes {

    private FrameBytes() {}

    /**
     * Appends {@code length} bytes of {@code src} from {@code index} to {@code out}, moving neither
     * reader index: a memory copy when both buffers live at a native address, else Netty's copy.
     */
    public static void copy(ByteBuf src, int index, int length, ByteBuf out) {
        if (length <= 0) {
            return;
        }
        if (index < 0 || index > src.capacity() - length) {
            throw new IndexOutOfBoundsException(
                    "index " + index + ", length " + length + " outside a buffer of " + src.capacity() + " bytes");
        }
        out.ensureWritable(length);
        // Unsafe's copy only where Netty has Unsafe: on Java 24+ it runs without, buffers keep addresses.
        if (PlatformDependent.hasUnsafe() && src.hasMemoryAddress() && out.hasMemoryAddress()) {
            int at = out.writerIndex();
            PlatformDependent.copyMemory(src.memoryAddress() + index, out.memoryAddress() + at, length);
            out.writerIndex(at + length);
        } else {
            out.writeBytes(src, index, length);
        }
    }

    /** Writes {@code <type><count>\r\n}, e.g. {@code *100\r\n}, without making a string of the number. */
    public static void writeHeader(ByteBuf out, char type, long count) {
        RespReplies.writeHeader(out, type, count);
    }
}
