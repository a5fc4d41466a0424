package io.shardis.resp;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Whatever {@link RespValueWriter} writes, {@link RespValueReader} reads back as the same value,
 * and {@link RespReplyFramer} / {@link RespReplyDecoder} frame as exactly one reply.
 */
class RespValueRoundTripTest {

    @Provide
    Arbitrary<RespValue> values() {
        return RespValues.values(4);
    }

    @Property(tries = 1000)
    void writeThenReadGivesTheSameValue(@ForAll("values") RespValue value) {
        ByteBuf buf = Unpooled.buffer();
        try {
            RespValueWriter.write(value, buf);
            int written = buf.readableBytes();

            RespValue read = new RespValueReader().read(buf);

            assertThat(read).isEqualTo(value);
            assertThat(read.hashCode()).isEqualTo(value.hashCode());
            assertThat(buf.readerIndex()).isEqualTo(written);
        } finally {
            buf.release();
        }
    }

    @Property(tries = 300)
    void everyProperPrefixIsIncompleteAndLeavesTheReaderIndexAlone(@ForAll("values") RespValue value) {
        byte[] bytes = Wire.encode(value);
        RespValueReader reader = new RespValueReader();
        for (int length = 0; length < bytes.length; length++) {
            ByteBuf prefix = Unpooled.wrappedBuffer(bytes, 0, length);
            try {
                assertThat(reader.read(prefix))
                        .as("prefix of %d/%d bytes", length, bytes.length)
                        .isNull();
                assertThat(prefix.readerIndex()).isZero();
            } finally {
                prefix.release();
            }
        }
    }

    @Property(tries = 1000)
    void framerFindsExactlyTheWrittenReply(@ForAll("values") RespValue value) {
        byte[] bytes = Wire.encode(value);
        ByteBuf buf = Unpooled.wrappedBuffer(bytes, new byte[] {'+', 'X'});
        try {
            assertThat(new RespReplyFramer(RespLimits.DEFAULT).frame(buf)).isEqualTo(bytes.length);
            assertThat(buf.readerIndex()).isZero();
        } finally {
            buf.release();
        }
    }

    @Property(tries = 300)
    void framerNeedsMoreBytesForEveryProperPrefix(@ForAll("values") RespValue value) {
        byte[] bytes = Wire.encode(value);
        for (int length = 0; length < bytes.length; length++) {
            ByteBuf prefix = Unpooled.wrappedBuffer(bytes, 0, length);
            try {
                assertThat(new RespReplyFramer(RespLimits.DEFAULT).frame(prefix))
                        .as("prefix of %d/%d bytes", length, bytes.length)
                        .isEqualTo(-1);
            } finally {
                prefix.release();
            }
        }
    }

    @Property(tries = 500)
    void decoderEmitsEachReplyOfAStreamWhateverTheReadSizes(
            @ForAll @Size(min = 1, max = 6) List<@net.jqwik.api.From("values") RespValue> replies,
            @ForAll @Size(min = 1, max = 5) List<@IntRange(min = 1, max = 50) Integer> chunkSizes) {
        List<byte[]> encoded = new ArrayList<>();
        replies.forEach(reply -> encoded.add(Wire.encode(reply)));
        EmbeddedChannel channel = new EmbeddedChannel(new RespReplyDecoder());
        List<Object> messages = Wire.feed(
                channel,
                Wire.concat(encoded),
                chunkSizes.stream().mapToInt(Integer::intValue).toArray());
        try {
            assertThat(messages).hasSameSizeAs(encoded);
            RespValueReader reader = new RespValueReader();
            for (int i = 0; i < encoded.size(); i++) {
                ByteBuf reply = (ByteBuf) messages.get(i);
                assertThat(Wire.readable(reply)).as("reply %d", i).isEqualTo(encoded.get(i));
                assertThat(reader.decode(reply)).isEqualTo(replies.get(i));
            }
        } finally {
            Wire.releaseAll(messages);
            channel.finishAndReleaseAll();
        }
    }

    @Property(tries = 300)
    void readerReadsBackToBackRepliesOneAtATime(
            @ForAll @Size(min = 1, max = 6) List<@net.jqwik.api.From("values") RespValue> replies) {
        List<byte[]> encoded = new ArrayList<>();
        replies.forEach(reply -> encoded.add(Wire.encode(reply)));
        ByteBuf buf = Unpooled.wrappedBuffer(Wire.concat(encoded));
        try {
            RespValueReader reader = new RespValueReader();
            List<RespValue> read = new ArrayList<>();
            RespValue value;
            while ((value = reader.read(buf)) != null) {
                read.add(value);
            }
            assertThat(read).isEqualTo(replies);
            assertThat(buf.isReadable()).isFalse();
        } finally {
            buf.release();
        }
    }
}
