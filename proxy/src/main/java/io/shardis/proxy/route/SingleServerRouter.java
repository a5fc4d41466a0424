package io.shardis.proxy.route;

import io.netty.buffer.ByteBuf;

/** A pool of one server: nothing to hash (Twemproxy does not hash either). */
public final class SingleServerRouter implements ShardRouter {

    public static final SingleServerRouter INSTANCE = new SingleServerRouter();

    private SingleServerRouter() {}

    @Override
    public int serverCount() {
        return 1;
    }

    @Override
    public int serverFor(ByteBuf buf, int offset, int length) {
        return 0;
    }

    @Override
    public int keylessServer() {
        return 0;
    }
}
