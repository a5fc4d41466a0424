package io.shardis.resp;

import static io.shardis.resp.Wire.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RespReplyFramerTest {

    private static int frame(RespLimits limits, String input) {
        ByteBuf buf = Unpooled.wrappedBuffer(bytes(input));
        try {
            return new RespReplyFramer(limits).frame(buf);
        } finally {
            buf.release();
        }
    }

    private static int frame(String input) {
        return frame(RespLimits.DEFAULT, input);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "+OK\r\n",
                "-ERR wrong type\r\n",
                ":-42\r\n",
                "$3\r\nfoo\r\n",
                "$0\r\n\r\n",
                "$-1\r\n",
                "*-1\r\n",
                "*0\r\n",
                "$4\r\na\r\nb\r\n",
                "*2\r\n$1\r\na\r\n:1\r\n",
                "_\r\n",
                ",1.5\r\n",
                ",inf\r\n",
                ",-inf\r\n",
                ",nan\r\n",
                "#t\r\n",
                "#f\r\n",
                "(3492890328409238509324850943850943825024385\r\n",
                "=15\r\ntxt:Some string\r\n",
                "!21\r\nSYNTAX invalid syntax\r\n",
                "%2\r\n+first\r\n:1\r\n+second\r\n:2\r\n",
                "%0\r\n",
                "~3\r\n+orange\r\n+apple\r\n#t\r\n",
                ">3\r\n+message\r\n+chan\r\n$5\r\nhello\r\n",
                "|1\r\n+key-popularity\r\n%2\r\n$1\r\na\r\n,0.1923\r\n$1\r\nb\r\n,0.0012\r\n*2\r\n:2039123\r\n:9543892\r\n",
                "|0\r\n:1\r\n",
                "|1\r\n+a\r\n+b\r\n|1\r\n+c\r\n+d\r\n:1\r\n",
                "*3\r\n:1\r\n|1\r\n+ttl\r\n:3600\r\n$1\r\nv\r\n*1\r\n%1\r\n~1\r\n_\r\n>0\r\n",
                "*2\r\n*-1\r\n*0\r\n"
            })
    void framesEveryTypeAsOneReply(String reply) {
        assertThat(frame(reply + "+NEXT\r\n")).isEqualTo(bytes(reply).length);
        assertThat(frame(reply.substring(0, reply.length() - 1))).isEqualTo(-1);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "@what\r\n",
                "$abc\r\n",
                "$-2\r\n",
                "*-2\r\n",
                "%-5\r\n",
                "|-1\r\n",
                "!-1\r\n",
                "$3\r\nfooXY",
                "+OK\rX",
                "*1\r\n$1\r\naXY",
                "=-1\r\n"
            })
    void refusesMalformedReplies(String reply) {
        assertThatThrownBy(() -> frame(reply)).isInstanceOf(RespProtocolException.class);
    }

    @Test
    void enforcesBulkAndAggregateLimits() {
        RespLimits limits = RespLimits.DEFAULT.withMaxBulkLength(10).withMaxArrayLength(3);
        assertThat(frame(limits, "$10\r\n0123456789\r\n")).isEqualTo(17);
        assertThatThrownBy(() -> frame(limits, "$11\r\n")).isInstanceOf(RespProtocolException.class);
        assertThat(frame(limits, "*3\r\n:1\r\n:2\r\n:3\r\n")).isEqualTo(16);
        assertThatThrownBy(() -> frame(limits, "*4\r\n")).isInstanceOf(RespProtocolException.class);
        assertThatThrownBy(() -> frame(limits, "%4\r\n")).isInstanceOf(RespProtocolException.class);
        assertThatThrownBy(() -> frame("*2000000000\r\n")).isInstanceOf(RespProtocolException.class);
        assertThatThrownBy(() -> frame("$2000000000\r\n")).isInstanceOf(RespProtocolException.class);
    }

    @Test
    void enforcesTheNestingLimit() {
        RespLimits limits = RespLimits.DEFAULT.withMaxNesting(3);
        assertThat(frame(limits, "*1\r\n*1\r\n%1\r\n:1\r\n:2\r\n")).isEqualTo(20);
        assertThatThrownBy(() -> frame(limits, "*1\r\n*1\r\n*1\r\n*1\r\n:1\r\n"))
                .isInstanceOf(RespProtocolException.class)
                .hasMessageContaining("nested");
        assertThatThrownBy(() -> frame(limits, "*1\r\n*1\r\n*1\r\n|1\r\n"))
                .isInstanceOf(RespProtocolException.class)
                .hasMessageContaining("nested");
    }

    @Test
    void deepNestingBeyondTheDefaultLimitIsRefusedNotAStackOverflow() {
        String deep = "*1\r\n".repeat(100_000);
        assertThatThrownBy(() -> frame(deep)).isInstanceOf(RespProtocolException.class);
    }

    @Test
    void resumesAPartialReplyAcrossCalls() {
        RespReplyFramer framer = new RespReplyFramer(RespLimits.DEFAULT);
        ByteBuf buf = Unpooled.buffer();
        try {
            buf.writeBytes(bytes("*2\r\n$5\r\nhel"));
            assertThat(framer.frame(buf)).isEqualTo(-1);
            buf.writeBytes(bytes("lo\r\n:"));
            assertThat(framer.frame(buf)).isEqualTo(-1);
            buf.writeBytes(bytes("7\r\n+OK\r\n"));
            assertThat(framer.frame(buf)).isEqualTo(19);
            buf.skipBytes(19);
            assertThat(framer.frame(buf)).isEqualTo(5);
        } finally {
            buf.release();
        }
    }

    @Test
    void aLargeBulkArrivingInChunksIsNotRescanned() {
        int size = 64 * 1024 * 1024;
        int chunk = 64 * 1024;
        byte[] header = bytes("$" + size + "\r\n");
        CountingByteBuf buf = new CountingByteBuf(header.length + size + 2);
        try {
            RespReplyFramer framer = new RespReplyFramer(RespLimits.DEFAULT);
            buf.writeBytes(header);
            byte[] piece = new byte[chunk];
            Arrays.fill(piece, (byte) '\r'); // the worst content for a scanner looking for line ends
            int calls = 0;
            for (int written = 0; written < size; written += chunk) {
                assertThat(framer.frame(buf)).isEqualTo(-1);
                buf.writeBytes(piece);
                calls++;
            }
            buf.writeBytes(bytes("\r\n"));
            assertThat(framer.frame(buf)).isEqualTo(header.length + size + 2);
            // A framer that rescanned the body would look at ~2^41 bytes; one that resumes looks at a few per call.
            assertThat(buf.examined()).isLessThan(64L * (calls + 1));
        } finally {
            buf.release();
        }
    }

    @Test
    void aReplyLineLongerThanTheHeaderLimitIsRefused() {
        RespLimits limits = RespLimits.DEFAULT.withMaxInlineLength(16);
        assertThatThrownBy(() -> frame(limits, "+" + "x".repeat(64))).isInstanceOf(RespProtocolException.class);
    }

    /** Found by RespReplyFuzzTest: a long line was refused when split over reads, accepted when it came whole. */
    @Test
    void aLongReplyLineIsRefusedAlsoWhenItsEndIsAlreadyThere() {
        RespLimits limits = RespLimits.DEFAULT.withMaxInlineLength(16);
        assertThatThrownBy(() -> frame(limits, "-ERR " + "x".repeat(64) + "\r\n"))
                .isInstanceOf(RespProtocolException.class);
        assertThatThrownBy(() -> frame(limits, "-ERR " + "x".repeat(64) + "\r"))
                .isInstanceOf(RespProtocolException.class);
        assertThat(frame(limits, "-ERR " + "x".repeat(11) + "\r\n")).isEqualTo(18);
    }

    @Test
    void recognisesErrors() {
        ByteBuf error = Unpooled.wrappedBuffer(bytes("-MOVED 3999 127.0.0.1:6381\r\n"));
        ByteBuf bulkError = Unpooled.wrappedBuffer(bytes("!3\r\nERR\r\n"));
        ByteBuf ok = Unpooled.wrappedBuffer(bytes("+OK\r\n"));
        try {
            assertThat(RespReplyFramer.isError(error)).isTrue();
            assertThat(RespReplyFramer.isError(bulkError)).isTrue();
            assertThat(RespReplyFramer.isError(ok)).isFalse();
        } finally {
            error.release();
            bulkError.release();
            ok.release();
        }
    }
}
