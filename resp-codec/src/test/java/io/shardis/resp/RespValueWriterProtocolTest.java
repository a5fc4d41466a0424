package io.shardis.resp;

import static io.shardis.resp.Wire.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The replies Shardis composes, spelled for each protocol as Redis 7.0 spells the same reply: the
 * RESP3 types as they are (nulls as {@code _}), and in RESP2 what Redis degrades them to.
 */
class RespValueWriterProtocolTest {

    private static String write(RespValue value, RespProtocol protocol) {
        ByteBuf out = Unpooled.buffer();
        try {
            RespValueWriter.write(value, out, protocol);
            return out.toString(StandardCharsets.ISO_8859_1);
        } finally {
            out.release();
        }
    }

    private static RespValue.BulkString bulk(String text) {
        return new RespValue.BulkString(bytes(text));
    }

    private static RespValue.Pair pair(String key, RespValue value) {
        return new RespValue.Pair(bulk(key), value);
    }

    static Stream<Arguments> spellings() {
        return Stream.of(
                // value, RESP3, RESP2
                arguments(
                        new RespValue.Map(List.of(pair("a", new RespValue.Integer(1)), pair("b", bulk("x")))),
                        "%2\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n$1\r\nx\r\n",
                        "*4\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n$1\r\nx\r\n"),
                arguments(
                        new RespValue.Set(List.of(bulk("m"), bulk("n"))),
                        "~2\r\n$1\r\nm\r\n$1\r\nn\r\n",
                        "*2\r\n$1\r\nm\r\n$1\r\nn\r\n"),
                arguments(RespValue.Null.INSTANCE, "_\r\n", "$-1\r\n"),
                arguments(RespValue.BulkString.NULL, "_\r\n", "$-1\r\n"),
                arguments(RespValue.Array.NULL, "_\r\n", "*-1\r\n"),
                arguments(RespValue.Boolean.TRUE, "#t\r\n", ":1\r\n"),
                arguments(RespValue.Boolean.FALSE, "#f\r\n", ":0\r\n"),
                arguments(new RespValue.Double(1.5), ",1.5\r\n", "$3\r\n1.5\r\n"),
                arguments(new RespValue.Double(Double.POSITIVE_INFINITY), ",inf\r\n", "$3\r\ninf\r\n"),
                arguments(new RespValue.Double(Double.NEGATIVE_INFINITY), ",-inf\r\n", "$4\r\n-inf\r\n"),
                arguments(new RespValue.Double(Double.NaN), ",nan\r\n", "$3\r\nnan\r\n"),
                arguments(
                        new RespValue.BigNumber(new BigInteger("12345678901234567890")),
                        "(12345678901234567890\r\n",
                        "$20\r\n12345678901234567890\r\n"),
                arguments(
                        new RespValue.VerbatimString("txt", bytes("a:1\r\n")),
                        "=9\r\ntxt:a:1\r\n\r\n",
                        "$5\r\na:1\r\n\r\n"),
                arguments(
                        new RespValue.Push(List.of(bulk("message"), bulk("c"), bulk("hi"))),
                        ">3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$2\r\nhi\r\n",
                        "*3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$2\r\nhi\r\n"),
                // nested: the types inside aggregates degrade too
                arguments(
                        RespValue.Array.of(
                                new RespValue.Map(List.of(pair("k", RespValue.Null.INSTANCE))),
                                new RespValue.Set(List.of(new RespValue.Double(2)))),
                        "*2\r\n%1\r\n$1\r\nk\r\n_\r\n~1\r\n,2\r\n",
                        "*2\r\n*2\r\n$1\r\nk\r\n$-1\r\n*1\r\n$1\r\n2\r\n"),
                arguments(
                        new RespValue.Attribute(List.of(pair("ttl", new RespValue.Integer(3))), bulk("v")),
                        "|1\r\n$3\r\nttl\r\n:3\r\n$1\r\nv\r\n",
                        "$1\r\nv\r\n"),
                arguments(new RespValue.BulkError(bytes("ERR a\r\nb")), "!8\r\nERR a\r\nb\r\n", "-ERR a  b\r\n"),
                // what both protocols share is written alike
                arguments(new RespValue.SimpleString("OK"), "+OK\r\n", "+OK\r\n"),
                arguments(new RespValue.SimpleError("ERR no"), "-ERR no\r\n", "-ERR no\r\n"),
                arguments(new RespValue.Integer(-7), ":-7\r\n", ":-7\r\n"),
                arguments(RespValue.Array.of(), "*0\r\n", "*0\r\n"));
    }

    @ParameterizedTest
    @MethodSource("spellings")
    void eachProtocolSpellsTheValueAsRedisDoes(RespValue value, String resp3, String resp2) {
        assertThat(write(value, RespProtocol.RESP3)).isEqualTo(resp3);
        assertThat(write(value, RespProtocol.RESP2)).isEqualTo(resp2);
    }

    /** Expected values are C's {@code printf("%.17g")}, which Redis 7.0 uses for doubles. */
    @ParameterizedTest
    @CsvSource({
        "1.5, 1.5",
        "0.1, 0.10000000000000001",
        "1e20, 1e+20",
        "3.0, 3",
        "-2.5e-7, -2.4999999999999999e-07",
        "123.456, 123.456",
        "1e16, 10000000000000000",
        "1e17, 1e+17",
        "1e-4, 0.0001",
        "1e-5, 1.0000000000000001e-05",
        "1180591620717411303424, 1.1805916207174113e+21",
        "-0.0, -0",
        "0, 0",
        "4.9e-324, 4.9406564584124654e-324",
        "1.7976931348623157e308, 1.7976931348623157e+308",
        "12345678901234567.0, 12345678901234568",
        "-42, -42"
    })
    void doublesAreFormattedAsPercent17g(double value, String expected) {
        assertThat(RespValueWriter.formatDouble(value)).isEqualTo(expected);
    }

    @Property(tries = 2000)
    void aFormattedDoubleReadsBackAsTheSameDouble(@ForAll double value) {
        assertThat(Double.parseDouble(RespValueWriter.formatDouble(value)
                        .replace("inf", "Infinity")
                        .replace("nan", "NaN")))
                .isEqualTo(value);
    }

    @Test
    void protocolsByVersion() {
        assertThat(RespProtocol.of(2)).isEqualTo(RespProtocol.RESP2);
        assertThat(RespProtocol.of(3)).isEqualTo(RespProtocol.RESP3);
        assertThat(RespProtocol.of(4)).isNull();
        assertThat(RespProtocol.of(1)).isNull();
        assertThat(RespProtocol.RESP3.version()).isEqualTo(3);
    }

    @Property(tries = 500)
    void resp3WritingReadsBackAsTheValueWithNullsAsNull(@ForAll("values") RespValue value) {
        ByteBuf out = Unpooled.buffer();
        try {
            RespValueWriter.write(value, out, RespProtocol.RESP3);
            assertThat(new RespValueReader().read(out)).isNotNull();
            assertThat(out.isReadable()).isFalse();
        } finally {
            out.release();
        }
    }

    @Property(tries = 500)
    void resp2WritingIsOneReplyOfRespTwoTypesOnly(@ForAll("values") RespValue value) {
        ByteBuf out = Unpooled.buffer();
        try {
            RespValueWriter.write(value, out, RespProtocol.RESP2);
            int length = new RespReplyFramer(RespLimits.DEFAULT).frame(out);
            assertThat(length).isEqualTo(out.readableBytes());
            assertThat(new RespValueReader().read(out)).satisfies(RespValueWriterProtocolTest::isResp2);
        } finally {
            out.release();
        }
    }

    @net.jqwik.api.Provide
    net.jqwik.api.Arbitrary<RespValue> values() {
        return RespValues.values(4);
    }

    private static void isResp2(RespValue value) {
        assertThat(value)
                .isInstanceOfAny(
                        RespValue.SimpleString.class,
                        RespValue.SimpleError.class,
                        RespValue.Integer.class,
                        RespValue.BulkString.class,
                        RespValue.Array.class);
        if (value instanceof RespValue.Array array && !array.isNull()) {
            array.elements().forEach(RespValueWriterProtocolTest::isResp2);
        }
    }
}
