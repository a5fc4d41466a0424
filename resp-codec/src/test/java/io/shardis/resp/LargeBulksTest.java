package io.shardis.resp;

import static io.shardis.resp.Wire.bytes;
import static io.shardis.resp.Wire.concat;
import static io.shardis.resp.Wire.feed;
import static io.shardis.resp.Wire.readable;
import static io.shardis.resp.Wire.releaseAll;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A large value is gathered from its reads without being copied (the frame a decoder emits is a
 * slice of the chained read buffers), is byte for byte what was sent, and the frames after it are
 * read as before; small frames stay in one contiguous buffer.
 */
class LargeBulksTest {

    private static final int READ = 64 * 1024;

    private static byte[] value(int size) {
        byte[] value = new byte[size];
        for (int i = 0; i < size; i++) {
            value[i] = (byte) ('a' + i % 26);
        }
        return value;
    }

    private static boolean chained(ByteBuf frame) {
        ByteBuf root = frame;
        while (root.unwrap() != null) {
            root = root.unwrap();
        }
        return root instanceof CompositeByteBuf;
    }

    @Test
    void aLargeSetIsChainedAndTheNextCommandReadsAsBefore() {
        byte[] value = value(1024 * 1024);
        byte[] input = concat(List.of(
                Wire.command("PING"),
                concat(List.of(bytes("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$" + value.length + "\r\n"), value, bytes("\r\n"))),
                Wire.command("GET", "k")));
        RespRequestDecoder decoder = new RespRequestDecoder();
        EmbeddedChannel channel = new EmbeddedChannel(decoder);
        List<Object> messages = feed(channel, input, READ);
        try {
            assertThat(messages).hasSize(3);
            RespCommand set = (RespCommand) messages.get(1);
            assertThat(set.argString(0)).isEqualTo("SET");
            assertThat(Arrays.equals(readable(set.arg(2)), value)).isTrue();
            assertThat(chained(set.content()))
                    .as("the 1 MiB command's frame is the chain of its reads")
                    .isTrue();
            RespCommand get = (RespCommand) messages.get(2);
            assertThat(get.argString(1)).isEqualTo("k");
            assertThat(chained(((RespCommand) messages.get(0)).content())).isFalse();
        } finally {
            releaseAll(messages);
            channel.finishAndReleaseAll();
        }
    }

    @Test
    void valuesUnderTheThresholdStayContiguous() {
        byte[] value = value(LargeBulks.THRESHOLD / 2);
        byte[] input =
                concat(List.of(bytes("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$" + value.length + "\r\n"), value, bytes("\r\n")));
        EmbeddedChannel channel = new EmbeddedChannel(new RespRequestDecoder());
        List<Object> messages = feed(channel, input, 4096);
        try {
            RespCommand set = (RespCommand) messages.get(0);
            assertThat(Arrays.equals(readable(set.arg(2)), value)).isTrue();
            assertThat(chained(set.content())).isFalse();
        } finally {
            releaseAll(messages);
            channel.finishAndReleaseAll();
        }
    }

    @Test
    void aLargeReplyIsChainedWhileAnEarlierReplyIsStillHeld() {
        byte[] value = value(1024 * 1024 + 17);
        byte[] bulk = concat(List.of(bytes("$" + value.length + "\r\n"), value, bytes("\r\n")));
        EmbeddedChannel channel = new EmbeddedChannel(new RespReplyDecoder());
        // The first reply stays unreleased, as a reply waiting for its client's turn does.
        List<Object> messages = feed(channel, concat(List.of(bytes("+OK\r\n"), bulk, bytes(":1\r\n"))), READ);
        try {
            assertThat(messages).hasSize(3);
            assertThat(readable((ByteBuf) messages.get(0))).isEqualTo(bytes("+OK\r\n"));
            assertThat(Arrays.equals(readable((ByteBuf) messages.get(1)), bulk)).isTrue();
            assertThat(chained((ByteBuf) messages.get(1))).isTrue();
            assertThat(readable((ByteBuf) messages.get(2))).isEqualTo(bytes(":1\r\n"));
        } finally {
            releaseAll(messages);
            channel.finishAndReleaseAll();
        }
    }

    @Test
    void aLargeBulkInsideAnArrayReplyIsWhole() {
        byte[] value = value(300 * 1024);
        byte[] reply =
                concat(List.of(bytes("*3\r\n$1\r\na\r\n$" + value.length + "\r\n"), value, bytes("\r\n$-1\r\n")));
        EmbeddedChannel channel = new EmbeddedChannel(new RespReplyDecoder());
        List<Object> messages = feed(channel, concat(List.of(reply, reply)), 1000, READ, 7);
        try {
            assertThat(messages).hasSize(2);
            for (Object message : messages) {
                assertThat(Arrays.equals(readable((ByteBuf) message), reply)).isTrue();
            }
        } finally {
            releaseAll(messages);
            channel.finishAndReleaseAll();
        }
    }
}
