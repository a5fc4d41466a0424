package io.shardis.proxy.merge;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.shardis.proxy.command.ReplyMerge;
import io.shardis.resp.FuzzedResp;
import io.shardis.resp.RespLimits;
import io.shardis.resp.RespReplyFramer;
import io.shardis.resp.RespValue;
import io.shardis.resp.RespValueReader;
import io.shardis.resp.RespValueWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Coverage-guided fuzzing of the merge of a broadcast or split command's replies: every
 * {@link ReplyMerge}, one to four replies as a real Redis could send them (RESP2 and RESP3 of any
 * type and nesting, and often the shape the merge expects: integers, arrays of bulk strings, arrays
 * of 0/1, INFO text). Whatever they are, the merge returns exactly one well-formed reply, never
 * throws, leaves its inputs' reference counts as they were once its own reply is released, and
 * leaks nothing; an error reply among them is
 * the answer; when every reply has the expected shape the answer is the right one (sum, elements in
 * the client's key order, concatenation, element-wise AND).
 */
class ReplyMergerFuzzTest {

    private static final ReplyMerge[] MERGES = ReplyMerge.values();

    @FuzzTest(maxDuration = "10s")
    void anyRepliesMergeIntoOneWellFormedReply(FuzzedDataProvider data) {
        ReplyMerge merge = data.pickValue(MERGES);
        int servers = data.consumeInt(1, 4);
        boolean expectedShape = data.consumeBoolean();
        List<RespValue> values = new ArrayList<>();
        for (int i = 0; i < servers; i++) {
            values.add(expectedShape && data.consumeInt(0, 7) != 0 ? shaped(merge, data) : FuzzedResp.value(data, 3));
        }
        // MGET's keys: each client key went to one server at a place within its sub-command.
        int keys = data.consumeInt(0, 8);
        int[] keyChild = new int[keys];
        int[] keyPlace = new int[keys];
        int[] perServer = new int[servers];
        for (int k = 0; k < keys; k++) {
            keyChild[k] = data.consumeInt(0, servers - 1);
            keyPlace[k] = perServer[keyChild[k]]++;
        }
        ByteBuf[] replies = new ByteBuf[servers];
        for (int i = 0; i < servers; i++) {
            replies[i] = PooledByteBufAllocator.DEFAULT.buffer();
            RespValueWriter.write(values.get(i), replies[i]);
        }
        ByteBuf merged = null;
        try {
            merged = ReplyMerger.merge(merge, replies, keyChild, PooledByteBufAllocator.DEFAULT);
            RespReplyFramer framer = new RespReplyFramer(RespLimits.DEFAULT
                    .withMaxArrayLength(RespLimits.MAX_ARRAY_LENGTH)
                    .withMaxNesting(128));
            assertThat(framer.frame(merged.duplicate()))
                    .as("%s of %s: one whole reply", merge, values)
                    .isEqualTo(merged.readableBytes());
            RespValue answer = new RespValueReader().decode(merged.duplicate());
            checkAnswer(merge, values, keyChild, keyPlace, perServer, answer);
            // The merged reply is a new buffer or a retained input; either way, released once.
            merged.release();
            merged = null;
            for (ByteBuf reply : replies) {
                assertThat(reply.refCnt()).as("the inputs stay the caller's").isEqualTo(1);
                assertThat(reply.readerIndex()).isZero();
            }
        } finally {
            if (merged != null) {
                merged.release();
            }
            for (ByteBuf reply : replies) {
                if (reply.refCnt() > 0) {
                    reply.release(reply.refCnt());
                }
            }
        }
    }

    /** A reply of the shape {@code merge} expects. */
    private static RespValue shaped(ReplyMerge merge, FuzzedDataProvider data) {
        return switch (merge) {
            case SUM -> new RespValue.Integer(data.consumeLong(0, 1L << 40));
            case KEY_ORDER, CONCAT -> {
                List<RespValue> elements = new ArrayList<>();
                int size = data.consumeInt(0, 6);
                for (int i = 0; i < size; i++) {
                    elements.add(
                            data.consumeBoolean()
                                    ? RespValue.BulkString.NULL
                                    : new RespValue.BulkString(data.consumeBytes(data.consumeInt(0, 40))));
                }
                yield new RespValue.Array(elements);
            }
            case AND -> {
                List<RespValue> elements = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    elements.add(new RespValue.Integer(data.consumeInt(0, 1)));
                }
                yield new RespValue.Array(elements);
            }
            case INFO ->
                new RespValue.BulkString(("# Server\r\nredis_version:7.0.0\r\n# Cluster\r\ncluster_enabled:1\r\n"
                                + "# Keyspace\r\ndb0:keys=" + data.consumeInt(0, 1000) + ",expires="
                                + data.consumeInt(0, 10)
                                + ",avg_ttl=" + data.consumeInt(0, 100_000) + "\r\n" + data.consumeString(40) + "\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
            case SAME, ANY_OK ->
                data.consumeBoolean()
                        ? new RespValue.SimpleString("OK")
                        : new RespValue.SimpleError("NOTBUSY No scripts in execution right now.");
            default -> FuzzedResp.value(data, 2);
        };
    }

    private static void checkAnswer(
            ReplyMerge merge,
            List<RespValue> values,
            int[] keyChild,
            int[] keyPlace,
            int[] perServer,
            RespValue answer) {
        if (merge == ReplyMerge.ANY_OK) {
            return;
        }
        RespValue firstError =
                values.stream().filter(ReplyMergerFuzzTest::isError).findFirst().orElse(null);
        if (firstError != null) {
            assertThat(answer).as("an error among %s is the answer", values).isEqualTo(firstError);
            return;
        }
        switch (merge) {
            case SUM -> {
                if (values.stream().allMatch(v -> v instanceof RespValue.Integer)) {
                    long sum = 0;
                    for (RespValue value : values) {
                        sum += ((RespValue.Integer) value).value();
                    }
                    assertThat(answer).isEqualTo(new RespValue.Integer(sum));
                }
            }
            case KEY_ORDER -> {
                if (fitsKeys(values, perServer)) {
                    List<RespValue> expected = new ArrayList<>();
                    for (int k = 0; k < keyChild.length; k++) {
                        expected.add(((RespValue.Array) values.get(keyChild[k]))
                                .elements()
                                .get(keyPlace[k]));
                    }
                    assertThat(answer).isEqualTo(new RespValue.Array(expected));
                }
            }
            case CONCAT -> {
                if (values.stream().allMatch(v -> v instanceof RespValue.Array a && a.elements() != null)) {
                    List<RespValue> expected = new ArrayList<>();
                    values.forEach(v -> expected.addAll(((RespValue.Array) v).elements()));
                    assertThat(answer).isEqualTo(new RespValue.Array(expected));
                }
            }
            case FIRST, SCAN -> assertThat(answer).isEqualTo(values.get(0));
            default -> {
                // SAME, AND, ANY_NON_NIL, INFO: well-formed is what holds for any input.
            }
        }
    }

    private static boolean fitsKeys(List<RespValue> values, int[] perServer) {
        for (int i = 0; i < values.size(); i++) {
            if (!(values.get(i) instanceof RespValue.Array array)
                    || array.elements() == null
                    || array.elements().size() < perServer[i]) {
                return false;
            }
        }
        return true;
    }

    private static boolean isError(RespValue value) {
        return value instanceof RespValue.SimpleError || value instanceof RespValue.BulkError;
    }
}
