package io.shardis.proxy.session;

import static io.shardis.proxy.session.SessionHarness.bulk;
import static io.shardis.proxy.session.SessionHarness.sentOn;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.shardis.proxy.backend.BackendSettings;
import io.shardis.proxy.backend.PendingCommand;
import io.shardis.proxy.backend.Redirects;
import io.shardis.proxy.backend.UnreachableHold;
import io.shardis.proxy.command.CommandSpec;
import io.shardis.proxy.command.CommandTable;
import io.shardis.resp.RespCommand;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Pools that keep each command's frame until it is answered (cluster and Sentinel pools) send a
 * redirected or held command again with exactly the bytes the client sent, although the buffer
 * kept is the one written to the first server, whose reader index the write moved.
 */
class KeptFrameTest {

    private static final String SENTINEL = "  sentinels: [127.0.0.1:26379]\n";
    private static final String GET_AKEY = "*2\r\n$3\r\nGET\r\n$4\r\nakey\r\n";

    private SessionHarness pool;

    @AfterEach
    void tearDown() {
        SessionHarness.closeAndCheckReleased(pool);
    }

    @Test
    void aMovedCommandIsSentAgainWithItsOwnBytesAfterItsBufferWasWritten() {
        pool = new SessionHarness(2, SENTINEL, loop -> new MovedToServerOne());
        // Twice: the second command may reuse the first one's pooled holder, which must carry nothing over.
        for (int round = 0; round < 2; round++) {
            pool.send("GET akey");
            writeOut(pool.backend(0));
            pool.answer(pool.backend(0), "-MOVED 1234 127.0.0.1:7001\r\n");

            assertThat(sentOn(pool.backend(1))).isEqualTo(GET_AKEY);
            pool.answer(pool.backend(1), bulk("v" + round));
            assertThat(pool.received()).isEqualTo(bulk("v" + round));
        }
    }

    @Test
    void aCommandHeldForAFailoverIsSentAgainWithItsOwnBytesAfterItsBufferWasWritten() throws InterruptedException {
        pool = new SessionHarness(
                1, SENTINEL, loop -> new UnreachableHold(new SameServer(), CommandTable.standard(), loop, 60_000));
        pool.send("GET akey");
        writeOut(pool.backend(0));
        // The master goes away with the read in flight: the read waits, then goes to the server again.
        pool.backend(0).close();
        pool.settle();
        for (int wait = 0; wait < 500 && pool.channelsTo(0).size() < 2; wait++) {
            Thread.sleep(10);
            pool.settle();
        }
        assertThat(pool.channelsTo(0)).hasSize(2);
        EmbeddedChannel successor = pool.channelsTo(0).get(1);

        assertThat(sentOn(successor)).isEqualTo(GET_AKEY);
        pool.answer(successor, bulk("v"));
        assertThat(pool.received()).isEqualTo(bulk("v"));
    }

    /** Takes what {@code backend} was sent as a socket write does: reads it all (moving its reader index), then releases it. */
    private static void writeOut(EmbeddedChannel backend) {
        StringBuilder written = new StringBuilder();
        for (Object out; (out = backend.readOutbound()) != null; ) {
            ByteBuf buf = (ByteBuf) out;
            written.append(buf.readCharSequence(buf.readableBytes(), StandardCharsets.US_ASCII));
            buf.release();
        }
        assertThat(written.toString()).isEqualTo(GET_AKEY);
    }

    /** Follows MOVED as a cluster pool does, to server 1 whatever the node named. */
    private final class MovedToServerOne implements Redirects {

        @Override
        public boolean follow(PendingCommand command, ByteBuf reply, BackendSettings from) {
            if (!reply.toString(StandardCharsets.US_ASCII).startsWith("-MOVED")) {
                return false;
            }
            reply.release();
            pool.backends()
                    .shared(1, command.sharedIndex(), command.protocol())
                    .send(command.resendableFrame(), command);
            return true;
        }
    }

    /** Held commands go back to the server they were sent to, as in a Sentinel-managed pool. */
    private static final class SameServer implements UnreachableHold.Route {

        private final Object version = new Object();

        @Override
        public int keyOf(RespCommand view, CommandSpec spec, BackendSettings from) {
            return 0;
        }

        @Override
        public int serverOf(int key, PendingCommand command) {
            return key;
        }

        @Override
        public Object version() {
            return version;
        }

        @Override
        public String awaited(int key) {
            return "no master";
        }
    }
}
