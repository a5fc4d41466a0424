package io.shardis.resp;

import static io.shardis.resp.Wire.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.lang.management.ManagementFactory;
import java.math.BigInteger;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class RespValueReaderTest {

    private static RespValue read(RespLimits limits, String input) {
        ByteBuf buf = Unpooled.wrappedBuffer(bytes(input));
        try {
            return new RespValueReader(limits).read(buf);
        } finally {
            buf.release();
        }
    }

    private static RespValue read(String input) {
        return read(RespLimits.DEFAULT, input);
    }

    private static RespValue.BulkString bulk(String text) {
        return new RespValue.BulkString(bytes(text));
    }

    static Stream<Arguments> wireForms() {
        return Stream.of(
                arguments("+OK\r\n", new RespValue.SimpleString("OK")),
                arguments("-ERR unknown command\r\n", new RespValue.SimpleError("ERR unknown command")),
                arguments(":-9223372036854775808\r\n", new RespValue.Integer(Long.MIN_VALUE)),
                arguments("$5\r\na\r\n\0b\r\n", bulk("a\r\n\0b")),
                arguments("$-1\r\n", RespValue.BulkString.NULL),
                arguments("*-1\r\n", RespValue.Array.NULL),
                arguments("*2\r\n$1\r\nx\r\n:7\r\n", RespValue.Array.of(bulk("x"), new RespValue.Integer(7))),
                arguments("_\r\n", RespValue.Null.INSTANCE),
                arguments(",1.5\r\n", new RespValue.Double(1.5)),
                arguments(",-inf\r\n", new RespValue.Double(Double.NEGATIVE_INFINITY)),
                arguments(",inf\r\n", new RespValue.Double(Double.POSITIVE_INFINITY)),
                arguments(",nan\r\n", new RespValue.Double(Double.NaN)),
                arguments("#t\r\n", RespValue.Boolean.TRUE),
                arguments(
                        "(-3492890328409238509324850943850943825024385\r\n",
                        new RespValue.BigNumber(new BigInteger("-3492890328409238509324850943850943825024385"))),
                arguments("=8\r\ntxt:a\r\nb\r\n", new RespValue.VerbatimString("txt", bytes("a\r\nb"))),
                arguments("!10\r\nERR oops\r\n\r\n", new RespValue.BulkError(bytes("ERR oops\r\n"))),
                arguments(
                        "%1\r\n+k\r\n:1\r\n",
                        new RespValue.Map(List.of(
                                new RespValue.Pair(new RespValue.SimpleString("k"), new RespValue.Integer(1))))),
                arguments("~1\r\n#f\r\n", new RespValue.Set(List.of(RespValue.Boolean.FALSE))),
                arguments(
                        ">2\r\n+message\r\n$2\r\nhi\r\n",
                        new RespValue.Push(List.of(new RespValue.SimpleString("message"), bulk("hi")))),
                arguments(
                        "|1\r\n+ttl\r\n:5\r\n$1\r\nv\r\n",
                        new RespValue.Attribute(
                                List.of(new RespValue.Pair(
                                        new RespValue.SimpleString("ttl"), new RespValue.Integer(5))),
                                bulk("v"))));
    }

    @ParameterizedTest
    @MethodSource("wireForms")
    void readsEachTypeAndWritesItBackByteForByte(String wire, RespValue expected) {
        assertThat(read(wire)).isEqualTo(expected);
        assertThat(Wire.text(Wire.encode(expected))).isEqualTo(wire);
    }

    @ParameterizedTest
    @ValueSource(strings = {":+5\r\n", ",-2.5E-3\r\n", ",1e10\r\n", ",+inf\r\n"})
    void acceptsLenientSpellingsOfNumbers(String wire) {
        assertThat(read(wire)).isNotNull();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "@x\r\n",
                ":\r\n",
                ":12a\r\n",
                ":99999999999999999999\r\n",
                ",\r\n",
                ",1.\r\n",
                ",0x1p3\r\n",
                ",1d\r\n",
                ",Infinity\r\n",
                "#x\r\n",
                "#tt\r\n",
                "(\r\n",
                "(12.5\r\n",
                "_x\r\n",
                "$-2\r\n",
                "$01\r\n",
                "$3\r\nfooXY",
                "!-1\r\n",
                "=2\r\nab\r\n",
                "=5\r\ntxtxa\r\n",
                "*-2\r\n",
                "%-1\r\n",
                "+a\nb\r\n",
                "+a\rb\r\n"
            })
    void refusesMalformedReplies(String wire) {
        assertThatThrownBy(() -> read(wire)).isInstanceOf(RespProtocolException.class);
    }

    @Test
    void incompleteInputReturnsNullAndConsumesNothing() {
        ByteBuf buf = Unpooled.buffer();
        try {
            RespValueReader reader = new RespValueReader();
            buf.writeBytes(bytes("*2\r\n$3\r\nfo"));
            assertThat(reader.read(buf)).isNull();
            assertThat(buf.readerIndex()).isZero();
            buf.writeBytes(bytes("o\r\n:1\r\n+next"));
            assertThat(reader.read(buf)).isEqualTo(RespValue.Array.of(bulk("foo"), new RespValue.Integer(1)));
            assertThat(Wire.text(Wire.readable(buf))).isEqualTo("+next");
        } finally {
            buf.release();
        }
    }

    @Test
    void enforcesLimits() {
        RespLimits limits = RespLimits.DEFAULT
                .withMaxBulkLength(4)
                .withMaxArrayLength(2)
                .withMaxNesting(2)
                .withMaxInlineLength(16);
        assertThat(read(limits, "*2\r\n*1\r\n$4\r\nabcd\r\n*0\r\n")).isNotNull();
        assertThatThrownBy(() -> read(limits, "$5\r\n")).isInstanceOf(RespProtocolException.class);
        assertThatThrownBy(() -> read(limits, "!5\r\n")).isInstanceOf(RespProtocolException.class);
        assertThatThrownBy(() -> read(limits, "*3\r\n")).isInstanceOf(RespProtocolException.class);
        assertThatThrownBy(() -> read(limits, "%3\r\n")).isInstanceOf(RespProtocolException.class);
        assertThatThrownBy(() -> read(limits, "*1\r\n*1\r\n*1\r\n:1\r\n"))
                .isInstanceOf(RespProtocolException.class)
                .hasMessageContaining("nested");
        assertThatThrownBy(() -> read(limits, "+" + "x".repeat(17))).isInstanceOf(RespProtocolException.class);
        assertThatThrownBy(() -> read("*2000000000\r\n")).isInstanceOf(RespProtocolException.class);
        assertThatThrownBy(() -> read("$2000000000\r\n")).isInstanceOf(RespProtocolException.class);
    }

    @Test
    void hugeAnnouncedLengthsAllocateNothingProportional() {
        RespLimits generous = RespLimits.DEFAULT
                .withMaxArrayLength(RespLimits.MAX_ARRAY_LENGTH)
                .withMaxBulkLength(Integer.MAX_VALUE - 64)
                .withMaxRequestBytes(Integer.MAX_VALUE - 64);
        long before = allocatedBytes();
        assertThat(read(generous, "*1000000000\r\n" + ":1\r\n".repeat(1000))).isNull();
        assertThat(read(generous, "%1000000000\r\n" + ":1\r\n".repeat(1000))).isNull();
        assertThat(read(generous, "$2000000000\r\n" + "x".repeat(1000))).isNull();
        assertThat(allocatedBytes() - before).as("bytes allocated").isLessThan(16L * 1024 * 1024);
    }

    @Test
    void decodeInsistsOnExactlyOneCompleteReply() {
        RespValueReader reader = new RespValueReader();
        ByteBuf complete = Unpooled.wrappedBuffer(bytes(":1\r\n"));
        ByteBuf trailing = Unpooled.wrappedBuffer(bytes(":1\r\n+x\r\n"));
        ByteBuf partial = Unpooled.wrappedBuffer(bytes(":1\r"));
        try {
            assertThat(reader.decode(complete)).isEqualTo(new RespValue.Integer(1));
            assertThat(complete.readerIndex()).isZero();
            assertThatThrownBy(() -> reader.decode(trailing)).isInstanceOf(RespProtocolException.class);
            assertThatThrownBy(() -> reader.decode(partial)).isInstanceOf(RespProtocolException.class);
        } finally {
            complete.release();
            trailing.release();
            partial.release();
        }
    }

    @Test
    void valuesCompareByContent() {
        assertThat(bulk("abc"))
                .isEqualTo(bulk("abc"))
                .hasSameHashCodeAs(bulk("abc"))
                .isNotEqualTo(bulk("abd"));
        assertThat(RespValue.BulkString.NULL).isNotEqualTo(bulk(""));
        assertThat(RespValue.Array.NULL).isNotEqualTo(RespValue.Array.of());
        assertThat(new RespValue.Double(0.0)).isNotEqualTo(new RespValue.Double(-0.0));
        byte[] mutable = bytes("abc");
        RespValue.BulkString value = new RespValue.BulkString(mutable);
        mutable[0] = 'x';
        assertThat(value).isEqualTo(bulk("abc"));
        assertThatThrownBy(() -> new RespValue.SimpleString("a\r\nb")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RespValue.VerbatimString("text", new byte[0]))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    /** Found by RespReplyBytesFuzzTest: a non-ASCII verbatim format escaped as an IllegalArgumentException. */
    @Test
    void aVerbatimFormatThatIsNotAsciiIsAProtocolError() {
        assertThatThrownBy(() -> read("=7\r\nt\u00f8t:abc\r\n")).isInstanceOf(RespProtocolException.class);
    }
}
