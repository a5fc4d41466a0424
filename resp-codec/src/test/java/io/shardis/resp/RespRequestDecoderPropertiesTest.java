package io.shardis.resp;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Random binary commands, pipelined and split anywhere, come out of the decoder as they went in. */
class RespRequestDecoderPropertiesTest {

    @Property(tries = 300)
    void pipelinedCommandsDecodeToTheirArgumentsHoweverTheBytesArrive(
            @ForAll("commands") @Size(min = 1, max = 8) List<List<byte[]>> commands,
            @ForAll @Size(min = 1, max = 6) List<@IntRange(min = 1, max = 64) Integer> chunkSizes) {
        List<byte[]> frames = new ArrayList<>();
        for (List<byte[]> args : commands) {
            frames.add(Wire.command(args));
        }
        byte[] input = Wire.concat(frames);
        int[] chunks = chunkSizes.stream().mapToInt(Integer::intValue).toArray();

        List<List<byte[]>> whole = decode(input);
        List<List<byte[]>> byteByByte = decode(input, 1);
        List<List<byte[]>> randomChunks = decode(input, chunks);

        assertSameArgs(whole, commands);
        assertSameArgs(byteByByte, commands);
        assertSameArgs(randomChunks, commands);
    }

    @Property(tries = 200)
    void eachCommandsFrameIsExactlyTheBytesTheClientSent(
            @ForAll("commands") @Size(min = 1, max = 5) List<List<byte[]>> commands,
            @ForAll @IntRange(min = 1, max = 40) int chunk) {
        List<byte[]> frames = new ArrayList<>();
        for (List<byte[]> args : commands) {
            frames.add(Wire.command(args));
        }
        EmbeddedChannel channel = new EmbeddedChannel(new RespRequestDecoder());
        List<Object> messages = Wire.feed(channel, Wire.concat(frames), chunk);
        try {
            assertThat(messages).hasSameSizeAs(frames);
            for (int i = 0; i < frames.size(); i++) {
                RespCommand command = (RespCommand) messages.get(i);
                assertThat(Wire.readable(command.content())).isEqualTo(frames.get(i));
                assertThat(command.frameLength()).isEqualTo(frames.get(i).length);
            }
        } finally {
            Wire.releaseAll(messages);
            channel.finishAndReleaseAll();
        }
    }

    @Provide
    Arbitrary<List<List<byte[]>>> commands() {
        Arbitrary<Byte> interesting =
                Arbitraries.of((byte) '\r', (byte) '\n', (byte) 0, (byte) '$', (byte) '*', (byte) ' ', (byte) '"');
        Arbitrary<Byte> anyByte = Arbitraries.frequencyOf(Tuple.of(3, Arbitraries.bytes()), Tuple.of(1, interesting));
        Arbitrary<byte[]> arg = anyByte.array(byte[].class).ofMaxSize(80);
        return arg.list().ofMinSize(1).ofMaxSize(12).list();
    }

    private static List<List<byte[]>> decode(byte[] input, int... chunks) {
        EmbeddedChannel channel = new EmbeddedChannel(new RespRequestDecoder());
        List<Object> messages = Wire.feed(channel, input, chunks);
        try {
            List<List<byte[]>> decoded = new ArrayList<>();
            for (Object message : messages) {
                assertThat(message).isInstanceOf(RespCommand.class);
                RespCommand command = (RespCommand) message;
                List<byte[]> args = new ArrayList<>();
                for (int i = 0; i < command.argCount(); i++) {
                    args.add(Wire.readable(command.arg(i)));
                    assertThat(command.argLength(i)).isEqualTo(args.get(i).length);
                }
                decoded.add(args);
            }
            return decoded;
        } finally {
            Wire.releaseAll(messages);
            channel.finishAndReleaseAll();
        }
    }

    private static void assertSameArgs(List<List<byte[]>> actual, List<List<byte[]>> expected) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int c = 0; c < expected.size(); c++) {
            assertThat(actual.get(c)).hasSameSizeAs(expected.get(c));
            for (int a = 0; a < expected.get(c).size(); a++) {
                assertThat(actual.get(c).get(a))
                        .as("command %d argument %d", c, a)
                        .isEqualTo(expected.get(c).get(a));
            }
        }
    }
}
