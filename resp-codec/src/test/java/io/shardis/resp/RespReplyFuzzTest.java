package io.shardis.resp;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Coverage-guided fuzzing of what backends send. Replies as a real Redis could send them (RESP2
 * and RESP3, nested, attributes, pushes), split anywhere, are framed exactly and read back as they
 * were, and every buffer is released. {@link RespReplyBytesFuzzTest} feeds it any bytes.
 */
class RespReplyFuzzTest {

    @FuzzTest(maxDuration = "10s")
    void realRepliesAreFramedAndReadBackWhateverTheSplit(FuzzedDataProvider data) {
        int[] chunks = FuzzedResp.chunks(data);
        List<RespValue> replies = FuzzedResp.replies(data, data.consumeInt(1, 4), 4);
        List<byte[]> encoded = new ArrayList<>();
        for (RespValue reply : replies) {
            encoded.add(Wire.encode(reply));
        }
        Framed framed = frame(RespLimits.DEFAULT, Wire.concat(encoded), chunks, true);
        assertThat(framed.error).as("replies %s", replies).isNull();
        assertThat(framed.frames).hasSameSizeAs(encoded);
        RespValueReader reader = new RespValueReader();
        for (int i = 0; i < encoded.size(); i++) {
            assertThat(framed.frames.get(i)).isEqualTo(encoded.get(i));
            ByteBuf frame = Unpooled.wrappedBuffer(framed.frames.get(i));
            assertThat(reader.decode(frame)).isEqualTo(replies.get(i));
        }
    }

    record Framed(List<byte[]> frames, RespProtocolException error) {}

    /**
     * Frames {@code input} arriving in reads of the sizes {@code chunks} cycles through, each read a
     * direct buffer (scanned through its address, as the event loops' reads are) or a heap one.
     */
    static Framed frame(RespLimits limits, byte[] input, int[] chunks, boolean direct) {
        EmbeddedChannel channel = new EmbeddedChannel(new RespReplyDecoder(limits));
        List<ByteBuf> written = new ArrayList<>();
        List<byte[]> frames = new ArrayList<>();
        RespProtocolException error = null;
        try {
            int at = 0;
            int chunk = 0;
            while (at < input.length && error == null) {
                int size = Math.min(chunks[chunk++ % chunks.length], input.length - at);
                ByteBuf piece = direct
                        ? Unpooled.directBuffer(size).writeBytes(input, at, size)
                        : Unpooled.wrappedBuffer(Arrays.copyOfRange(input, at, at + size));
                written.add(piece);
                at += size;
                try {
                    channel.writeInbound(piece);
                } catch (DecoderException e) {
                    assertThat(e.getCause())
                            .as("the only failure is a protocol error")
                            .isInstanceOf(RespProtocolException.class);
                    error = (RespProtocolException) e.getCause();
                }
                Object message;
                while ((message = channel.readInbound()) != null) {
                    ByteBuf frame = (ByteBuf) message;
                    frames.add(Wire.readable(frame));
                    frame.release();
                }
            }
        } finally {
            try {
                channel.finishAndReleaseAll();
            } catch (DecoderException e) {
                // Closing runs the framer over what is left, which may be the same bad bytes.
                assertThat(e.getCause())
                        .as("the only failure is a protocol error")
                        .isInstanceOf(RespProtocolException.class);
            }
        }
        for (ByteBuf piece : written) {
            assertThat(piece.refCnt())
                    .as("every buffer read from the backend is released")
                    .isZero();
        }
        return new Framed(frames, error);
    }
}
