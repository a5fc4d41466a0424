package io.shardis.resp;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RespRepliesHeaderTest {

    private static String header(char type, long value, boolean direct) {
        ByteBuf out = direct ? Unpooled.directBuffer(1) : Unpooled.buffer(1);
        try {
            RespReplies.writeHeader(out, type, value);
            return out.toString(StandardCharsets.US_ASCII);
        } finally {
            out.release();
        }
    }

    @Test
    void headersSpellTheNumberAsLongToStringDoes() {
        long[] values = {
            0,
            1,
            9,
            10,
            11,
            64,
            99,
            100,
            101,
            999,
            1000,
            12345,
            99999,
            100000,
            1L << 31,
            999_999_999_999_999_999L,
            1_000_000_000_000_000_000L,
            Long.MAX_VALUE,
            -1,
            -9,
            -10,
            -99,
            -100,
            -12345,
            Long.MIN_VALUE + 1,
            Long.MIN_VALUE
        };
        for (long value : values) {
            assertThat(header('$', value, false)).isEqualTo("$" + value + "\r\n");
            assertThat(header('*', value, true)).isEqualTo("*" + value + "\r\n");
        }
        SplittableRandom random = new SplittableRandom(11);
        for (int i = 0; i < 10_000; i++) {
            long value = random.nextLong() >> random.nextInt(64);
            assertThat(header(':', value, i % 2 == 0)).isEqualTo(":" + value + "\r\n");
        }
    }

    @Test
    void headersAppendAfterWhatTheBufferHolds() {
        ByteBuf out = Unpooled.buffer(4);
        try {
            out.writeByte('x');
            RespReplies.writeHeader(out, '$', 7);
            RespReplies.writeHeader(out, '$', 42);
            RespReplies.writeHeader(out, '*', 100);
            assertThat(out.toString(StandardCharsets.US_ASCII)).isEqualTo("x$7\r\n$42\r\n*100\r\n");
        } finally {
            out.release();
        }
    }
}
