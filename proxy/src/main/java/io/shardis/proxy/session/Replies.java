package io.shardis.proxy.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.shardis.proxy.backend.PendingCommand;
import io.shardis.resp.RespCommand;

/**
 * Where what a client is answered goes: its reply queue ({@link ClientReplies}), in the order of its
 * commands, whichever reply is ready first. The helpers of a session answer through it;
 * {@link CommandSender} implements it.
 */
interface Replies {

    /** The client channel's allocator, for the replies made by Shardis. */
    ByteBufAllocator alloc();

    /** Queues a reply made by Shardis (takes it); written as soon as every earlier reply has been. */
    void reply(ByteBuf reply);

    /** Answers {@code error} (a text of {@link Refusals}) in the command's place, and drops the command. */
    void refuse(RespCommand command, String error);

    /** Queues the reply slot of a command whose reply is made elsewhere (a split command's merge). */
    void expectReply(PendingCommand pending);
}
