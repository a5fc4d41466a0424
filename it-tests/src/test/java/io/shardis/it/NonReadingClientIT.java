package io.shardis.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardis.it.support.Elapsed;
import io.shardis.it.support.RedisProcess;
import io.shardis.it.support.RespConnection;
import io.shardis.it.support.ShardisProcess;
import io.shardis.it.support.StopChildProcesses;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.Jedis;

/**
 * The scenario of a new user with a small heap: clients that pipeline GETs of a 10 KB value for a
 * second each without reading a reply, one after another. The pool must keep serving (a fresh
 * client's GET answered within a second, also while such a client is still connected), Shardis'
 * memory must stay within its budget, and the non-reading clients must have been stopped by the
 * byte limit (max_client_reply_bytes, its default here) rather than served without bound.
 */
@ExtendWith(StopChildProcesses.class)
class NonReadingClientIT {

    private static final String HEAP_AND_DIRECT = "-Xmx256m -XX:MaxDirectMemorySize=256m";
    /** Heap plus direct memory plus the JVM's own (code, threads, metaspace): what the README tells operators to plan for. */
    private static final long MEMORY_BUDGET = (256L + 256 + 200) << 20;

    private static final int VALUE_BYTES = 10 * 1024;
    private static final int ROUNDS = 3;

    @Test
    @Timeout(180)
    void clientsThatReadNothingAreStoppedByTheByteLimitAndThePoolKeepsServing() throws Exception {
        try (RedisProcess redis = RedisProcess.start();
                ShardisProcess shardis =
                        ShardisProcess.startWithJavaOpts(HEAP_AND_DIRECT, """
                     alpha:
                       listen: 127.0.0.1:${port.alpha}
                       servers:
                         - ${backend}:1
                     """, Map.of("backend", redis.address()));
                Jedis direct = redis.client()) {
            InetSocketAddress address = new InetSocketAddress("127.0.0.1", shardis.port("alpha"));
            direct.set("big", "x".repeat(VALUE_BYTES));
            direct.configResetStat();
            byte[] get = RespConnection.command("GET", "big");
            long commandsSent = 0;
            SocketChannel last = null;
            for (int round = 0; round < ROUNDS; round++) {
                SocketChannel greedy = SocketChannel.open(address);
                commandsSent += pipelineWithoutReading(greedy, get, 1_000) / get.length;
                if (round < ROUNDS - 1) {
                    greedy.close();
                } else {
                    last = greedy;
                }
            }
            try {
                // While the last non-reading client is still connected, and after the others left:
                long started = System.nanoTime();
                try (RespConnection fresh = new RespConnection(address)) {
                    assertThat(fresh.call("GET", "small")).isNull();
                }
                assertThat(Elapsed.millisSince(started))
                        .as("ms for a fresh client's GET")
                        .isLessThan(1_000);
                long rss = shardis.residentBytes();
                assertThat(rss)
                        .as("Shardis' resident bytes (%s)", HEAP_AND_DIRECT)
                        .isLessThan(MEMORY_BUDGET);
                long getsRun = PoolSettingsIT.settledGetCalls(direct);
                // Each non-reading client gets the soft limit's worth (8 MiB: ~800 replies) plus what
                // the sockets hold; without the limit, each would have its whole pipeline run.
                assertThat(getsRun)
                        .as("GETs run of %d sent by clients that read nothing", commandsSent)
                        .isLessThan(ROUNDS * 2_500L)
                        .isLessThan(commandsSent / 10);
            } finally {
                last.close();
            }
            long started = System.nanoTime();
            try (RespConnection fresh = new RespConnection(address)) {
                assertThat(fresh.call("SET", "small", "1")).isEqualTo("+OK");
                assertThat(fresh.call("GET", "small")).isEqualTo("1".getBytes());
            }
            assertThat(Elapsed.millisSince(started))
                    .as("ms for a fresh client after all left")
                    .isLessThan(1_000);
            assertThat(shardis.isAlive()).isTrue();
            assertThat(shardis.log()).doesNotContain("direct buffer memory").doesNotContain("OutOfMemory");
        }
    }

    /** Writes {@code command} over and over for {@code millis} without reading; returns the bytes taken. */
    private static long pipelineWithoutReading(SocketChannel client, byte[] command, long millis) throws IOException {
        client.configureBlocking(false);
        byte[] batch = new byte[command.length * 1_000];
        for (int i = 0; i < 1_000; i++) {
            System.arraycopy(command, 0, batch, i * command.length, command.length);
        }
        ByteBuffer buffer = ByteBuffer.wrap(batch);
        long taken = 0;
        long deadline = System.nanoTime() + millis * 1_000_000L;
        while (System.nanoTime() - deadline < 0) {
            if (!buffer.hasRemaining()) {
                buffer.rewind();
            }
            int written = client.write(buffer);
            taken += written;
            if (written == 0) {
                Thread.onSpinWait();
                try {
                    Thread.sleep(1); // polling a non-blocking socket for a bounded second, not waiting for a result
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        // A command left half-written is never completed: Shardis has stopped reading this client.
        return taken;
    }
}
