package io.shardis.proxy.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufAllocator;
import io.shardis.resp.RespCommand;
import io.shardis.resp.RespCommands;
import org.junit.jupiter.api.Test;

class ScanCursorTest {

    @Test
    void zeroStartsOnTheFirstServer() {
        ScanCursor cursor = parse("0", 4);
        assertThat(cursor.server()).isZero();
        assertThat(cursor.serverCursor()).isZero();
    }

    @Test
    void theLowBitsNameTheServerAndTheRestIsItsCursor() {
        ScanCursor cursor = parse(Long.toString((1234L << 2) | 3), 4);
        assertThat(cursor.server()).isEqualTo(3);
        assertThat(cursor.serverCursor()).isEqualTo(1234);
        assertThat(cursor.following(99)).as("same server, further on").isEqualTo((99L << 2) | 3);
    }

    @Test
    void aFinishedServerHandsOverToTheNextAndTheLastEndsTheWalk() {
        assertThat(parse("0", 3).following(0)).isEqualTo(1);
        assertThat(parse("2", 3).following(0))
                .as("the last of three servers is done")
                .isZero();
    }

    @Test
    void cursorsShardisDidNotHandOutAreRefused() {
        assertThat(parse("3", 3)).as("server 3 of 0..2").isNull();
        assertThat(parse("abc", 3)).isNull();
        assertThat(parse("-1", 3)).isNull();
    }

    @Test
    void aServerCursorTooLargeToShareTheBitsIsRefusedNotWrapped() {
        assertThat(parse("0", 4).following(-1L >>> 1)).isEqualTo(-1);
    }

    private static ScanCursor parse(String cursor, int servers) {
        RespCommand command = RespCommands.encode(ByteBufAllocator.DEFAULT, "SCAN", cursor);
        try {
            return ScanCursor.parse(command, servers);
        } finally {
            command.release();
        }
    }
}
