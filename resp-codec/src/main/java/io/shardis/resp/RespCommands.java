package io.shardis.resp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Builds {@link RespCommand}s from arguments: for inline requests and commands the proxy sends itself. */
public final class RespCommands {

    private RespCommands() {}

    /** Encodes {@code args} as a RESP array; the returned command owns a new buffer from {@code alloc}. */
    public static RespCommand encode(ByteBufAllocator alloc, List<byte[]> args) {
        int size = headerLength(args.size());
        for (byte[] arg : args) {
            size += headerLength(arg.length) + arg.length + 2;
        }
        ByteBuf frame = alloc.buffer(size);
        int[] spans = new int[args.size() * 2];
        RespReplies.writeHeader(frame, '*', args.size());
        for (int i = 0; i < args.size(); i++) {
            byte[] arg = args.get(i);
            RespReplies.writeHeader(frame, '$', arg.length);
            spans[2 * i] = frame.writerIndex();
            spans[2 * i + 1] = arg.length;
            frame.writeBytes(arg).writeShort(RespReplies.CRLF_SHORT);
        }
        return new RespCommand(frame, args.size(), spans);
    }

    /** Encodes ASCII/UTF-8 string arguments; a convenience for commands the proxy writes. */
    public static RespCommand encode(ByteBufAllocator alloc, String... args) {
        byte[][] bytes = new byte[args.length][];
        for (int i = 0; i < args.length; i++) {
            bytes[i] = args[i].getBytes(StandardCharsets.UTF_8);
        }
        return encode(alloc, List.of(bytes));
    }

    /**
     * Reads a command back from a frame this codec produced (an array of bulk strings), for slow
     * paths that kept only the frame. The command is a view: it shares {@code frame} without
     * retaining it, is valid while the frame is, and must not be released. Null when the frame is
     * not such an array.
     */
    public static RespCommand view(ByteBuf frame) {
        int base = frame.readerIndex();
        int end = frame.writerIndex();
        int[] count = new int[1];
        int at = readHeader(frame, base, end, '*', count);
        if (at < 0 || count[0] < 1) {
            return null;
        }
        int[] spans = new int[count[0] * 2];
        int[] length = new int[1];
        for (int i = 0; i < count[0]; i++) {
            at = readHeader(frame, at, end, '$', length);
            if (at < 0 || at + length[0] + 2 > end) {
                return null;
            }
            spans[2 * i] = at - base;
            spans[2 * i + 1] = length[0];
            at += length[0] + 2;
        }
        return new RespCommand(frame.duplicate(), count[0], spans);
    }

    /** Reads {@code <type><digits>\r\n} at {@code at} into {@code value[0]}; the index after it, or -1. */
    private static int readHeader(ByteBuf frame, int at, int end, char type, int[] value) {
        if (at >= end || frame.getByte(at) != type) {
            return -1;
        }
        long number = 0;
        int digit = at + 1;
        while (digit < end && frame.getByte(digit) != '\r') {
            byte b = frame.getByte(digit);
            if (b < '0' || b > '9' || number > Integer.MAX_VALUE / 10) {
                return -1;
            }
            number = number * 10 + (b - '0');
            digit++;
        }
        if (digit == at + 1 || digit + 1 >= end || frame.getByte(digit + 1) != '\n') {
            return -1;
        }
        value[0] = (int) number;
        return digit + 2;
    }

    private static int headerLength(long value) {
        return 1 + Long.toString(value).length() + 2;
    }
}
