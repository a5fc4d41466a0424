package io.shardis.proxy.session;

import io.shardis.proxy.command.CommandSpec;
import io.shardis.resp.RespCommand;
import io.shardis.resp.RespCommands;
import io.shardis.resp.RespReplies;

/**
 * MULTI/EXEC/DISCARD/WATCH/UNWATCH for one client. A transaction needs a backend connection that no
 * other client writes to, so the first MULTI or WATCH pins one to the session.
 *
 * <p>Redis aborts a transaction in which a command was rejected while queueing; Shardis rejects
 * some commands itself (refused, unknown, wrong arity), so it keeps the same promise: such an EXEC
 * is turned into a DISCARD and answered with EXECABORT.
 */
final class Transactions {

    private final ClientSession session;
    private boolean inMulti;
    private boolean poisoned;
    /** Keys are WATCHed on the client's dedicated connection until EXEC, DISCARD, UNWATCH or RESET. */
    private boolean watching;

    Transactions(ClientSession session) {
        this.session = session;
    }

    void handle(RespCommand command, CommandSpec spec) {
        switch (spec.name()) {
            case "multi" -> {
                if (inMulti) {
                    // Redis answers this without aborting the transaction.
                    command.release();
                    session.reply(RespReplies.error(session.context().alloc(), "ERR MULTI calls can not be nested"));
                    return;
                }
                session.pin();
                inMulti = true;
                poisoned = false;
                session.forward(command);
            }
            case "exec" -> {
                if (!inMulti) {
                    forwardOrAnswer(command, "ERR EXEC without MULTI");
                    return;
                }
                inMulti = false;
                watching = false;
                if (poisoned) {
                    command.release();
                    RespCommand discard = RespCommands.encode(session.context().alloc(), "DISCARD");
                    session.forwardReplacingReply(discard, RespReplies.error(session.context().alloc(),
                            "EXECABORT Transaction discarded because of previous errors."));
                } else {
                    session.forward(command);
                }
            }
            case "discard" -> {
                if (!inMulti) {
                    forwardOrAnswer(command, "ERR DISCARD without MULTI");
                    return;
                }
                inMulti = false;
                watching = false;
                session.forward(command);
            }
            case "watch" -> {
                session.pin();
                watching = true;
                session.forward(command); // inside MULTI, Redis itself answers the error
            }
            case "unwatch" -> {
                if (session.isPinned()) {
                    watching = false;
                    session.forward(command);
                } else {
                    command.release();
                    session.reply(RespReplies.OK.duplicate());
                }
            }
            default -> session.refuse(command, "ERR unknown or unsupported command '" + spec.name() + "'");
        }
    }

    boolean inMulti() {
        return inMulti;
    }

    /** RESET ends a transaction on the backend as it does on Redis. */
    void reset() {
        inMulti = false;
        poisoned = false;
        watching = false;
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
        if (session.isPinned()) {
            session.forward(command);
        } else {
            command.release();
            session.reply(RespReplies.error(session.context().alloc(), error));
        }
    }
}
