package io.shardis.proxy.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.shardis.proxy.backend.PendingCommand;
import io.shardis.proxy.backend.ReplySink;
import io.shardis.proxy.config.ClientReplyLimit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * max_pipeline and max_client_reply_bytes on a client connection (EmbeddedChannel): a client
 * that reads nothing is held back past the soft limit, its commands kept in order until it reads
 * again, and disconnected past the hard limit or after the soft one's seconds.
 */
class ClientRepliesTest {

    private static final int KB = 1024;
    /** hard 256k, soft 64k, 5 s. */
    private static final ClientReplyLimit LIMIT = new ClientReplyLimit(256 * KB, 64 * KB, 5);

    private final List<Object> dispatched = new ArrayList<>();
    private final List<ReplyBytes.Verdict> breaches = new ArrayList<>();
    private final ReplyBudget budget = new ReplyBudget(1L << 40);
    private final Sink sink = new Sink();
    private EmbeddedChannel client;
    private ClientReplies replies;

    private void start(int maxPipeline) {
        // As the session does: the connection's writability changes are the replies' to judge.
        ChannelInboundHandlerAdapter handler = new ChannelInboundHandlerAdapter() {
            @Override
            public void channelWritabilityChanged(ChannelHandlerContext ctx) {
                replies.writabilityChanged();
            }
        };
        client = new EmbeddedChannel(new NotReading(), handler);
        ChannelHandlerContext ctx = client.pipeline().context(handler);
        replies = new ClientReplies(
                ctx,
                sink,
                maxPipeline,
                new ReplyBytes(LIMIT, budget),
                (why, held) -> breaches.add(why),
                dispatched::add);
    }

    @AfterEach
    void tearDown() {
        replies.discard();
        if (client.pipeline().get(NotReading.class) != null) {
            client.pipeline().remove(NotReading.class);
        }
        client.flush();
        client.finishAndReleaseAll();
        assertThat(budget.held()).as("bytes left in the shared budget").isZero();
    }

    @Test
    void pastMaxPipelineCommandsAlreadyReadWaitInOrderUntilRepliesAreWritten() {
        start(4);
        List<PendingCommand> sent = expect(4);
        assertThat(replies.holdBack("cmd-5")).isTrue();
        assertThat(replies.holdBack("cmd-6")).isTrue();
        assertThat(client.config().isAutoRead()).isFalse();

        for (PendingCommand command : sent) {
            replies.arrived(command, reply(10));
        }
        client.runPendingTasks();

        assertThat(dispatched).containsExactly("cmd-5", "cmd-6");
        assertThat(client.config().isAutoRead()).isTrue();
        assertThat(replies.holdBack("cmd-7")).isFalse();
    }

    @Test
    void aClientThatReadsNothingIsHeldBackPastTheSoftLimitAndServedAgainOnceItReads() {
        start(16384);
        // Before any reply a command is assumed to cost a sixteenth of the soft limit.
        List<PendingCommand> sent = expect(16);
        assertThat(replies.holdBack("next")).isTrue();
        // 10 KB replies that the client does not read: they stay in its connection's buffer.
        for (PendingCommand command : sent) {
            replies.arrived(command, reply(10 * KB));
        }
        assertThat(replies.heldBytes()).isGreaterThan(LIMIT.softBytes());
        assertThat(breaches).isEmpty();
        assertThat(dispatched).isEmpty();
        assertThat(client.config().isAutoRead()).isFalse();

        // The client reads: everything is written, and what waited is processed.
        client.pipeline().remove(NotReading.class);
        client.flush();
        client.runPendingTasks();
        assertThat(client.outboundMessages()).isNotEmpty();
        client.releaseOutbound();
        replies.writabilityChanged();
        client.runPendingTasks();
        assertThat(replies.heldBytes()).isZero();
        assertThat(dispatched).containsExactly("next");
        assertThat(client.config().isAutoRead()).isTrue();
        assertThat(breaches).isEmpty();
    }

    @Test
    void aSingleReplyLargerThanTheHardLimitReachesAClientThatHoldsNothingElse() {
        start(16384);
        List<PendingCommand> sent = expect(2);
        replies.arrived(sent.get(0), reply(1024 * KB));
        assertThat(breaches).isEmpty();
        assertThat(replies.heldBytes()).isGreaterThan(LIMIT.hardBytes());
        // A second large one on top of it, the client still not reading: that is past the hard limit.
        replies.arrived(sent.get(1), reply(100 * KB));
        assertThat(breaches).containsExactly(ReplyBytes.Verdict.DROP_HARD);
    }

    @Test
    void pastTheHardLimitTheClientIsDisconnectedOnce() {
        start(16384);
        List<PendingCommand> sent = expect(16);
        List<PendingCommand> more = expect(16);
        for (PendingCommand command : sent) {
            replies.arrived(command, reply(10 * KB));
        }
        assertThat(breaches).isEmpty();
        for (PendingCommand command : more) {
            replies.arrived(command, reply(10 * KB));
        }
        assertThat(breaches).containsExactly(ReplyBytes.Verdict.DROP_HARD);
        assertThat(client.config().isAutoRead()).isFalse();
    }

    @Test
    void pastTheSoftLimitForItsSecondsTheClientIsDisconnectedEvenIfNothingMoreArrives() {
        start(16384);
        for (PendingCommand command : expect(10)) {
            replies.arrived(command, reply(10 * KB));
        }
        assertThat(breaches).isEmpty();
        client.advanceTimeBy(4, TimeUnit.SECONDS);
        client.runScheduledPendingTasks();
        assertThat(breaches).isEmpty();
        client.advanceTimeBy(2, TimeUnit.SECONDS);
        client.runScheduledPendingTasks();
        assertThat(breaches).containsExactly(ReplyBytes.Verdict.DROP_SOFT_TOO_LONG);
    }

    private List<PendingCommand> expect(int count) {
        List<PendingCommand> sent = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            PendingCommand command = new PendingCommand(sink);
            replies.expect(command);
            sent.add(command);
        }
        return sent;
    }

    private static ByteBuf reply(int bytes) {
        ByteBuf reply = Unpooled.directBuffer(bytes);
        reply.writeZero(bytes);
        return reply;
    }

    /** A client that reads nothing: no byte written to it ever leaves its connection's buffer. */
    private static final class NotReading extends ChannelOutboundHandlerAdapter {
        @Override
        public void flush(ChannelHandlerContext ctx) {}
    }

    private static final class Sink implements ReplySink {
        @Override
        public void onReply(PendingCommand command, ByteBuf reply) {
            reply.release();
        }
    }
}
