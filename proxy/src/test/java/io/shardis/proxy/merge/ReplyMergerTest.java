package io.shardis.proxy.merge;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.shardis.proxy.command.ReplyMerge;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ReplyMergerTest {

    private final List<ByteBuf> inputs = new ArrayList<>();

    @AfterEach
    void release() {
        inputs.forEach(ByteBuf::release);
    }

    @Test
    void mgetValuesComeBackInTheOrderOfTheClientsKeys() {
        // keys k0..k3: k0 and k2 went to the first server, k1 and k3 to the second
        String merged = merge(
                ReplyMerge.KEY_ORDER,
                new int[] {0, 1, 0, 1},
                "*2\r\n$2\r\nv0\r\n$-1\r\n",
                "*2\r\n$2\r\nv1\r\n$5\r\nthree\r\n");
        assertThat(merged).isEqualTo("*4\r\n$2\r\nv0\r\n$2\r\nv1\r\n$-1\r\n$5\r\nthree\r\n");
    }

    @Test
    void mgetElementsPassByteForByteWhateverTheirType() {
        // keys k0..k5: k0, k1 and k5 on the first server, k2..k4 on the second; RESP3 nulls, an
        // empty value, a value holding CRLF, and elements that are not bulk strings at all.
        String merged = merge(
                ReplyMerge.KEY_ORDER,
                new int[] {0, 0, 1, 1, 1, 0},
                "*3\r\n$1\r\na\r\n_\r\n*2\r\n:1\r\n$2\r\n\r\n\r\n",
                "*3\r\n_\r\n$0\r\n\r\n=8\r\ntxt:a\r\nb\r\n");
        assertThat(merged)
                .isEqualTo("*6\r\n$1\r\na\r\n_\r\n_\r\n$0\r\n\r\n=8\r\ntxt:a\r\nb\r\n" + "*2\r\n:1\r\n$2\r\n\r\n\r\n");
    }

    @Test
    void mgetOfRepliesReadIntoLargerBuffersTakesOnlyTheirBytes() {
        // As read from a socket: each reply a slice of a pooled direct buffer, between other bytes.
        String[] replies = {"*2\r\n$-1\r\n$3\r\nabc\r\n", "*1\r\n$" + 5000 + "\r\n" + "v".repeat(5000) + "\r\n"};
        ByteBuf[] slices = new ByteBuf[replies.length];
        for (int i = 0; i < replies.length; i++) {
            ByteBuf read = PooledByteBufAllocator.DEFAULT.directBuffer();
            read.writeCharSequence("junk" + replies[i] + "*1\r\n", StandardCharsets.US_ASCII);
            inputs.add(read);
            slices[i] = read.slice(4, replies[i].length());
        }
        ByteBuf merged =
                ReplyMerger.merge(ReplyMerge.KEY_ORDER, slices, new int[] {1, 0, 0}, PooledByteBufAllocator.DEFAULT);
        try {
            assertThat(merged.toString(StandardCharsets.US_ASCII))
                    .isEqualTo("*3\r\n$5000\r\n" + "v".repeat(5000) + "\r\n$-1\r\n$3\r\nabc\r\n");
        } finally {
            merged.release();
        }
    }

    @Test
    void mgetOfAServerThatAnsweredFewerValuesThanKeysIsAnError() {
        assertThat(merge(ReplyMerge.KEY_ORDER, new int[] {0, 1, 1}, "*1\r\n$1\r\na\r\n", "*1\r\n$1\r\nb\r\n"))
                .startsWith("-ERR Shardis: unexpected reply of type '*'");
        assertThat(merge(ReplyMerge.KEY_ORDER, new int[] {0, 1}, "*1\r\n$1\r\na\r\n", "+OK\r\n"))
                .startsWith("-ERR Shardis: unexpected reply of type '+'");
    }

    @Test
    void countsAreAddedUp() {
        assertThat(merge(ReplyMerge.SUM, null, ":3\r\n", ":0\r\n", ":12\r\n")).isEqualTo(":15\r\n");
    }

    @Test
    void anErrorFromOneServerIsTheAnswer() {
        assertThat(merge(ReplyMerge.SUM, null, ":3\r\n", "-ERR boom\r\n")).isEqualTo("-ERR boom\r\n");
        assertThat(merge(
                        ReplyMerge.KEY_ORDER,
                        new int[] {0, 1},
                        "*1\r\n$1\r\na\r\n",
                        "-ERR Shardis: pool 'alpha' backend s2 unreachable\r\n"))
                .isEqualTo("-ERR Shardis: pool 'alpha' backend s2 unreachable\r\n");
    }

    @Test
    void sameAnswersFromEveryServerAreTheAnswerAndDifferentOnesAnError() {
        assertThat(merge(ReplyMerge.SAME, null, "+OK\r\n", "+OK\r\n")).isEqualTo("+OK\r\n");
        assertThat(merge(
                        ReplyMerge.SAME,
                        null,
                        "$40\r\n" + "a".repeat(40) + "\r\n",
                        "$40\r\n" + "b".repeat(40) + "\r\n"))
                .startsWith("-ERR Shardis: the servers of the pool answered differently");
    }

    @Test
    void arraysAreConcatenated() {
        assertThat(merge(ReplyMerge.CONCAT, null, "*1\r\n$1\r\na\r\n", "*0\r\n", "*2\r\n$1\r\nb\r\n$1\r\nc\r\n"))
                .isEqualTo("*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n");
    }

    @Test
    void scriptExistsIsTrueOnlyWhereEveryServerHasTheScript() {
        assertThat(merge(ReplyMerge.AND, null, "*3\r\n:1\r\n:1\r\n:0\r\n", "*3\r\n:1\r\n:0\r\n:0\r\n"))
                .isEqualTo("*3\r\n:1\r\n:0\r\n:0\r\n");
    }

    @Test
    void randomKeyIsNilOnlyWhenEveryServerIsEmpty() {
        assertThat(merge(ReplyMerge.ANY_NON_NIL, null, "$-1\r\n", "$3\r\nkey\r\n"))
                .isEqualTo("$3\r\nkey\r\n");
        assertThat(merge(ReplyMerge.ANY_NON_NIL, null, "$-1\r\n", "$-1\r\n")).isEqualTo("$-1\r\n");
    }

    @Test
    void scriptKillSucceedsWhereAScriptRan() {
        assertThat(merge(ReplyMerge.ANY_OK, null, "-NOTBUSY No scripts in execution right now.\r\n", "+OK\r\n"))
                .isEqualTo("+OK\r\n");
        assertThat(merge(ReplyMerge.ANY_OK, null, "-NOTBUSY none\r\n", "-NOTBUSY none\r\n"))
                .isEqualTo("-NOTBUSY none\r\n");
    }

    @Test
    void aReplyOfAnotherTypeThanExpectedIsAnErrorNotAGuess() {
        assertThat(merge(ReplyMerge.SUM, null, ":1\r\n", "+OK\r\n")).startsWith("-ERR Shardis: unexpected reply");
    }

    private String merge(ReplyMerge merge, int[] keyChild, String... replies) {
        ByteBuf[] buffers = new ByteBuf[replies.length];
        for (int i = 0; i < replies.length; i++) {
            buffers[i] = Unpooled.copiedBuffer(replies[i], StandardCharsets.US_ASCII);
            inputs.add(buffers[i]);
        }
        ByteBuf merged = ReplyMerger.merge(merge, buffers, keyChild, ByteBufAllocator.DEFAULT);
        try {
            return merged.toString(StandardCharsets.US_ASCII);
        } finally {
            merged.release();
        }
    }
}
