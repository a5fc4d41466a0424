package io.shardis.resp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.nio.charset.StandardCharsets;
import java.util.List;

/** Builds {@link RespCommand}s from arguments: for inline requests and commands the proxy sends itself. */
public final class RespCommands {

    private RespCommands() {
    }

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

    private static int headerLength(long value) {
        return 1 + Long.toString(value).length() + 2;
    }
}
