package io.shardis.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.shardis.it.support.RedisProcess;
import io.shardis.it.support.RespConnection;
import io.shardis.it.support.ShardisProcess;
import io.shardis.it.support.StopChildProcesses;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * SIGTERM to the real process, as {@code kill PID} and systemd send it (README, "Stopping"): new
 * connections are refused at once, replies owed for commands already read are written, the process
 * exits within the drain deadline of 2 s with status 143 (the JVM's 128 + TERM, which the shipped
 * systemd unit counts as a clean stop).
 */
@ExtendWith(StopChildProcesses.class)
class SigtermIT {

    /** The README's drain deadline. */
    private static final Duration DRAIN = Duration.ofSeconds(2);
    /** Past the drain: closing connections and event loops, and the JVM's exit, on a loaded machine. */
    private static final Duration EXIT_SLACK = Duration.ofSeconds(8);

    private static final int SIGTERM_EXIT_CODE = 143;

    private static final String CONFIG = """
            alpha:
              listen: 127.0.0.1:${port.alpha}
              redis: true
              timeout: 5000
              servers:
                - ${backend}:1
            """;

    @Test
    void newClientsAreRefusedAtOnceAndOwedRepliesWrittenBeforeTheExit() throws Exception {
        try (RedisProcess redis = RedisProcess.start();
                ShardisProcess shardis = ShardisProcess.start(CONFIG, Map.of("backend", redis.address()))) {
            InetSocketAddress address = new InetSocketAddress("127.0.0.1", shardis.port("alpha"));
            try (RespConnection owed = new RespConnection(address);
                    RespConnection idle = new RespConnection(address)) {
                assertThat(idle.call("PING")).isEqualTo("+PONG");
                // A blocking call that ends by itself after 1 s, and a write behind it in the same packet.
                ByteArrayOutputStream pipeline = new ByteArrayOutputStream();
                RespConnection.appendCommand(pipeline, "BLPOP", "sigterm:nothing", "1");
                RespConnection.appendCommand(pipeline, "SET", "sigterm:after", "1");
                owed.write(pipeline.toByteArray());
                await().atMost(Duration.ofSeconds(10))
                        .pollInterval(Duration.ofMillis(10))
                        .until(() -> redis.blockedClients() == 1);

                long signalled = System.nanoTime();
                shardis.sigterm();
                long refusedAfterMillis = millisUntilRefused(address, signalled);

                assertThat(owed.read())
                        .as("the BLPOP's own reply: it timed out")
                        .isNull();
                assertThat(owed.read()).isEqualTo("+OK");
                assertThat(owed.closedByServer())
                        .as("closed once its replies are written")
                        .isTrue();
                assertThat(idle.closedByServer())
                        .as("a client owed nothing is closed")
                        .isTrue();

                Optional<Integer> exit = shardis.awaitExit(DRAIN.plus(EXIT_SLACK));
                long exitedAfterMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - signalled);
                System.out.printf(
                        "SIGTERM: new connections refused after %d ms, exit after %d ms with %s%n",
                        refusedAfterMillis, exitedAfterMillis, exit);
                assertThat(exit)
                        .as("exit code within %s of SIGTERM\n%s", DRAIN.plus(EXIT_SLACK), shardis.log())
                        .contains(SIGTERM_EXIT_CODE);
                assertThat(refusedAfterMillis)
                        .as("ms from SIGTERM to refusing new connections")
                        .isLessThan(DRAIN.toMillis());
            }
            try (var jedis = redis.client()) {
                assertThat(jedis.get("sigterm:after"))
                        .as("the write read before SIGTERM ran")
                        .isEqualTo("1");
            }
        }
    }

    @Test
    void aReplyThatNeverComesHoldsTheExitNoLongerThanTheDrainDeadline() throws Exception {
        try (RedisProcess redis = RedisProcess.start();
                ShardisProcess shardis = ShardisProcess.start(CONFIG, Map.of("backend", redis.address()))) {
            InetSocketAddress address = new InetSocketAddress("127.0.0.1", shardis.port("alpha"));
            try (RespConnection waiting = new RespConnection(address)) {
                waiting.write(RespConnection.command("BLPOP", "sigterm:forever", "0"));
                await().atMost(Duration.ofSeconds(10))
                        .pollInterval(Duration.ofMillis(10))
                        .until(() -> redis.blockedClients() == 1);

                long signalled = System.nanoTime();
                shardis.sigterm();
                Optional<Integer> exit = shardis.awaitExit(DRAIN.plus(EXIT_SLACK));
                long exitedAfterMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - signalled);
                System.out.printf(
                        "SIGTERM with a reply owed forever: exit after %d ms with %s%n", exitedAfterMillis, exit);
                assertThat(exit)
                        .as("exit code within %s of SIGTERM\n%s", DRAIN.plus(EXIT_SLACK), shardis.log())
                        .contains(SIGTERM_EXIT_CODE);
                assertThat(exitedAfterMillis)
                        .as("the drain waits its deadline for the owed reply")
                        .isGreaterThanOrEqualTo(DRAIN.toMillis() - 100);
                assertThat(waiting.closedByServer())
                        .as("the waiting client is closed, not left hanging")
                        .isTrue();
            }
        }
    }

    /** Connects until the port refuses, bounded; returns the ms from {@code since}. */
    private static long millisUntilRefused(InetSocketAddress address, long since) throws InterruptedException {
        long deadline = since + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() - deadline < 0) {
            try (Socket socket = new Socket()) {
                socket.connect(address, 1_000);
                // Accepted (not yet stopped listening): the connection must not be served for long.
                socket.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            } catch (ConnectException refused) {
                return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since);
            } catch (IOException other) {
                // Reset or timeout while the listener closes: try again.
            }
            Thread.sleep(5);
        }
        throw new AssertionError("new connections were still accepted 10 s after SIGTERM");
    }
}
