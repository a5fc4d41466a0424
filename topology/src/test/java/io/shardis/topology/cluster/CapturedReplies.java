package io.shardis.topology.cluster;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.shardis.resp.RespValue;
import io.shardis.resp.RespValueReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * Replies recorded from a real Redis 7.0 cluster by it-tests' {@code CaptureClusterRepliesIT}
 * ({@code src/test/resources/cluster/}, with {@code captured-from.txt} telling which node was asked).
 * The cluster: masters 5b99d63d (port 37355, slots 0-5460), 1af6774e (41559, 5461-10921) and
 * ce227803 (46551, 10922-16383), with replicas a23cf2ca (45789), b9170d5b (46267) and 7ff3dbdf
 * (36523) in that order; "after-failover" replies come after 5b99d63d was killed and a23cf2ca took over.
 * Recording again gives new ids and ports: update these constants and the tests' ports with it.
 */
final class CapturedReplies {

    static final String MASTER_0 = "5b99d63d28c28fff0190eb8735556e912bd46647";
    static final String MASTER_1 = "1af6774e7e1662cc0a6a8b0ec65507db09ebda41";
    static final String MASTER_2 = "ce22780328c9a771c67553fd46a32fd5729d93c4";
    static final String REPLICA_0 = "a23cf2ca28376d73a9c43249d705e6b8540d7dc9";
    static final String REPLICA_1 = "b9170d5b69a8896db131dc829df94a8d0f37d8fa";
    static final String REPLICA_2 = "7ff3dbdf66a5f5a84774b04a74f680e4c585650a";

    private CapturedReplies() {}

    static byte[] bytes(String name) {
        try (InputStream in = CapturedReplies.class.getResourceAsStream("/cluster/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no captured reply " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static RespValue value(String name) {
        ByteBuf buffer = Unpooled.wrappedBuffer(bytes(name));
        try {
            return new RespValueReader().decode(buffer);
        } finally {
            buffer.release();
        }
    }
}
