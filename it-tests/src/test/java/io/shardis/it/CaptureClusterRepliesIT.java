package io.shardis.it;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.shardis.it.support.RedisClusterFixture;
import io.shardis.it.support.RespConnection;
import io.shardis.it.support.StopChildProcesses;
import io.shardis.resp.RespValueReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.Jedis;

/**
 * Records real {@code CLUSTER SHARDS} / {@code CLUSTER SLOTS} replies, byte for byte, for the
 * topology module's parser tests (its {@code src/test/resources/cluster/}). Runs only when asked:
 *
 * <pre>
 * mvn -B -pl it-tests -am verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dit.test=CaptureClusterRepliesIT -Dshardis.capture.dir=$PWD/topology/src/test/resources/cluster
 * </pre>
 */
@ExtendWith(StopChildProcesses.class)
@EnabledIfSystemProperty(named = "shardis.capture.dir", matches = ".+")
class CaptureClusterRepliesIT {

    private final Path dir = Path.of(System.getProperty("shardis.capture.dir", ""));

    @Test
    void capture() throws IOException {
        Files.createDirectories(dir);
        try (RedisClusterFixture cluster = RedisClusterFixture.start()) {
            RedisClusterFixture.Node asked = cluster.nodes().get(0);
            List<String> notes = new ArrayList<>();
            notes.add("asked " + asked.address() + " of " + cluster.nodes());
            save("shards-3x1.resp", reply(asked, false, "CLUSTER", "SHARDS"));
            save("shards-3x1-resp3.resp", reply(asked, true, "CLUSTER", "SHARDS"));
            save("slots-3x1.resp", reply(asked, false, "CLUSTER", "SLOTS"));
            save("slots-3x1-resp3.resp", reply(asked, true, "CLUSTER", "SLOTS"));

            try (Jedis jedis = asked.client()) {
                jedis.configSet("cluster-preferred-endpoint-type", "hostname");
                save("shards-hostname-unset.resp", reply(asked, false, "CLUSTER", "SHARDS"));
                save("slots-hostname-unset.resp", reply(asked, false, "CLUSTER", "SLOTS"));
                jedis.configSet("cluster-preferred-endpoint-type", "unknown-endpoint");
                save("shards-unknown-endpoint.resp", reply(asked, false, "CLUSTER", "SHARDS"));
                save("slots-unknown-endpoint.resp", reply(asked, false, "CLUSTER", "SLOTS"));
                for (RedisClusterFixture.Node node : cluster.nodes()) {
                    try (Jedis each = node.client()) {
                        each.configSet("cluster-announce-hostname", "node-" + node.port() + ".example");
                    }
                }
                jedis.configSet("cluster-preferred-endpoint-type", "hostname");
                waitForHostnames(asked, cluster.nodes().size());
                save("shards-hostnames.resp", reply(asked, false, "CLUSTER", "SHARDS"));
                save("slots-hostnames.resp", reply(asked, false, "CLUSTER", "SLOTS"));
                jedis.configSet("cluster-preferred-endpoint-type", "ip");
                for (RedisClusterFixture.Node node : cluster.nodes()) {
                    try (Jedis each = node.client()) {
                        each.configSet("cluster-announce-hostname", "");
                    }
                }
            }

            RedisClusterFixture.Node victim = cluster.nodeForSlot(0);
            notes.add("killed " + victim + " (served slot 0)");
            cluster.kill(victim);
            RedisClusterFixture.Node promoted = cluster.awaitPromotionAfter(victim);
            notes.add("promoted " + promoted);
            save("shards-after-failover.resp", reply(asked == victim ? promoted : asked, false, "CLUSTER", "SHARDS"));
            save("slots-after-failover.resp", reply(asked == victim ? promoted : asked, false, "CLUSTER", "SLOTS"));
            try (Jedis jedis = (asked == victim ? promoted : asked).client()) {
                notes.add(jedis.clusterNodes());
            }
            Files.writeString(dir.resolve("captured-from.txt"), String.join("\n", notes) + "\n");
        }
    }

    private void waitForHostnames(RedisClusterFixture.Node asked, int nodes) {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (System.nanoTime() < deadline) {
            String shards =
                    new String(reply(asked, false, "CLUSTER", "SHARDS"), java.nio.charset.StandardCharsets.UTF_8);
            if (shards.split("\\.example", -1).length - 1 >= 2 * nodes) {
                return;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        throw new IllegalStateException("hostnames did not spread");
    }

    private void save(String name, byte[] reply) throws IOException {
        Files.write(dir.resolve(name), reply);
    }

    /** The exact bytes of the reply to one command, after {@code HELLO 3} when {@code resp3}. */
    private static byte[] reply(RedisClusterFixture.Node node, boolean resp3, String... command) {
        try (Socket socket = new Socket(node.host(), node.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            if (resp3) {
                out.write(RespConnection.command("HELLO", "3"));
                readOne(in);
            }
            out.write(RespConnection.command(command));
            return readOne(in);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static byte[] readOne(InputStream in) throws IOException {
        ByteBuf buffer = Unpooled.buffer();
        try {
            RespValueReader reader = new RespValueReader();
            byte[] chunk = new byte[8192];
            while (true) {
                int n = in.read(chunk);
                if (n < 0) {
                    throw new IOException("connection closed mid-reply");
                }
                buffer.writeBytes(chunk, 0, n);
                int start = buffer.readerIndex();
                if (reader.read(buffer) != null) {
                    byte[] bytes = new byte[buffer.readerIndex() - start];
                    buffer.getBytes(start, bytes);
                    return bytes;
                }
            }
        } finally {
            buffer.release();
        }
    }
}
