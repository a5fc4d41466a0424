package io.shardis.topology.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.protocol.RedisStateMachine;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.shardis.resp.RespValue;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Lettuce's decoder feeding {@link RespValueOutput} sees the same reply as Shardis' own reader. */
class RespValueOutputTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "shards-3x1.resp",
                "slots-3x1.resp",
                "shards-after-failover.resp",
                "slots-unknown-endpoint.resp",
                "shards-hostnames.resp"
            })
    void capturedRepliesDecodeAsRespValueReaderDecodesThem(String file) {
        assertThat(decodeWithLettuce(CapturedReplies.bytes(file))).isEqualTo(CapturedReplies.value(file));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "*0\r\n",
                "*2\r\n*0\r\n*1\r\n*0\r\n",
                "*3\r\n$-1\r\n$2\r\nOK\r\n:-7\r\n",
                "*2\r\n*2\r\n:1\r\n*1\r\n$3\r\nabc\r\n:2\r\n",
                "$5\r\nhello\r\n",
                ":42\r\n"
            })
    void nestedAndEmptyArraysKeepTheirShape(String wire) {
        byte[] bytes = wire.getBytes(StandardCharsets.US_ASCII);
        RespValue expected;
        ByteBuf buffer = Unpooled.wrappedBuffer(bytes);
        try {
            expected = new io.shardis.resp.RespValueReader().decode(buffer);
        } finally {
            buffer.release();
        }
        assertThat(decodeWithLettuce(bytes)).isEqualTo(expected);
    }

    @SuppressWarnings("deprecation") // Lettuce's reference decoder; its replacement constructor is internal
    private static RespValue decodeWithLettuce(byte[] reply) {
        RedisStateMachine machine = new RedisStateMachine(ByteBufAllocator.DEFAULT);
        ByteBuf buffer = Unpooled.wrappedBuffer(reply);
        try {
            RespValueOutput output = new RespValueOutput();
            assertThat(machine.decode(buffer, output)).as("a complete reply").isTrue();
            return output.get();
        } finally {
            buffer.release();
            machine.close();
        }
    }
}
