package io.shardis.proxy.channel;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WriteCoalescerTest {

    private final EmbeddedChannel channel = new EmbeddedChannel();
    private final WriteCoalescer out = new WriteCoalescer(ByteBufAllocator.DEFAULT);

    @AfterEach
    void close() {
        out.discard();
        channel.finishAndReleaseAll();
    }

    @Test
    void smallWritesLeaveAsOneBufferInOrder() {
        ByteBuf first = text("+OK\r\n");
        ByteBuf second = text(":42\r\n");
        out.write(channel, first);
        out.write(channel, second);
        assertThat(first.refCnt()).as("copied, then released").isZero();
        assertThat(channel.<Object>readOutbound())
                .as("nothing before the flush")
                .isNull();

        out.flush(channel);
        ByteBuf written = channel.readOutbound();
        assertThat(written.toString(StandardCharsets.US_ASCII)).isEqualTo("+OK\r\n:42\r\n");
        written.release();
        assertThat(channel.<Object>readOutbound()).isNull();
    }

    @Test
    void aLargeWriteIsPassedOnAfterWhatWasGatheredBeforeIt() {
        out.write(channel, text("+OK\r\n"));
        ByteBuf large = Unpooled.buffer(8192).writeZero(8192);
        out.write(channel, large);
        out.write(channel, text("+LAST\r\n"));
        out.flush(channel);

        ByteBuf first = channel.readOutbound();
        ByteBuf second = channel.readOutbound();
        ByteBuf third = channel.readOutbound();
        assertThat(first.toString(StandardCharsets.US_ASCII)).isEqualTo("+OK\r\n");
        assertThat(second).as("the large buffer itself, not a copy").isSameAs(large);
        assertThat(third.toString(StandardCharsets.US_ASCII)).isEqualTo("+LAST\r\n");
        first.release();
        second.release();
        third.release();
    }

    @Test
    void aFullBatchIsHandedOverWithoutWaitingForTheFlush() {
        int replies = 0;
        // bounded: a batch is handed over at 64 KiB, long before 100,000 replies
        while (channel.unsafe().outboundBuffer().totalPendingWriteBytes() == 0 && replies < 100_000) {
            out.write(channel, text("$5\r\nhello\r\n"));
            replies++;
        }
        assertThat(replies)
                .as("replies gathered before the batch is handed over")
                .isBetween(1000, 99_999);
        channel.flush();
        ByteBuf batch = channel.readOutbound();
        assertThat(batch.readableBytes()).isEqualTo(replies * 11);
        batch.release();
    }

    @Test
    void aBufferAloneBetweenTwoFlushesIsPassedOnUncopied() {
        ByteBuf alone = text("+OK\r\n");
        out.write(channel, alone);
        assertThat(channel.<Object>readOutbound())
                .as("nothing before the flush")
                .isNull();
        out.flush(channel);
        ByteBuf written = channel.readOutbound();
        assertThat(written).as("the buffer itself, not a copy").isSameAs(alone);
        written.release();

        ByteBuf next = text(":1\r\n");
        out.write(channel, next);
        out.write(channel, text(":2\r\n"));
        assertThat(next.refCnt())
                .as("copied once a second one followed, then released")
                .isZero();
        out.flush(channel);
        ByteBuf batch = channel.readOutbound();
        assertThat(batch.toString(StandardCharsets.US_ASCII)).isEqualTo(":1\r\n:2\r\n");
        batch.release();
    }

    @Test
    void discardReleasesWhatWasGathered() {
        ByteBuf alone = text("+OK\r\n");
        out.write(channel, alone);
        out.discard();
        assertThat(alone.refCnt()).isZero();
        out.write(channel, text("+OK\r\n"));
        out.write(channel, text("+OK\r\n"));
        out.discard();
        out.flush(channel);
        assertThat(channel.<Object>readOutbound()).isNull();
    }

    private static ByteBuf text(String value) {
        return Unpooled.copiedBuffer(value, StandardCharsets.US_ASCII);
    }
}
