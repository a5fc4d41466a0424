package io.shardis.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardis.it.support.RespConnection;
import io.shardis.it.support.SingleBackendShardis;
import io.shardis.it.support.StopChildProcesses;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A client that writes faster than its backend takes the bytes is not read from: what Shardis
 * holds for one backend stays bounded instead of growing with the client's pipeline.
 */
@ExtendWith(StopChildProcesses.class)
class BackPressureIT {

    /** No timeout: the frozen backend must hold the commands, not fail them. */
    @RegisterExtension
    static final SingleBackendShardis env = SingleBackendShardis.withConfig("""
            alpha:
              listen: 127.0.0.1:0
              redis: true
              servers:
                - ${backend}:1
            """);

    private static final int VALUE_BYTES = 1024 * 1024;
    private static final long OFFERED_BYTES = 512L * 1024 * 1024;
    /** Kernel socket buffers on both hops plus Shardis' own bounded backlog stay well under this. */
    private static final long ACCEPTED_LIMIT = 96L * 1024 * 1024;

    @Test
    @Timeout(120)
    void aClientIsNotReadFromWhileItsBackendCannotKeepUp() throws IOException {
        byte[] frame = RespConnection.command("SET", "bp:key", "x".repeat(VALUE_BYTES));
        env.redis().freeze();
        long accepted;
        try (SocketChannel client = SocketChannel.open(env.address())) {
            client.configureBlocking(false);
            accepted = writeUntilStalled(client, frame);
            assertThat(accepted)
                    .as("bytes Shardis took from a client whose backend is frozen")
                    .isLessThan(ACCEPTED_LIMIT);

            env.redis().thaw();
            // Finish the frame in progress, then every SET sent is answered, in order.
            client.configureBlocking(true);
            int partial = (int) (accepted % frame.length);
            if (partial > 0) {
                client.write(ByteBuffer.wrap(frame, partial, frame.length - partial));
            }
            long commands = (accepted + frame.length - 1) / frame.length;
            byte[] ok = "+OK\r\n".getBytes();
            ByteBuffer replies = ByteBuffer.allocate((int) (commands * ok.length));
            while (replies.hasRemaining()) {
                if (client.read(replies) < 0) {
                    break;
                }
            }
            byte[] expected = new byte[replies.capacity()];
            for (int i = 0; i < commands; i++) {
                System.arraycopy(ok, 0, expected, i * ok.length, ok.length);
            }
            assertThat(Arrays.equals(replies.array(), expected))
                    .as("one +OK per SET")
                    .isTrue();
        } finally {
            env.redis().thaw();
        }
        try (RespConnection other = new RespConnection(env.address())) {
            assertThat(other.call("PING")).isEqualTo("+PONG");
        }
    }

    /** Writes frames until no byte has been taken for a while; returns the bytes taken. */
    private static long writeUntilStalled(SocketChannel client, byte[] frame) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(frame);
        long accepted = 0;
        long lastProgress = System.nanoTime();
        while (accepted < OFFERED_BYTES && System.nanoTime() - lastProgress < 1_500_000_000L) {
            if (!buffer.hasRemaining()) {
                buffer.rewind();
            }
            int written = client.write(buffer);
            if (written > 0) {
                accepted += written;
                lastProgress = System.nanoTime();
            } else {
                Thread.onSpinWait();
                try {
                    Thread.sleep(5); // polling a non-blocking socket, not waiting for a result
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        return accepted;
    }
}
