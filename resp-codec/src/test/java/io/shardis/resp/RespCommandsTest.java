package io.shardis.resp;

import static io.shardis.resp.Wire.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RespCommandsTest {

    @Test
    void aViewReadsBackTheArgumentsOfAnEncodedCommand() {
        RespCommand encoded = RespCommands.encode(ByteBufAllocator.DEFAULT, "MSET", "{a}1", "", "{a}2", "v\r\nw");
        try {
            RespCommand view = RespCommands.view(encoded.content());
            assertThat(view).isNotNull();
            assertThat(view.argCount()).isEqualTo(5);
            for (int i = 0; i < 5; i++) {
                assertThat(view.argString(i)).isEqualTo(encoded.argString(i));
                assertThat(view.argOffset(i)).isEqualTo(encoded.argOffset(i));
            }
            assertThat(encoded.content().refCnt())
                    .as("a view does not retain its frame")
                    .isEqualTo(1);
        } finally {
            encoded.release();
        }
    }

    @Test
    void aViewOfAFrameReadPartlyStartsAtItsReaderIndex() {
        ByteBuf frame = Unpooled.wrappedBuffer(bytes("+OK\r\n*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n"));
        try {
            frame.skipBytes(5);
            RespCommand view = RespCommands.view(frame);
            assertThat(view.name()).isEqualTo("get");
            assertThat(view.arg(1).toString(StandardCharsets.US_ASCII)).isEqualTo("key");
            assertThat(frame.readerIndex()).isEqualTo(5);
        } finally {
            frame.release();
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "*0\r\n",
                "*1\r\n",
                "*1\r\n$3\r\nGE",
                "*x\r\n",
                "$3\r\nGET\r\n",
                "*1\r\n:3\r\n",
                "*1\r\n$-1\r\n",
                "*1\r\n$99999999999\r\nGET\r\n",
                "PING\r\n"
            })
    void whatIsNotAnArrayOfBulkStringsHasNoView(String input) {
        ByteBuf frame = Unpooled.wrappedBuffer(bytes(input));
        try {
            assertThat(RespCommands.view(frame)).isNull();
        } finally {
            frame.release();
        }
    }
}
