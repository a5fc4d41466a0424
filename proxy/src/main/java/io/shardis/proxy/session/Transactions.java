package io.shardis.proxy.session;

import io.netty.buffer.ByteBuf;
import io.shardis.proxy.command.CommandSpec;
import io.shardis.resp.RespCommand;
import io.shardis.resp.RespCommands;
import io.shardis.resp.RespReplies;

/**
 * MULTI/EXEC/DISCARD/WATCH/UNWATCH for one client. A transaction needs a backend connection that no
 * other client writes to, so the first MULTI or WATCH pins one to the client.
 *
 * <p>Redis aborts a transaction in which a command was rejected while queueing; Shardis rejects
 * some commands itself (refused, unknown, wrong arity), so it keeps the same promise: such an EXEC
 * is turned into a DISCARD and answered with EXECABORT.
 */
final class Transactions {

    private final SessionContext client;
    private final Replies replies;
    private final Forwarding sender;
    private boolean inMulti;
    private boolean poisoned;
    /** Keys are WATCHed on the client's dedicated connection until EXEC, DISCARD, UNWATCH or RESET. */
    private boolean watching;
    /**
     * Whether MULTI has gone to the backend. Which server a transaction runs on is known only at its
     * first queued command (or WATCH), so until then Shardis answers MULTI itself and sends it then.
     */
    private boolean multiSent;
    /** The group (hash slot in a cluster) of the transaction's keys; -1 until a keyed command or WATCH. */
    private int group = -1;
    /**
     * The slot of this transaction moved while its keys were WATCHed, and the WATCHes went with the
     * connection they were on: its EXEC must fail, unless the client starts over (WATCH, UNWATCH…).
     */
    private boolean watchesLost;

    Transactions(SessionContext client, Replies replies, Forwarding sender) {
        this.client = client;
        this.replies = replies;
        this.sender = sender;
    }

    void handle(RespCommand command, CommandSpec spec) {
        switch (spec.name()) {
            case "multi" -> {
                if (inMulti) {
                    // Redis answers this without aborting the transaction.
                    command.release();
                    replies.reply(RespReplies.error(replies.alloc(), Refusals.NESTED_MULTI));
                    return;
                }
                inMulti = true;
                poisoned = false;
                if (client.isPinned()) {
                    multiSent = true;
                    sender.forward(command);
                } else {
                    multiSent = false;
                    command.release();
                    replies.reply(RespReplies.OK.duplicate());
                }
            }
            case "exec" -> {
                if (!inMulti) {
                    forwardOrAnswer(command, Refusals.EXEC_WITHOUT_MULTI);
                    return;
                }
                inMulti = false;
                watching = false;
                group = -1;
                boolean slotMoved = watchesLost;
                watchesLost = false;
                if (!multiSent) {
                    // Nothing was queued: no backend has seen this transaction.
                    command.release();
                    replies.reply(poisoned || slotMoved ? abortError(slotMoved) : RespReplies.EMPTY_ARRAY.duplicate());
                } else if (poisoned || slotMoved) {
                    command.release();
                    RespCommand discard = RespCommands.encode(replies.alloc(), "DISCARD");
                    sender.forwardReplacingReply(discard, abortError(slotMoved));
                } else {
                    sender.forwardExec(command);
                }
            }
            case "discard" -> {
                if (!inMulti) {
                    forwardOrAnswer(command, Refusals.DISCARD_WITHOUT_MULTI);
                    return;
                }
                inMulti = false;
                watching = false;
                watchesLost = false;
                group = -1;
                if (multiSent) {
                    sender.forward(command);
                } else {
                    command.release();
                    replies.reply(RespReplies.OK.duplicate());
                }
            }
            case "watch" -> {
                if (inMulti) {
                    command.release();
                    replies.reply(RespReplies.error(replies.alloc(), Refusals.WATCH_IN_MULTI));
                    return;
                }
                Route route = client.placement().route(command, spec, false);
                if (!(route instanceof Route.Server byKey)) {
                    replies.refuse(command, ((Route.Refused) route).reason());
                    return;
                }
                int server = byKey.index();
                int keyGroup = client.placement().firstKeyGroup(command, spec);
                boolean otherSlot = client.router().groupsAreSlots() && group >= 0 && keyGroup != group;
                if (otherSlot || !sender.pin(server)) {
                    replies.refuse(
                            command, Refusals.watchElsewhere(client.router().groupsAreSlots()));
                    return;
                }
                if (client.router().groupsAreSlots()) {
                    group = keyGroup;
                }
                watching = true;
                watchesLost = false;
                sender.forward(command);
            }
            case "unwatch" -> {
                watchesLost = false;
                if (client.isPinned()) {
                    watching = false;
                    if (!inMulti) {
                        group = -1;
                    }
                    sender.forward(command);
                } else {
                    command.release();
                    replies.reply(RespReplies.OK.duplicate());
                }
            }
            default -> replies.refuse(command, Refusals.unsupported(spec.name()));
        }
    }

    boolean inMulti() {
        return inMulti;
    }

    /**
     * Called before a command is queued in the transaction on {@code server}: the transaction is
     * pinned there, and MULTI sent, if it was not yet. False when the transaction is on another server.
     */
    boolean queueOn(int server, int keyGroup) {
        if (keyGroup >= 0 && client.router().groupsAreSlots()) {
            // In a cluster every key of a transaction must be in one slot, even on one node.
            if (group >= 0 && group != keyGroup) {
                return false;
            }
            group = keyGroup;
        }
        if (!client.isPinned()) {
            sender.pin(server);
        } else if (client.pinnedServer() != server) {
            return false;
        }
        if (!multiSent) {
            multiSent = true;
            sender.sendSilently(RespCommands.encode(replies.alloc(), "MULTI"));
        }
        return true;
    }

    /** RESET ends a transaction on the backend as it does on Redis. */
    void reset() {
        inMulti = false;
        poisoned = false;
        watching = false;
        watchesLost = false;
        multiSent = false;
        group = -1;
    }

    /** The WATCHes were dropped with their connection after a redirection; see {@link #watchesLost}. */
    void watchesLost() {
        watching = false;
        group = -1;
        watchesLost = true;
    }

    private ByteBuf abortError(boolean slotMoved) {
        return RespReplies.error(replies.alloc(), slotMoved ? Refusals.WATCHED_SLOT_MOVED : Refusals.EXECABORT);
    }

    /** True while the backend connection holds transaction state: MULTI or WATCH. */
    boolean holdsState() {
        return inMulti || watching;
    }

    /** Called for every command Shardis rejects itself. */
    void commandRefused() {
        if (inMulti) {
            poisoned = true;
        }
    }

    private void forwardOrAnswer(RespCommand command, String error) {
        if (client.isPinned()) {
            sender.forward(command);
        } else {
            command.release();
            replies.reply(RespReplies.error(replies.alloc(), error));
        }
    }
}
