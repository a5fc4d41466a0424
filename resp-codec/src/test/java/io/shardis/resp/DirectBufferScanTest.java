package io.shardis.resp;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
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

/**
 * Reads arrive in direct buffers, which the decoder and the framer read without a check per byte:
 * numbers, line ends, commands and replies read from them as from heap buffers.
 */
class DirectBufferScanTest {

    @Property(tries = 2000)
    void numbersParseAsRedisReadsThemInEitherKindOfBuffer(@ForAll("numberLike") String text) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        long expected = redisNumber(text);
        ByteBuf heap = Unpooled.wrappedBuffer(pad(bytes));
        ByteBuf direct = Unpooled.directBuffer(bytes.length + 4).writeBytes(pad(bytes));
        try {
            assertThat(Numbers.parseLong(heap, 2, bytes.length)).as(text).isEqualTo(expected);
            assertThat(Numbers.parseLong(direct, 2, bytes.length)).as(text).isEqualTo(expected);
            ByteBuf slice = direct.slice(1, bytes.length + 2);
            assertThat(Numbers.parseLong(slice, 1, bytes.length)).as(text).isEqualTo(expected);
        } finally {
            heap.release();
            direct.release();
        }
    }

    @Property(tries = 500)
    void lineEndsAreFoundAtTheSamePlaceInEitherKindOfBuffer(
            @ForAll("bytes") byte[] bytes, @ForAll @IntRange(max = 100) int from, @ForAll @IntRange(max = 100) int to) {
        int start = Math.min(from, bytes.length);
        int stop = Math.min(Math.max(to, start), bytes.length);
        if (start >= stop) {
            return;
        }
        ByteBuf heap = Unpooled.wrappedBuffer(bytes);
        ByteBuf direct = Unpooled.directBuffer(bytes.length).writeBytes(bytes);
        try {
            assertThat(Numbers.indexOfCr(direct, start, stop)).isEqualTo(Numbers.indexOfCr(heap, start, stop));
        } finally {
            heap.release();
            direct.release();
        }
    }

    @Property(tries = 300)
    void commandsAndErrorsAreTheSameFromDirectReads(
            @ForAll("commandsOrBytes") byte[] input,
            @ForAll @Size(min = 1, max = 4) List<@IntRange(min = 1, max = 48) Integer> chunkSizes) {
        int[] chunks = chunkSizes.stream().mapToInt(Integer::intValue).toArray();
        assertThat(decode(input, true, chunks)).isEqualTo(decode(input, false, chunks));
        assertThat(decode(input, true, input.length)).isEqualTo(decode(input, false, input.length));
    }

    @Property(tries = 300)
    void repliesAreFramedTheSameInDirectBuffers(@ForAll("repliesOrBytes") byte[] input) {
        assertThat(frame(input, true)).isEqualTo(frame(input, false));
    }

    @Provide
    Arbitrary<String> numberLike() {
        return Arbitraries.frequencyOf(
                Tuple.of(1, Arbitraries.strings().withChars("0123456789-\r x").ofMaxLength(24)),
                Tuple.of(2, Arbitraries.longs().map(v -> Long.toString(v))),
                Tuple.of(1, Arbitraries.longs().between(-100, 100_000).map(v -> Long.toString(v))),
                Tuple.of(
                        1,
                        Arbitraries.of(
                                "9223372036854775807",
                                "9223372036854775808",
                                "-9223372036854775808",
                                "-9223372036854775809",
                                "99999999999999999999",
                                "999999999999999999",
                                "-999999999999999999",
                                "1000000000000000000",
                                "0",
                                "-0",
                                "01",
                                "-",
                                "")));
    }

    @Provide
    Arbitrary<byte[]> bytes() {
        return Arbitraries.frequencyOf(
                        Tuple.of(3, Arbitraries.bytes()), Tuple.of(1, Arbitraries.of((byte) '\r', (byte) '\n')))
                .array(byte[].class)
                .ofMaxSize(100);
    }

    @Provide
    Arbitrary<byte[]> commandsOrBytes() {
        Arbitrary<byte[]> arg = Arbitraries.strings()
                .withChars("abc\r\n$*0123456789")
                .ofMaxLength(30)
                .map(s -> s.getBytes(StandardCharsets.US_ASCII));
        Arbitrary<byte[]> commands = arg.list()
                .ofMinSize(1)
                .ofMaxSize(12)
                .map(Wire::command)
                .list()
                .ofMinSize(1)
                .ofMaxSize(4)
                .map(Wire::concat);
        Arbitrary<byte[]> headersAndNoise = Arbitraries.strings()
                .withChars("*$-0123456789\r\nab ")
                .ofMaxLength(80)
                .map(s -> ("*" + s).getBytes(StandardCharsets.US_ASCII));
        return Arbitraries.frequencyOf(Tuple.of(2, commands), Tuple.of(1, headersAndNoise));
    }

    @Provide
    Arbitrary<byte[]> repliesOrBytes() {
        Arbitrary<String> element = Arbitraries.oneOf(
                Arbitraries.strings().alpha().ofMaxLength(70).map(v -> "$" + v.length() + "\r\n" + v + "\r\n"),
                Arbitraries.just("$-1\r\n"),
                Arbitraries.longs().map(v -> ":" + v + "\r\n"),
                Arbitraries.just("+OK\r\n"));
        Arbitrary<byte[]> arrays = element.list()
                .ofMaxSize(40)
                .map(list -> ("*" + list.size() + "\r\n" + String.join("", list)).getBytes(StandardCharsets.US_ASCII));
        Arbitrary<byte[]> noise = Arbitraries.strings()
                .withChars("*$:+-_0123456789\r\nab")
                .ofMaxLength(80)
                .map(s -> s.getBytes(StandardCharsets.US_ASCII));
        return Arbitraries.frequencyOf(Tuple.of(2, arrays), Tuple.of(1, noise));
    }

    /** Redis' reading: the canonical spelling of a long, other than Long.MIN_VALUE, or nothing. */
    private static long redisNumber(String text) {
        try {
            long value = Long.parseLong(text);
            return Long.toString(value).equals(text) ? value : Long.MIN_VALUE;
        } catch (NumberFormatException e) {
            return Long.MIN_VALUE;
        }
    }

    private static byte[] pad(byte[] bytes) {
        byte[] padded = new byte[bytes.length + 4];
        padded[0] = '7';
        padded[1] = '7';
        System.arraycopy(bytes, 0, padded, 2, bytes.length);
        padded[bytes.length + 2] = '7';
        padded[bytes.length + 3] = '7';
        return padded;
    }

    private static List<List<String>> decode(byte[] input, boolean direct, int... chunks) {
        EmbeddedChannel channel = new EmbeddedChannel(new RespRequestDecoder(new RespLimits(64, 16, 4, 256, 4096)));
        List<Object> messages = new ArrayList<>();
        try {
            int at = 0;
            int chunk = 0;
            while (at < input.length) {
                int length = Math.min(Math.max(1, chunks[chunk++ % chunks.length]), input.length - at);
                ByteBuf read = direct ? Unpooled.directBuffer(length) : Unpooled.buffer(length);
                channel.writeInbound(read.writeBytes(input, at, length));
                at += length;
                Wire.drainInto(channel, messages);
            }
            return Wire.describe(messages);
        } finally {
            Wire.releaseAll(messages);
            channel.finishAndReleaseAll();
        }
    }

    private static List<String> frame(byte[] input, boolean direct) {
        RespReplyFramer framer = new RespReplyFramer(new RespLimits(64, 32, 4, 256, 4096));
        ByteBuf buf = direct ? Unpooled.directBuffer(input.length + 1) : Unpooled.buffer(input.length + 1);
        buf.writeBytes(input);
        List<String> framed = new ArrayList<>();
        try {
            int length;
            while (buf.isReadable() && (length = framer.frame(buf)) >= 0) {
                framed.add(Integer.toString(length));
                buf.skipBytes(length);
            }
        } catch (RespProtocolException e) {
            framed.add("ERROR:" + e.getMessage());
        } finally {
            buf.release();
        }
        return framed;
    }
}
