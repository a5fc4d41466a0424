package io.shardis.proxy.backend;

import io.netty.buffer.ByteBuf;

/**
 * Follows Redis Cluster redirections (MOVED, ASK) and transient refusals (TRYAGAIN, CLUSTERDOWN)
 * for the commands of one event loop, so that clients never see them. Called on that loop.
 */
public interface Redirects {

    /**
     * Called with an error reply to a command that kept its frame ({@link PendingCommand#keepFrame}).
     * Returns true when the error was taken over: {@code reply} is released and the command re-sent
     * (now or after a short wait), its reply still due to the same sink. False when the reply should
     * reach the client as it is (not a redirection, or too many of them).
     *
     * @param from the server that answered
     */
    boolean follow(PendingCommand command, ByteBuf reply, BackendSettings from);
}
