package io.shardis.proxy.backend;

import io.netty.buffer.ByteBuf;

/**
 * Follows Redis Cluster redirections (MOVED, ASK) and transient refusals (TRYAGAIN, CLUSTERDOWN)
 * for the commands of one event loop, so that clients never see them, and holds the commands of a
 * node that cannot be reached until another node serves their slot. Called on that loop.
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

    /**
     * Called when {@code from} could not take a command that kept its frame: its connection failed
     * before the command was written ({@code written} false), or dropped after it was. Returns true
     * when the command was taken over (held until a node serves its slot, then re-sent); false when
     * it should fail with {@code reason}, as it does where nothing follows failovers.
     */
    default boolean holdUnreachable(PendingCommand command, BackendSettings from, String reason, boolean written) {
        return false;
    }

    /** Whether any command is held now; cheap, asked before every send. */
    default boolean isHolding() {
        return false;
    }

    /**
     * Called before a command that kept its frame goes to {@code to} while {@link #isHolding}:
     * returns true when it was queued behind commands held for {@code to} instead (it takes
     * {@code frame} then), so that a server's commands are re-sent in the order they came.
     */
    default boolean queueBehindHeld(PendingCommand command, ByteBuf frame, BackendSettings to) {
        return false;
    }

    /** Fails whatever is held: the pool is closing. */
    default void close() {}
}
