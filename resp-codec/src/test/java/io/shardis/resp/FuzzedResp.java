package io.shardis.resp;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * RESP2 and RESP3 values as a real Redis could send them, built from a fuzzer's bytes: every type,
 * nested aggregates, attributes and pushes, binary payloads with CR, LF and NUL in them.
 */
public final class FuzzedResp {

    private static final String[] VERBATIM_FORMATS = {"txt", "mkd"};

    private FuzzedResp() {}

    /** One value nested at most {@code depth} aggregates deep. */
    public static RespValue value(FuzzedDataProvider data, int depth) {
        int kind = data.consumeInt(0, depth > 0 ? 19 : 13);
        return switch (kind) {
            case 0 -> new RespValue.SimpleString(line(data));
            case 1 -> new RespValue.SimpleError(errorLine(data));
            case 2 -> new RespValue.Integer(data.consumeLong());
            case 3, 4 -> new RespValue.BulkString(data.consumeBytes(data.consumeInt(0, 300)));
            case 5 -> RespValue.BulkString.NULL;
            case 6 -> RespValue.Array.NULL;
            case 7 -> RespValue.Null.INSTANCE;
            case 8 -> new RespValue.Double(data.consumeRegularDouble());
            case 9 ->
                new RespValue.Double(data.pickValue(new double[] {
                    Double.NaN,
                    Double.POSITIVE_INFINITY,
                    Double.NEGATIVE_INFINITY,
                    -0.0,
                    0.0,
                    Double.MIN_VALUE,
                    Double.MAX_VALUE
                }));
            case 10 -> data.consumeBoolean() ? RespValue.Boolean.TRUE : RespValue.Boolean.FALSE;
            case 11 ->
                new RespValue.BigNumber(
                        new BigInteger(1 + data.consumeInt(0, 200), new java.util.Random(data.consumeLong()))
                                .multiply(BigInteger.valueOf(data.consumeBoolean() ? 1 : -1)));
            case 12 ->
                new RespValue.VerbatimString(
                        data.pickValue(VERBATIM_FORMATS), data.consumeBytes(data.consumeInt(0, 100)));
            case 13 -> new RespValue.BulkError(data.consumeBytes(data.consumeInt(0, 100)));
            case 14, 15 -> new RespValue.Array(elements(data, depth - 1));
            case 16 -> new RespValue.Set(elements(data, depth - 1));
            case 17 -> new RespValue.Push(elements(data, depth - 1));
            case 18 -> new RespValue.Map(pairs(data, depth - 1));
            default -> new RespValue.Attribute(pairs(data, depth - 1), value(data, depth - 1));
        };
    }

    /** What a Redis reply stream could be: top-level values, pushes between them in RESP3. */
    public static List<RespValue> replies(FuzzedDataProvider data, int count, int depth) {
        List<RespValue> replies = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            replies.add(value(data, depth));
        }
        return replies;
    }

    private static List<RespValue> elements(FuzzedDataProvider data, int depth) {
        int size = data.consumeInt(0, 6);
        List<RespValue> elements = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            elements.add(value(data, depth));
        }
        return elements;
    }

    private static List<RespValue.Pair> pairs(FuzzedDataProvider data, int depth) {
        int size = data.consumeInt(0, 4);
        List<RespValue.Pair> pairs = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            pairs.add(new RespValue.Pair(value(data, depth), value(data, depth)));
        }
        return pairs;
    }

    private static String line(FuzzedDataProvider data) {
        return data.consumeString(data.consumeInt(0, 64)).replace('\r', ' ').replace('\n', ' ');
    }

    private static String errorLine(FuzzedDataProvider data) {
        String text = line(data);
        return data.consumeBoolean() ? text : "ERR " + text;
    }

    /** Chunk sizes for splitting a byte stream, each at least 1. */
    static int[] chunks(FuzzedDataProvider data) {
        int count = data.consumeInt(1, 6);
        int[] chunks = new int[count];
        for (int i = 0; i < count; i++) {
            chunks[i] = data.consumeInt(1, 97);
        }
        return chunks;
    }
}
