package io.shardis.proxy.session;

import io.netty.buffer.ByteBuf;
import io.shardis.proxy.route.ShardRouter;

/** A router tests can read: keys starting with a, b, c... live on servers 0, 1, 2...; others on none. */
final class LetterRouter implements ShardRouter {
    private final int servers;
    /** Whether reads find no replica (a cluster pool with read_from: replica and none reachable). */
    boolean noReplicas;

    LetterRouter(int servers) {
        this.servers = servers;
    }

    @Override
    public int serverCount() {
        return servers;
    }

    @Override
    public int serverFor(ByteBuf buf, int offset, int length) {
        int server = buf.getByte(offset) - 'a';
        return server >= 0 && server < servers ? server : NO_SERVER;
    }

    @Override
    public int keylessServer() {
        return 0;
    }

    @Override
    public int readServerOfGroup(int group, int clientSeed) {
        return noReplicas ? NO_SERVER : group;
    }
}
