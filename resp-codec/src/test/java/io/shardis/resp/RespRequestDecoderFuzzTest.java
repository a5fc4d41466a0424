package io.shardis.resp;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.ReferenceCountUtil;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Coverage-guided fuzzing of what clients send: any bytes, split into any chunks, under small
 * limits. The decoder emits commands and at most one protocol error in Redis' words, then nothing;
 * how the bytes are split changes nothing; every buffer is released; what it buffers stays within
 * the limits however long the input.
 *
 * <p>Runs the checked-in inputs under {@code src/test/resources/.../RespRequestDecoderFuzzTestInputs}
 * in every build; fuzzes for the budget the build sets (see the README, "Fuzzing").
 */
class RespRequestDecoderFuzzTest {

    private static final Field CUMULATION = cumulationField();

    @FuzzTest(maxDuration = "10s")
    // libFuzzer's dictionary syntax: \\xNN for a byte, \\" for a quote, \\\\ for a backslash.
    @DictionaryEntries({
        "*",
        "$",
        "\\x0D\\x0A",
        "*1\\x0D\\x0A",
        "$3\\x0D\\x0A",
        "*-1\\x0D\\x0A",
        "$-1\\x0D\\x0A",
        "\\\"",
        "'",
        "\\\\x",
        " ",
        "\\x0A",
        "*2\\x0D\\x0A$3\\x0D\\x0AGET\\x0D\\x0A"
    })
    void anyBytesInAnyChunksGiveCommandsOrOneProtocolError(FuzzedDataProvider data) {
        RespLimits limits = new RespLimits(
                data.consumeInt(0, 2048),
                data.consumeInt(1, 64),
                data.consumeInt(1, 8),
                data.consumeInt(16, 512),
                data.consumeInt(16, 8192));
        int[] chunks = FuzzedResp.chunks(data);
        byte[] input = data.consumeRemainingAsBytes();

        // Whole in one heap buffer, split into direct ones (read through their address): the same verdict.
        Decoded whole = decode(limits, input, new int[] {Math.max(1, input.length)}, false);
        Decoded split = decode(limits, input, chunks, true);

        String input_ = java.util.HexFormat.of().formatHex(input);
        assertThat(split.frames)
                .as("commands whatever the split: %s in chunks %s of %s", limits, Arrays.toString(chunks), input_)
                .isEqualTo(whole.frames);
        assertThat(split.error)
                .as("protocol error whatever the split: %s in chunks %s of %s", limits, Arrays.toString(chunks), input_)
                .isEqualTo(whole.error);
    }

    /** What a decoder made of {@code input}: each command's frame, and the protocol error if any. */
    private record Decoded(List<String> frames, String error) {}

    private static Decoded decode(RespLimits limits, byte[] input, int[] chunks, boolean direct) {
        EmbeddedChannel channel = new EmbeddedChannel(new RespRequestDecoder(limits));
        List<ByteBuf> written = new ArrayList<>();
        List<String> frames = new ArrayList<>();
        String error = null;
        try {
            int at = 0;
            int chunk = 0;
            while (at < input.length) {
                int size = Math.min(chunks[chunk++ % chunks.length], input.length - at);
                ByteBuf piece = direct
                        ? Unpooled.directBuffer(size).writeBytes(input, at, size)
                        : Unpooled.wrappedBuffer(Arrays.copyOfRange(input, at, at + size));
                written.add(piece);
                at += size;
                channel.writeInbound(piece);
                assertThat((long) buffered(channel))
                        .as("bytes held after %d of %d", at, input.length)
                        .isLessThanOrEqualTo(limits.maxRequestBytes() + limits.maxInlineLength() + size);
                Object message;
                while ((message = channel.readInbound()) != null) {
                    try {
                        assertThat(error).as("nothing after a protocol error").isNull();
                        if (message instanceof RespProtocolError protocolError) {
                            assertThat(protocolError.message()).startsWith("Protocol error: ");
                            error = protocolError.message();
                        } else {
                            RespCommand command = (RespCommand) message;
                            // An inline command's arguments are bounded by its line, not by the array limit.
                            assertThat(command.argCount())
                                    .isBetween(1, Math.max(limits.maxArrayLength(), limits.maxInlineLength()));
                            for (int i = 0; i < command.argCount(); i++) {
                                assertThat((long) command.argLength(i))
                                        .isLessThanOrEqualTo(limits.maxBulkLength() + limits.maxInlineLength());
                            }
                            frames.add(Wire.text(Wire.readable(command.content())) + "|" + command.argCount());
                        }
                    } finally {
                        ReferenceCountUtil.release(message);
                    }
                }
            }
        } finally {
            channel.finishAndReleaseAll();
        }
        for (ByteBuf piece : written) {
            assertThat(piece.refCnt())
                    .as("every buffer read from the client is released")
                    .isZero();
        }
        return new Decoded(frames, error);
    }

    /** Bytes the decoder keeps between reads (its cumulation buffer). */
    private static int buffered(EmbeddedChannel channel) {
        try {
            ByteBuf cumulation = (ByteBuf) CUMULATION.get(channel.pipeline().get(RespRequestDecoder.class));
            return cumulation == null ? 0 : cumulation.readableBytes();
        } catch (IllegalAccessException e) {
            throw new AssertionError(e);
        }
    }

    private static Field cumulationField() {
        try {
            Field field = ByteToMessageDecoder.class.getDeclaredField("cumulation");
            field.setAccessible(true);
            return field;
        } catch (NoSuchFieldException e) {
            throw new AssertionError("Netty's ByteToMessageDecoder has no cumulation field any more", e);
        }
    }
}
