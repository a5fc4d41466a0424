package io.shardis.benchmarks;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** The bytes the benchmarks feed: built once, read many times. */
final class PipelinedSets {

    static final int COUNT = 1000;

    private PipelinedSets() {}

    /** {@value #COUNT} pipelined {@code SET key:NNN <64-byte value>} commands as clients send them. */
    static ByteBuf commands() {
        byte[] value = new byte[64];
        Arrays.fill(value, (byte) 'v');
        ByteBuf buf = Unpooled.directBuffer();
        for (int i = 0; i < COUNT; i++) {
            String key = String.format("key:%03d", i);
            ascii(buf, "*3\r\n$3\r\nSET\r\n$" + key.length() + "\r\n" + key + "\r\n$64\r\n");
            buf.writeBytes(value);
            ascii(buf, "\r\n");
        }
        return buf;
    }

    /** {@value #COUNT} pipelined replies, alternately {@code +OK} and a 64-byte bulk. */
    static ByteBuf replies() {
        byte[] value = new byte[64];
        Arrays.fill(value, (byte) 'v');
        ByteBuf buf = Unpooled.directBuffer();
        for (int i = 0; i < COUNT; i++) {
            if (i % 2 == 0) {
                ascii(buf, "+OK\r\n");
            } else {
                ascii(buf, "$64\r\n");
                buf.writeBytes(value);
                ascii(buf, "\r\n");
            }
        }
        return buf;
    }

    private static void ascii(ByteBuf buf, String text) {
        buf.writeCharSequence(text, StandardCharsets.US_ASCII);
    }
}
