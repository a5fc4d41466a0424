package io.shardis.resp;

import static io.shardis.resp.Wire.bytes;
import static io.shardis.resp.Wire.describe;
import static io.shardis.resp.Wire.feed;
import static io.shardis.resp.Wire.releaseAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.netty.channel.embedded.EmbeddedChannel;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The request decoder against what redis-server 7.0 answers for the same bytes (each expectation
 * below was checked against a real server).
 */
class RespRequestDecoderTest {

    /** Decodes {@code input} whole and in small pieces (one byte when short); both must agree. */
    private static List<List<String>> decode(RespLimits limits, String input) {
        List<List<String>> whole = decodeInChunks(limits, bytes(input));
        // Header and inline lines are rescanned on each read, so long ones go in 1000-byte reads.
        int piece = input.length() > 4096 ? 1000 : 1;
        List<List<String>> byteByByte = decodeInChunks(limits, bytes(input), piece);
        assertThat(byteByByte).as("one byte at a time").isEqualTo(whole);
        return whole;
    }

    private static List<List<String>> decode(String input) {
        return decode(RespLimits.DEFAULT, input);
    }

    private static List<List<String>> decodeInChunks(RespLimits limits, byte[] input, int... chunks) {
        EmbeddedChannel channel = new EmbeddedChannel(new RespRequestDecoder(limits));
        List<Object> messages = feed(channel, input, chunks);
        try {
            return describe(messages);
        } finally {
            releaseAll(messages);
            channel.finishAndReleaseAll();
        }
    }

    static Stream<Arguments> inlineCommands() {
        return Stream.of(
                arguments("PING\r\n", List.of(List.of("PING"))),
                arguments("SET k v\n", List.of(List.of("SET", "k", "v"))),
                arguments("\r\n\nPING\n", List.of(List.of("PING"))),
                arguments("  \t \r\n", List.of()),
                arguments("ECHO  \"a\"   \"b\"\r\n", List.of(List.of("ECHO", "a", "b"))),
                arguments("ECHO \"a\\x41b\\n\"\r\n", List.of(List.of("ECHO", "aAb\n"))),
                arguments("ECHO \"\\t\\b\\a\\r\"\r\n", List.of(List.of("ECHO", "\t\b\u0007\r"))),
                arguments("ECHO \"\\xfF\\x00\"\r\n", List.of(List.of("ECHO", "\u00ff\u0000"))),
                arguments("ECHO \"a\\zb\"\r\n", List.of(List.of("ECHO", "azb"))),
                arguments("ECHO \"\\x4\"\r\n", List.of(List.of("ECHO", "x4"))),
                arguments("ECHO \"a\\\\\"\r\n", List.of(List.of("ECHO", "a\\"))),
                arguments("ECHO \\x41\r\n", List.of(List.of("ECHO", "\\x41"))),
                arguments("ECHO 'a\\'b'\r\n", List.of(List.of("ECHO", "a'b"))),
                arguments("ECHO 'a\\nb'\r\n", List.of(List.of("ECHO", "a\\nb"))),
                arguments("ECHO 'a\\\\b'\r\n", List.of(List.of("ECHO", "a\\\\b"))),
                arguments("ECHO '\"'\r\n", List.of(List.of("ECHO", "\""))),
                arguments("ECHO \"'\"\r\n", List.of(List.of("ECHO", "'"))),
                arguments("ECHO \"\"\r\n", List.of(List.of("ECHO", ""))),
                arguments("ECHO a\"b c\"\r\n", List.of(List.of("ECHO", "ab c"))),
                arguments("ECHO\t\u000bx\r\n", List.of(List.of("ECHO", "x"))),
                arguments("ECHO \"x\"\u000b\r\n", List.of(List.of("ECHO", "x"))),
                arguments("ECHO x\rY\r\n", List.of(List.of("ECHO", "x", "Y"))),
                arguments("ECHO \"a\"\r\r\n", List.of(List.of("ECHO", "a"))),
                arguments("ECHO 'a'\tb\r\n", List.of(List.of("ECHO", "a", "b"))),
                arguments(
                        "GET a\r\nGET b\nGET c\r\n",
                        List.of(List.of("GET", "a"), List.of("GET", "b"), List.of("GET", "c"))),
                arguments("*1\r\n$4\r\nPING\r\nECHO hi\r\n", List.of(List.of("PING"), List.of("ECHO", "hi"))),
                arguments("*0\r\nPING\r\n", List.of(List.of("PING"))),
                arguments("*-5\r\nPING\r\n", List.of(List.of("PING"))),
                arguments("*-1\r\n", List.of()));
    }

    @ParameterizedTest
    @MethodSource("inlineCommands")
    void parsesCommandsAsRedisDoes(String input, List<List<String>> expected) {
        assertThat(decode(input)).isEqualTo(expected);
    }

    @Test
    void inlineCommandIsReencodedAsARespArray() {
        EmbeddedChannel channel = new EmbeddedChannel(new RespRequestDecoder());
        channel.writeInbound(io.netty.buffer.Unpooled.copiedBuffer(bytes("SET \"a b\" '\\'x'\r\n")));
        RespCommand command = channel.readInbound();
        try {
            assertThat(Wire.text(Wire.readable(command.content())))
                    .isEqualTo("*3\r\n$3\r\nSET\r\n$3\r\na b\r\n$2\r\n'x\r\n");
        } finally {
            command.release();
            channel.finishAndReleaseAll();
        }
    }

    static Stream<Arguments> malformedRequests() {
        String digits = "1".repeat(70_000);
        return Stream.of(
                arguments("*abc\r\n", "Protocol error: invalid multibulk length"),
                arguments("*3000000000\r\n", "Protocol error: invalid multibulk length"),
                arguments("*+1\r\n$4\r\nPING\r\n", "Protocol error: invalid multibulk length"),
                arguments("*01\r\n$4\r\nPING\r\n", "Protocol error: invalid multibulk length"),
                arguments("*1 \r\n$4\r\nPING\r\n", "Protocol error: invalid multibulk length"),
                arguments("*1\n$4\r\nPING\r\n", "Protocol error: invalid multibulk length"),
                arguments("*\r\n", "Protocol error: invalid multibulk length"),
                arguments("*1\r\n$-1\r\n", "Protocol error: invalid bulk length"),
                arguments("*1\r\n$abc\r\n", "Protocol error: invalid bulk length"),
                arguments("*1\r\n$04\r\nPING\r\n", "Protocol error: invalid bulk length"),
                arguments("*1\r\n$+4\r\nPING\r\n", "Protocol error: invalid bulk length"),
                arguments("*1\r\n$600000000\r\n", "Protocol error: invalid bulk length"),
                arguments("*1\r\nx3\r\nfoo\r\n", "Protocol error: expected '$', got 'x'"),
                arguments("*2\r\n$3\r\nGET\r\n:1\r\n", "Protocol error: expected '$', got ':'"),
                arguments("*1\r\n$" + digits, "Protocol error: too big bulk count string"),
                arguments("*" + digits, "Protocol error: too big mbulk count string"),
                arguments("GET " + "a".repeat(70_000), "Protocol error: too big inline request"),
                arguments("ECHO \"abc\"x\r\n", "Protocol error: unbalanced quotes in request"),
                arguments("ECHO \"abc\r\n", "Protocol error: unbalanced quotes in request"),
                arguments("ECHO a\"b c\"d\r\n", "Protocol error: unbalanced quotes in request"),
                arguments("ECHO \"\\\"\r\n", "Protocol error: unbalanced quotes in request"),
                arguments("ECHO ''x\r\n", "Protocol error: unbalanced quotes in request"),
                arguments("ECHO 'abc\r\n", "Protocol error: unbalanced quotes in request"));
    }

    @ParameterizedTest
    @MethodSource("malformedRequests")
    void answersMalformedRequestsWithRedisErrorText(String input, String expectedError) {
        assertThat(decode(input)).containsExactly(List.of("ERROR:" + expectedError));
    }

    @Test
    void ignoresEverythingAfterAProtocolError() {
        EmbeddedChannel channel = new EmbeddedChannel(new RespRequestDecoder());
        List<Object> messages = feed(channel, bytes("PING\r\n*x\r\n*1\r\n$4\r\nPING\r\n"));
        messages.addAll(feed(channel, bytes("PING\r\n")));
        try {
            assertThat(describe(messages))
                    .containsExactly(List.of("PING"), List.of("ERROR:Protocol error: invalid multibulk length"));
        } finally {
            releaseAll(messages);
            channel.finishAndReleaseAll();
        }
    }

    @Test
    void commandsBeforeAnErrorInTheSameReadAreStillDelivered() {
        List<List<String>> decoded = decode("*1\r\n$4\r\nPING\r\nGET k\r\n*1\r\n$x\r\n");
        assertThat(decoded)
                .containsExactly(
                        List.of("PING"), List.of("GET", "k"), List.of("ERROR:Protocol error: invalid bulk length"));
    }

    static Stream<Arguments> limitBreaches() {
        RespLimits limits = RespLimits.DEFAULT;
        return Stream.of(
                arguments(limits.withMaxBulkLength(10), "*1\r\n$11\r\n", "Protocol error: invalid bulk length"),
                arguments(limits.withMaxArrayLength(2), "*3\r\n", "Protocol error: invalid multibulk length"),
                arguments(
                        limits.withMaxInlineLength(16),
                        "GET " + "k".repeat(16),
                        "Protocol error: too big inline request"),
                arguments(
                        limits.withMaxInlineLength(16),
                        "*1\r\n$" + "1".repeat(17),
                        "Protocol error: too big bulk count string"));
    }

    @ParameterizedTest
    @MethodSource("limitBreaches")
    void enforcesLimitsWithAnError(RespLimits limits, String input, String expectedError) {
        assertThat(decode(limits, input)).containsExactly(List.of("ERROR:" + expectedError));
    }

    @Test
    void acceptsWhatIsExactlyAtTheLimits() {
        RespLimits limits = RespLimits.DEFAULT.withMaxBulkLength(10).withMaxArrayLength(2);
        assertThat(decode(limits, "*2\r\n$10\r\n0123456789\r\n$0\r\n\r\n")).containsExactly(List.of("0123456789", ""));
    }

    @Test
    void refusesARequestLargerThanTheRequestLimit() {
        RespLimits limits = RespLimits.DEFAULT.withMaxRequestBytes(64);
        String arg = "v".repeat(40);
        List<List<String>> decoded = decode(limits, "*2\r\n$40\r\n" + arg + "\r\n$40\r\n" + arg + "\r\n");
        assertThat(decoded).hasSize(1);
        assertThat(decoded.get(0).get(0)).startsWith("ERROR:Protocol error:").contains("64");
    }

    @Test
    void aHugeAnnouncedArrayAllocatesNothingProportional() {
        // The limit allows the count, so only the decoder's own care prevents a 4 GB allocation.
        RespLimits limits = RespLimits.DEFAULT.withMaxArrayLength(1_000_000_000);
        StringBuilder input = new StringBuilder("*1000000000\r\n");
        for (int i = 0; i < 100; i++) {
            input.append("$1\r\nx\r\n");
        }
        EmbeddedChannel channel = new EmbeddedChannel(new RespRequestDecoder(limits));
        byte[] data = bytes(input.toString());
        long before = allocatedBytes();
        List<Object> messages = feed(channel, data, 7);
        long allocated = allocatedBytes() - before;
        try {
            assertThat(messages).isEmpty();
            assertThat(allocated).as("bytes allocated").isLessThan(16L * 1024 * 1024);
        } finally {
            releaseAll(messages);
            channel.finishAndReleaseAll();
        }
    }

    @Test
    void aHugeAnnouncedBulkAllocatesNothingProportional() {
        RespLimits limits = RespLimits.DEFAULT
                .withMaxBulkLength(Integer.MAX_VALUE - 64)
                .withMaxRequestBytes(Integer.MAX_VALUE - 64);
        EmbeddedChannel channel = new EmbeddedChannel(new RespRequestDecoder(limits));
        long before = allocatedBytes();
        List<Object> messages = feed(channel, bytes("*2\r\n$3\r\nGET\r\n$2000000000\r\n" + "x".repeat(1000)), 100);
        long allocated = allocatedBytes() - before;
        try {
            assertThat(messages).isEmpty();
            assertThat(allocated).as("bytes allocated").isLessThan(16L * 1024 * 1024);
        } finally {
            releaseAll(messages);
            channel.finishAndReleaseAll();
        }
    }

    @Test
    void hugeAnnouncedBulkAndArrayAreRefusedByDefault() {
        assertThat(decode("*2000000000\r\n"))
                .containsExactly(List.of("ERROR:Protocol error: invalid multibulk length"));
        assertThat(decode("*1\r\n$2000000000\r\n"))
                .containsExactly(List.of("ERROR:Protocol error: invalid bulk length"));
    }

    @Test
    void argumentsAreViewsOfTheFrameAndTheFrameIsTheClientsBytes() {
        byte[] input = Wire.command("SET", "key", "a\r\nb\0c");
        EmbeddedChannel channel = new EmbeddedChannel(new RespRequestDecoder());
        List<Object> messages = feed(channel, input, 3, 5);
        try {
            assertThat(messages).hasSize(1);
            RespCommand command = (RespCommand) messages.get(0);
            assertThat(Wire.readable(command.content())).isEqualTo(input);
            assertThat(command.argCount()).isEqualTo(3);
            assertThat(command.argEqualsIgnoreCase(0, "set")).isTrue();
            assertThat(command.argString(2)).isEqualTo("a\r\nb\0c");
            assertThat(command.arg(2).readableBytes()).isEqualTo(6);
        } finally {
            releaseAll(messages);
            channel.finishAndReleaseAll();
        }
    }

    @Test
    void aCommandSplitAcrossReadsIsEmittedOnceComplete() {
        EmbeddedChannel channel = new EmbeddedChannel(new RespRequestDecoder());
        List<Object> messages = new ArrayList<>(feed(channel, bytes("*2\r\n$3\r\nGET\r\n$3\r\nke")));
        assertThat(messages).isEmpty();
        messages.addAll(feed(channel, bytes("y\r\n")));
        try {
            assertThat(describe(messages)).containsExactly(List.of("GET", "key"));
        } finally {
            releaseAll(messages);
            channel.finishAndReleaseAll();
        }
    }

    /** Found by RespRequestDecoderFuzzTest: the error depended on where a read ended. */
    @Test
    void aHeaderWhoseCrIsTheLastByteReadWaitsForItsLfHoweverLongTheBuffer() {
        RespLimits limits = RespLimits.DEFAULT.withMaxInlineLength(16);
        // The count line's '\r' is the 16th byte after '*', within the limit; its '\n' comes in the next read.
        byte[] count = bytes("*" + "x".repeat(15) + "\r\n");
        byte[] bulkCount = bytes("*1\r\n$" + "x".repeat(15) + "\r\n");
        for (int split = 1; split < count.length; split++) {
            assertThat(decodeInChunks(limits, count, split))
                    .as("split every %d bytes", split)
                    .containsExactly(List.of("ERROR:Protocol error: invalid multibulk length"));
        }
        for (int split = 1; split < bulkCount.length; split++) {
            assertThat(decodeInChunks(limits, bulkCount, split))
                    .as("split every %d bytes", split)
                    .containsExactly(List.of("ERROR:Protocol error: invalid bulk length"));
        }
    }

    @Test
    void minusZeroIsNotALength() {
        assertThat(decode("*-0\r\n")).containsExactly(List.of("ERROR:Protocol error: invalid multibulk length"));
        assertThat(decode("*1\r\n$-0\r\n\r\n")).containsExactly(List.of("ERROR:Protocol error: invalid bulk length"));
    }

    @Test
    void theLargestArrayLimitDoesNotOverflow() {
        assertThatThrownBy(() -> RespLimits.DEFAULT.withMaxArrayLength(Integer.MAX_VALUE))
                .isInstanceOf(IllegalArgumentException.class);
        RespLimits limits = RespLimits.DEFAULT.withMaxArrayLength(RespLimits.MAX_ARRAY_LENGTH);
        StringBuilder input = new StringBuilder("*1073741824\r\n");
        for (int i = 0; i < 9; i++) {
            input.append("$1\r\nx\r\n");
        }
        assertThat(decodeInChunks(limits, bytes(input.toString()))).isEmpty();
    }

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }
}
