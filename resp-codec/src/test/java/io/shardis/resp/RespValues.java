package io.shardis.resp;

import java.math.BigInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/** Random RESP2/RESP3 values of every type, nested, with binary-hostile bytes in their payloads. */
final class RespValues {

    private RespValues() {}

    /** Values nested at most {@code depth} aggregates deep. */
    static Arbitrary<RespValue> values(int depth) {
        if (depth == 0) {
            return scalars();
        }
        return Arbitraries.frequencyOf(Tuple.of(3, scalars()), Tuple.of(2, Arbitraries.lazy(() -> aggregates(depth))));
    }

    static Arbitrary<RespValue> scalars() {
        Arbitrary<String> line = Arbitraries.strings()
                .withCharRange('\u0000', '\uD7FF')
                .excludeChars('\r', '\n')
                .ofMaxLength(24);
        return Arbitraries.oneOf(
                line.map(RespValue.SimpleString::new),
                line.map(RespValue.SimpleError::new),
                Arbitraries.longs().map(RespValue.Integer::new),
                Arbitraries.of(Long.MIN_VALUE, Long.MAX_VALUE, 0L, -1L).map(RespValue.Integer::new),
                binary().map(RespValue.BulkString::new),
                Arbitraries.just(RespValue.BulkString.NULL),
                Arbitraries.just(RespValue.Array.NULL),
                Arbitraries.just(RespValue.Null.INSTANCE),
                Arbitraries.oneOf(
                                Arbitraries.doubles(),
                                Arbitraries.of(
                                        Double.NaN,
                                        Double.POSITIVE_INFINITY,
                                        Double.NEGATIVE_INFINITY,
                                        -0.0,
                                        0.0,
                                        Double.MIN_VALUE,
                                        Double.MAX_VALUE,
                                        1e300,
                                        1.5e-300))
                        .map(RespValue.Double::new),
                Arbitraries.of(RespValue.Boolean.TRUE, RespValue.Boolean.FALSE),
                Arbitraries.bigIntegers()
                        .between(BigInteger.TEN.pow(60).negate(), BigInteger.TEN.pow(60))
                        .map(RespValue.BigNumber::new),
                Combinators.combine(Arbitraries.of("txt", "mkd", "xyz"), binary())
                        .as(RespValue.VerbatimString::new),
                binary().map(RespValue.BulkError::new));
    }

    static Arbitrary<RespValue> aggregates(int depth) {
        Arbitrary<RespValue> element = values(depth - 1);
        Arbitrary<RespValue.Pair> pair = Combinators.combine(element, element).as(RespValue.Pair::new);
        return Arbitraries.oneOf(
                element.list().ofMaxSize(5).map(RespValue.Array::new),
                element.list().ofMaxSize(5).map(RespValue.Set::new),
                element.list().ofMaxSize(5).map(RespValue.Push::new),
                pair.list().ofMaxSize(4).map(RespValue.Map::new),
                Combinators.combine(pair.list().ofMaxSize(3), element).as(RespValue.Attribute::new));
    }

    /** Bytes that break naive framing: CR, LF, NUL and type markers turn up often. */
    static Arbitrary<byte[]> binary() {
        Arbitrary<Byte> hostile = Arbitraries.of(
                (byte) '\r', (byte) '\n', (byte) 0, (byte) '$', (byte) '*', (byte) ':', (byte) '+', (byte) '-');
        return Arbitraries.frequencyOf(Tuple.of(2, Arbitraries.bytes()), Tuple.of(1, hostile))
                .array(byte[].class)
                .ofMaxSize(48);
    }
}
