package io.shardis.proxy.route;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.FastThreadLocal;
import io.shardis.topology.shard.Distribution;
import io.shardis.topology.shard.HashFunction;
import io.shardis.topology.shard.HashTag;
import io.shardis.topology.shard.ShardRing;
import io.shardis.topology.shard.ShardServer;
import java.util.Arrays;
import java.util.List;

/**
 * Twemproxy's placement (hash, hash tag, ketama/modula/random) over the servers that are live. An
 * ejection or a return builds a new ring, published with one volatile write; event loops read
 * whichever ring is current and never wait.
 */
public final class RingRouter implements ShardRouter {

    /** Keys are copied here to be hashed: one array per event loop, grown for long keys. */
    private static final FastThreadLocal<byte[]> SCRATCH = new FastThreadLocal<>() {
        @Override
        protected byte[] initialValue() {
            return new byte[256];
        }
    };

    private final HashFunction hash;
    private final HashTag tag;
    private final Distribution distribution;
    private final List<ShardServer> servers;
    private volatile Snapshot current;

    private record Snapshot(ShardRing ring, int keylessServer) {}

    public RingRouter(HashFunction hash, HashTag tag, Distribution distribution, List<ShardServer> servers) {
        this.hash = hash;
        this.tag = tag;
        this.distribution = distribution;
        this.servers = List.copyOf(servers);
        boolean[] live = new boolean[servers.size()];
        Arrays.fill(live, true);
        update(live);
    }

    /** Rebuilds the ring from the servers marked live; called off the event loops. */
    public synchronized void update(boolean[] live) {
        int keyless = NO_SERVER;
        for (int s = 0; s < live.length; s++) {
            if (live[s]) {
                keyless = s;
                break;
            }
        }
        current = new Snapshot(ShardRing.build(hash, tag, distribution, servers, live.clone()), keyless);
    }

    @Override
    public int serverCount() {
        return servers.size();
    }

    @Override
    public int serverFor(ByteBuf buf, int offset, int length) {
        byte[] key = SCRATCH.get();
        if (key.length < length) {
            key = new byte[Math.max(length, key.length * 2)];
            SCRATCH.set(key);
        }
        buf.getBytes(offset, key, 0, length);
        return current.ring().serverIndex(key, 0, length);
    }

    @Override
    public int groupFor(ByteBuf buf, int offset, int length, byte[] scratch) {
        buf.getBytes(offset, scratch, 0, length);
        return current.ring().serverIndex(scratch, 0, length);
    }

    @Override
    public int keylessServer() {
        return current.keylessServer();
    }
}
