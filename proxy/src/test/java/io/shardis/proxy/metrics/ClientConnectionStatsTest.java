package io.shardis.proxy.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.shardis.resp.RespCommand;
import io.shardis.resp.RespRequestDecoder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The pool's client counters for each way a connection ends, as nutcracker 0.5.0 counts them. */
class ClientConnectionStatsTest {

    private final ShardisMetrics metrics = ShardisMetrics.create(
            TestConfigs.pools(Map.of("alpha", List.of("127.0.0.1:6379:1"))), "0.1.0", "vm", Clock.systemUTC());
    private final PoolMetrics pool = metrics.pool("alpha");
    /** Decoder, the handler under test, and a stand-in for the session that closes on errors as it does. */
    private final EmbeddedChannel client =
            new EmbeddedChannel(new RespRequestDecoder(), new ClientConnectionStats(pool), new ClosesOnError());

    @AfterEach
    void releaseEverything() {
        client.finishAndReleaseAll();
    }

    @Test
    void anOpenConnectionIsCounted() {
        assertThat(value(PoolStat.CLIENT_CONNECTIONS)).isEqualTo(1);
        assertThat(metrics.snapshot().currConnections()).isEqualTo(1);
    }

    @Test
    void theClientClosingItsSideIsAnEof() {
        send("*1\r\n$4\r\nPING\r\n");
        // What Netty does on FIN: closes the channel without going through the pipeline.
        client.unsafe().close(client.voidPromise());

        assertThat(value(PoolStat.CLIENT_EOF)).isEqualTo(1);
        assertThat(value(PoolStat.CLIENT_ERR)).isZero();
        assertThat(value(PoolStat.CLIENT_CONNECTIONS)).isZero();
        assertThat(metrics.snapshot().currConnections()).isZero();
    }

    @Test
    void shardisClosingAfterQuitIsAnEof() {
        send("*1\r\n$4\r\nquit\r\n");
        client.close();

        assertThat(value(PoolStat.CLIENT_EOF)).isEqualTo(1);
        assertThat(value(PoolStat.CLIENT_ERR)).isZero();
    }

    @Test
    void shardisClosingForAnotherReasonIsAnError() {
        // A protocol error: the session answers and closes.
        send("*1\r\n$x\r\n");
        client.close();

        assertThat(value(PoolStat.CLIENT_ERR)).isEqualTo(1);
        assertThat(value(PoolStat.CLIENT_EOF)).isZero();
        assertThat(value(PoolStat.CLIENT_CONNECTIONS)).isZero();
    }

    @Test
    void aResetIsAnError() {
        client.pipeline().fireExceptionCaught(new IOException("Connection reset by peer"));

        assertThat(client.isOpen()).isFalse();
        assertThat(value(PoolStat.CLIENT_ERR)).isEqualTo(1);
        assertThat(value(PoolStat.CLIENT_EOF)).isZero();
    }

    @Test
    void commandsPassThroughUntouched() {
        send("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n");
        RespCommand command = client.readInbound();
        try {
            assertThat(command.name()).isEqualToIgnoringCase("get");
            assertThat(command.argString(1)).isEqualTo("k");
        } finally {
            command.release();
        }
    }

    private void send(String wire) {
        client.writeInbound(Unpooled.copiedBuffer(wire, StandardCharsets.US_ASCII));
    }

    private long value(PoolStat stat) {
        return metrics.snapshot().pool("alpha").value(stat);
    }

    private static final class ClosesOnError extends ChannelInboundHandlerAdapter {
        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
