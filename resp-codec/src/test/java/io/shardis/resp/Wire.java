package io.shardis.resp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Test-side RESP bytes and channel plumbing, written independently of the code under test. */
final class Wire {

    private Wire() {}

    /** The bytes of {@code text}, one per char (ISO-8859-1), so "\0" and "\xff" mean single bytes. */
    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    /** A RESP array of bulk strings, as clients send commands. */
    static byte[] command(List<byte[]> args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(bytes("*" + args.size() + "\r\n"));
        for (byte[] arg : args) {
            out.writeBytes(bytes("$" + arg.length + "\r\n"));
            out.writeBytes(arg);
            out.writeBytes(bytes("\r\n"));
        }
        return out.toByteArray();
    }

    static byte[] command(String... args) {
        List<byte[]> list = new ArrayList<>();
        for (String arg : args) {
            list.add(bytes(arg));
        }
        return command(list);
    }

    static byte[] concat(List<byte[]> parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        parts.forEach(out::writeBytes);
        return out.toByteArray();
    }

    static byte[] encode(RespValue value) {
        ByteBuf buf = Unpooled.buffer();
        try {
            RespValueWriter.write(value, buf);
            byte[] bytes = new byte[buf.readableBytes()];
            buf.readBytes(bytes);
            return bytes;
        } finally {
            buf.release();
        }
    }

    static byte[] readable(ByteBuf buf) {
        byte[] bytes = new byte[buf.readableBytes()];
        buf.getBytes(buf.readerIndex(), bytes);
        return bytes;
    }

    /**
     * Writes {@code data} into the channel in pieces of the given sizes (cycled; the last piece
     * takes the rest) and returns every inbound message, in order. The caller releases them.
     */
    static List<Object> feed(EmbeddedChannel channel, byte[] data, int... chunkSizes) {
        List<Object> messages = new ArrayList<>();
        int at = 0;
        int chunk = 0;
        while (at < data.length) {
            int size = chunkSizes.length == 0 ? data.length : Math.max(1, chunkSizes[chunk++ % chunkSizes.length]);
            int length = Math.min(size, data.length - at);
            channel.writeInbound(Unpooled.copiedBuffer(data, at, length));
            at += length;
            drainInto(channel, messages);
        }
        return messages;
    }

    static void drainInto(EmbeddedChannel channel, List<Object> messages) {
        Object message;
        while ((message = channel.readInbound()) != null) {
            messages.add(message);
        }
    }

    static void releaseAll(List<?> messages) {
        messages.forEach(ReferenceCountUtil::release);
    }

    /** Each command's arguments, as byte arrays, in order; errors as "ERROR:<message>". */
    static List<List<String>> describe(List<Object> messages) {
        List<List<String>> described = new ArrayList<>();
        for (Object message : messages) {
            if (message instanceof RespCommand command) {
                List<String> args = new ArrayList<>();
                for (int i = 0; i < command.argCount(); i++) {
                    args.add(text(readable(command.arg(i))));
                }
                described.add(args);
            } else if (message instanceof RespProtocolError error) {
                described.add(List.of("ERROR:" + error.message()));
            } else {
                throw new AssertionError("unexpected message " + message);
            }
        }
        return described;
    }
}
