package io.shardis.proxy.session;

import io.netty.buffer.ByteBuf;
import io.shardis.proxy.backend.BackendConnection;
import io.shardis.proxy.backend.BackendPool;
import io.shardis.proxy.backend.PendingCommand;
import io.shardis.proxy.backend.ReplySink;
import io.shardis.resp.RespCommand;
import io.shardis.resp.RespProtocol;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Keyspace notifications of a pool of several servers: each server publishes the events of its own
 * keys only ({@code __keyspace@0__:key}, {@code __keyevent@0__:set}), so a client subscribing to
 * them must hear every server (every master of a cluster). Its subscriptions to those channels and
 * patterns go to its own connection, as any subscription, and also to a connection of its own to
 * each other live server; the messages those hear are relayed to the client among the others. The
 * client sees the confirmations of its own connection only, whose counts are its subscriptions.
 * Lives on the session's loop.
 */
final class KeyspaceFanIn implements ReplySink {

    private static final byte[] KEYSPACE = "__keyspace@".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] KEYEVENT = "__keyevent@".getBytes(StandardCharsets.US_ASCII);

    /** The session whose client subscribed: it hears the notifications, and goes when a connection is lost. */
    interface Subscriber extends ReplySink {
        SessionPool pool();

        /** A connection hearing another server's notifications closed: the client goes, as with its own. */
        void fanInLost();
    }

    private final Subscriber session;
    private final BackendPool backends;
    /** The connections to the other servers, by server index. */
    private final Map<Integer, BackendConnection> connections = new HashMap<>();

    private boolean closed;

    KeyspaceFanIn(Subscriber session, BackendPool backends) {
        this.session = session;
        this.backends = backends;
    }

    /**
     * Whether {@code command} (a subscription command, {@code name} as the table names it) is about
     * keyspace notifications: every channel or pattern it names is one, or it names none and the
     * client hears other servers already (UNSUBSCRIBE, PUNSUBSCRIBE of everything).
     */
    boolean concerns(RespCommand command, String name) {
        if (!name.equals("subscribe")
                && !name.equals("psubscribe")
                && !name.equals("unsubscribe")
                && !name.equals("punsubscribe")) {
            return false;
        }
        if (command.argCount() == 1) {
            return !connections.isEmpty();
        }
        for (int i = 1; i < command.argCount(); i++) {
            if (!startsWith(command, i, KEYSPACE) && !startsWith(command, i, KEYEVENT)) {
                return false;
            }
        }
        return true;
    }

    private static boolean startsWith(RespCommand command, int arg, byte[] prefix) {
        if (command.argLength(arg) < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (command.argByte(arg, i) != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    /** Sends a copy of {@code command} to every live server but {@code ownServer} (the command stays the caller's). */
    void sendToOthers(RespCommand command, int ownServer, RespProtocol protocol) {
        if (closed) {
            return;
        }
        for (int server : session.pool().liveServers()) {
            if (server == ownServer) {
                continue;
            }
            BackendConnection connection = connections.get(server);
            if (connection == null) {
                connection = backends.dedicated(server, this, protocol);
                connections.put(server, connection);
            }
            connection.send(command.content().retainedDuplicate(), null);
        }
    }

    /** Messages go to the client; the other servers' confirmations (and anything else) do not. */
    @Override
    public void onPush(ByteBuf frame) {
        if (closed || !isMessage(frame)) {
            frame.release();
            return;
        }
        session.onPush(frame);
    }

    /** {@code *n} or {@code >n} whose first element is the bulk {@code message} or {@code pmessage}. */
    static boolean isMessage(ByteBuf frame) {
        int start = frame.readerIndex();
        byte type = frame.getByte(start);
        if (type != '*' && type != '>') {
            return false;
        }
        int lineEnd = frame.indexOf(start, frame.writerIndex(), (byte) '\n');
        if (lineEnd < 0) {
            return false;
        }
        String head =
                frame.toString(lineEnd + 1, Math.min(14, frame.writerIndex() - lineEnd - 1), StandardCharsets.US_ASCII);
        return head.startsWith("$7\r\nmessage\r\n") || head.startsWith("$8\r\npmessage");
    }

    @Override
    public void onReply(PendingCommand command, ByteBuf reply) {
        reply.release();
    }

    /** A server's notifications can no longer reach the client: it is closed, as when its own connection goes. */
    @Override
    public void onDedicatedClosed(BackendConnection connection) {
        if (!closed && connections.containsValue(connection)) {
            session.fanInLost();
        }
    }

    @Override
    public int sharedIndex() {
        return session.sharedIndex();
    }

    @Override
    public RespProtocol protocol() {
        return session.protocol();
    }

    /** The client is gone (or left the pool): the connections go, with their subscriptions. */
    void close() {
        closed = true;
        for (Map.Entry<Integer, BackendConnection> entry : connections.entrySet()) {
            backends.discard(entry.getKey(), entry.getValue());
        }
        connections.clear();
    }
}
