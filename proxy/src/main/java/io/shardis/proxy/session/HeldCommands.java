package io.shardis.proxy.session;

import io.netty.buffer.ByteBuf;
import io.shardis.proxy.backend.BackendConnection;
import io.shardis.proxy.backend.PendingCommand;
import java.util.ArrayDeque;

/**
 * Commands bound for a client's new dedicated connection while its earlier commands are still in
 * flight on the shared one. Two connections do not keep order between them, so the new one waits
 * until the last earlier command (the barrier) is answered.
 *
 * <p>Ownership: holds the frames until {@link #sendAll} passes them on or {@link #discard}
 * releases them.
 */
final class HeldCommands {

    private final ArrayDeque<ByteBuf> frames = new ArrayDeque<>();
    private final ArrayDeque<PendingCommand> pendings = new ArrayDeque<>();
    private PendingCommand barrier;

    void holdUntil(PendingCommand barrier) {
        this.barrier = barrier;
    }

    boolean isHolding() {
        return barrier != null;
    }

    /** Whether commands wait here (not merely a barrier). */
    boolean hasCommands() {
        return !frames.isEmpty();
    }

    boolean barrierPassed() {
        return barrier == null || barrier.isDone();
    }

    /** Takes {@code frame}; {@code pending} may be null for a command answered by pushes. */
    void add(ByteBuf frame, PendingCommand pending) {
        frames.add(frame);
        pendings.add(pending == null ? NO_REPLY : pending);
    }

    void sendAll(BackendConnection connection) {
        barrier = null;
        ByteBuf frame;
        while ((frame = frames.poll()) != null) {
            PendingCommand pending = pendings.poll();
            connection.send(frame, pending == NO_REPLY ? null : pending);
        }
    }

    void discard() {
        barrier = null;
        ByteBuf frame;
        while ((frame = frames.poll()) != null) {
            frame.release();
        }
        pendings.clear();
    }

    /** Stands for "no reply expected" in a deque that cannot hold null. */
    private static final PendingCommand NO_REPLY = new PendingCommand(null);
}
