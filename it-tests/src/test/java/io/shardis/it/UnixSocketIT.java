package io.shardis.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardis.it.support.RedisProcess;
import io.shardis.it.support.ShardisFixture;
import io.shardis.it.support.StopChildProcesses;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/** Unix sockets as nutcracker.yml writes them: a pool listening on one, with a mode, and servers reached through them. */
@ExtendWith(StopChildProcesses.class)
class UnixSocketIT {

    private static final Duration REPLY_TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    @SuppressWarnings("try") // the pool only has to be running
    void aPoolListensOnAUnixSocketAndShardsOverTcpAndUnixServers() throws Exception {
        Path redisSocket = dir.resolve("redis.sock");
        Path shardisSocket = dir.resolve("shardis.sock");
        try (RedisProcess overUnix =
                        RedisProcess.start("--unixsocket", redisSocket.toString(), "--unixsocketperm", "700");
                RedisProcess overTcp = RedisProcess.start();
                ShardisFixture shardis = ShardisFixture.start(
                        """
                     alpha:
                       listen: ${socket} 0600
                       redis: true
                       hash: md5
                       servers:
                         - ${unix}:1 left
                         - ${tcp}:1 right
                     """, Map.of("socket", shardisSocket, "unix", redisSocket, "tcp", overTcp.address()))) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(shardisSocket)))
                    .isEqualTo("rw-------");
            try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(shardisSocket))) {
                for (int i = 0; i < 100; i++) {
                    assertThat(call(client, "SET", "unix:" + i, "v" + i)).isEqualTo("+OK\r\n");
                }
                assertThat(call(client, "GET", "unix:42")).isEqualTo("$3\r\nv42\r\n");
                assertThat(call(client, "DBSIZE")).isEqualTo(":100\r\n");
            }
            try (Jedis direct = overUnix.client();
                    Jedis other = overTcp.client()) {
                assertThat(direct.dbSize())
                        .as("keys on the server behind the Unix socket")
                        .isPositive();
                assertThat(other.dbSize()).as("keys on the TCP server").isPositive();
                assertThat(direct.dbSize() + other.dbSize()).isEqualTo(100);
            }
        }
        assertThat(shardisSocket).as("the socket file goes when Shardis stops").doesNotExist();
    }

    /** Sends one command and reads one short reply, failing if it is not complete within {@link #REPLY_TIMEOUT}. */
    private static String call(SocketChannel channel, String... args) throws IOException {
        StringBuilder command = new StringBuilder("*").append(args.length).append("\r\n");
        for (String arg : args) {
            command.append('$').append(arg.length()).append("\r\n").append(arg).append("\r\n");
        }
        ByteBuffer request = ByteBuffer.wrap(command.toString().getBytes(StandardCharsets.UTF_8));
        ByteBuffer reply = ByteBuffer.allocate(256);
        long deadline = System.nanoTime() + REPLY_TIMEOUT.toNanos();
        // Non-blocking, so that a reply that never comes fails the test instead of holding it.
        channel.configureBlocking(false);
        try (Selector selector = Selector.open()) {
            SelectionKey key = channel.register(selector, SelectionKey.OP_WRITE);
            while (request.hasRemaining() || !complete(reply)) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    throw new AssertionError("no complete reply to " + String.join(" ", args) + " within "
                            + REPLY_TIMEOUT.toSeconds() + " s; got: "
                            + new String(reply.array(), 0, reply.position(), StandardCharsets.UTF_8));
                }
                selector.select(left);
                if (request.hasRemaining()) {
                    channel.write(request);
                    if (!request.hasRemaining()) {
                        key.interestOps(SelectionKey.OP_READ);
                    }
                } else if (channel.read(reply) < 0) {
                    break;
                }
            }
            key.cancel();
        }
        return new String(reply.array(), 0, reply.position(), StandardCharsets.UTF_8);
    }

    private static boolean complete(ByteBuffer reply) {
        String text = new String(reply.array(), 0, reply.position(), StandardCharsets.UTF_8);
        if (!text.endsWith("\r\n")) {
            return false;
        }
        return text.charAt(0) != '$' || text.indexOf("\r\n") < text.length() - 2;
    }
}
