package io.shardis.proxy.session;

import io.netty.buffer.ByteBuf;
import io.shardis.proxy.backend.BackendPool;
import io.shardis.proxy.command.CommandSpec;
import io.shardis.resp.RespCommand;
import io.shardis.resp.RespProtocol;

/**
 * A client's subscriptions. SUBSCRIBE and its kin put the client in push mode on a connection of
 * its own, where replies no longer match commands one to one: frames are relayed as they come.
 * Subscriptions to keyspace notifications go to the pool's other servers too ({@link KeyspaceFanIn}),
 * and in a cluster the first SSUBSCRIBE may follow a MOVED ({@link PinnedRedirects}). Lives on the
 * client's event loop.
 */
final class Subscriptions {

    private final SessionContext client;
    /** The session, as the listener of the connections that hear other servers' notifications. */
    private final KeyspaceFanIn.Subscriber subscriber;

    private final CommandSender sender;
    private final ClientReplies replies;
    private final ClientEntry entry;

    // What the client uses of its pool; replaced when a reload moves it to another pool (bind).
    private BackendPool backends;
    private PinnedConnection pinned;
    /** Null outside cluster pools. */
    private PinnedRedirects pinnedRedirects;

    /** After SUBSCRIBE: replies no longer match commands one to one; frames are relayed as they come. */
    private boolean on;
    /** Its keyspace-notification subscriptions on the pool's other servers; null until it has some. */
    private KeyspaceFanIn fanIn;

    Subscriptions(
            SessionContext client,
            KeyspaceFanIn.Subscriber subscriber,
            CommandSender sender,
            ClientReplies replies,
            ClientEntry entry) {
        this.client = client;
        this.subscriber = subscriber;
        this.sender = sender;
        this.replies = replies;
        this.entry = entry;
    }

    void bind(BackendPool poolBackends, PinnedConnection pinnedConnection, PinnedRedirects redirects) {
        this.backends = poolBackends;
        this.pinned = pinnedConnection;
        this.pinnedRedirects = redirects;
    }

    /** Whether the client is in push mode. */
    boolean on() {
        return on;
    }

    /** Opens or adds to the client's subscriptions on its own connection to {@code server}. */
    void subscribe(int server, RespCommand command, CommandSpec spec) {
        boolean newConnection = !pinned.isPinned();
        sender.pin(server);
        on = true;
        entry.subscribed(true);
        // A shard channel's slot may have moved: the first SSUBSCRIBE can follow a MOVED.
        ByteBuf resubscribe = pinnedRedirects != null && newConnection && spec.keyCount(command) > 0
                ? command.content().retainedDuplicate()
                : null;
        fanOutKeyspace(command, spec);
        sender.sendUnanswered(command);
        if (resubscribe != null) {
            pinnedRedirects.followFirstReply(resubscribe);
        } else if (client.protocol() == RespProtocol.RESP3) {
            sender.markPushesEnd();
        }
    }

    /** In push mode: a (un)subscription or PING, whose replies are relayed as they come. */
    void relay(RespCommand command, CommandSpec spec) {
        fanOutKeyspace(command, spec);
        sender.sendUnanswered(command);
        if (client.protocol() == RespProtocol.RESP3) {
            sender.markPushesEnd();
        }
    }

    /**
     * Keyspace notifications are each server's own: a subscription to them goes to the pool's other
     * servers too (see {@link KeyspaceFanIn}). The command stays the caller's.
     */
    private void fanOutKeyspace(RespCommand command, CommandSpec spec) {
        if (client.router().serverCount() < 2 && client.pool().cluster() == null) {
            return;
        }
        if (fanIn == null) {
            if (spec.name().startsWith("un") || spec.name().startsWith("pun")) {
                return;
            }
            fanIn = new KeyspaceFanIn(subscriber, backends);
        }
        if (fanIn.concerns(command, spec.name())) {
            fanIn.sendToOthers(command, pinned.server(), client.protocol());
        }
    }

    /** A frame no command asked for, from the client's own connection or another server's notifications. */
    void push(ByteBuf frame) {
        if (pinnedRedirects != null && (frame = pinnedRedirects.push(frame)) == null) {
            return;
        }
        if (client.protocol() == RespProtocol.RESP3) {
            // Redis wrote it before the replies still awaited on the connection: it goes before them.
            replies.addBefore(frame, pinned.oldestInFlight());
        } else {
            sender.reply(frame);
        }
    }

    /** RESET unsubscribed the client's own connection from everything (RESP3: its commands are answered one by one again). */
    void end() {
        on = false;
        entry.subscribed(false);
    }

    /** The client is gone: so are the connections hearing other servers for it. */
    void close() {
        if (fanIn != null) {
            fanIn.close();
        }
    }
}
