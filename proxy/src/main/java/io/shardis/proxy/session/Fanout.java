package io.shardis.proxy.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.concurrent.FastThreadLocal;
import io.shardis.proxy.backend.PendingCommand;
import io.shardis.proxy.command.CommandFlag;
import io.shardis.proxy.command.CommandSpec;
import io.shardis.proxy.command.ReplyMerge;
import io.shardis.proxy.merge.FragmentedCommand;
import io.shardis.proxy.route.ShardRouter;
import io.shardis.resp.RespCommand;
import io.shardis.resp.RespReplies;
import java.util.Arrays;

/**
 * Commands of a multi-server pool that go to several servers: MULTI_KEY commands split into one
 * sub-command per server (not per key), ALL_SHARDS commands sent to every live server, and SCAN
 * walked server after server. The replies merge as the command table says ({@link ReplyMerge}).
 *
 * <p>Ownership: takes the client's command; sub-command frames pass to the backend connections.
 */
final class Fanout {

    /** Group → fragment while a command is split; all -1 between commands. One per event loop. */
    private static final FastThreadLocal<int[]> FRAGMENT_OF_GROUP = new FastThreadLocal<>() {
        @Override
        protected int[] initialValue() {
            return new int[0];
        }
    };

    /** How a command that need not be split goes to its one server: through the dispatcher, as if sent alone. */
    interface WholeCommand {
        /** Sends a whole command to {@code server}; blocking ones on a connection of the client's own. */
        void forwardTo(int server, RespCommand command, CommandSpec spec);

        /** Whether {@code command} may be read from a replica (see {@link Dispatcher#readsFromReplica}). */
        boolean readsFromReplica(RespCommand command, CommandSpec spec);
    }

    private final SessionContext client;
    private final Replies replies;
    private final Forwarding sender;
    private final WholeCommand whole;

    Fanout(SessionContext client, Replies replies, Forwarding sender, WholeCommand whole) {
        this.client = client;
        this.replies = replies;
        this.sender = sender;
        this.whole = whole;
    }

    /** MGET, MSET, DEL, UNLINK, EXISTS, TOUCH: one sub-command per server holding some of the keys. */
    void split(RespCommand command, CommandSpec spec) {
        ShardRouter router = client.router();
        int keys = spec.keyCount(command);
        if (keys <= 0) {
            // Malformed (MSET k1 v1 k2): the server answers the error Redis would.
            whole.forwardTo(client.placement().keylessServer(), command, spec);
            return;
        }
        // Keys are grouped by what they must share in one command: their server, or in a cluster
        // their hash slot (Redis refuses keys of several slots in one command, even on one node).
        // A read's part of each slot may go to a replica, chosen as for any read of that slot.
        boolean read = whole.readsFromReplica(command, spec);
        int[] groupOfKey = new int[keys];
        int[] serverOfKey = new int[keys];
        boolean oneGroup = true;
        for (int k = 0; k < keys; k++) {
            int arg = spec.keyIndex(command, k);
            int group = router.groupFor(command.content(), command.argOffset(arg), command.argLength(arg));
            int server = group < 0 ? ShardRouter.NO_SERVER : client.placement().serverOfGroup(group, read);
            if (server < 0) {
                replies.refuse(command, client.placement().unroutable(spec, group, read));
                return;
            }
            groupOfKey[k] = group;
            serverOfKey[k] = server;
            oneGroup &= group == groupOfKey[0];
        }
        if (oneGroup) {
            whole.forwardTo(serverOfKey[0], command, spec);
            return;
        }
        int[] fragmentOfGroup = fragmentIndexes(router.groupCount());
        int[] serverOfFragment = new int[keys];
        int fragments = 0;
        int[] keyChild = new int[keys];
        int[] keyPlace = new int[keys];
        int[] placed = new int[keys];
        for (int k = 0; k < keys; k++) {
            int group = groupOfKey[k];
            if (fragmentOfGroup[group] < 0) {
                serverOfFragment[fragments] = serverOfKey[k];
                fragmentOfGroup[group] = fragments++;
            }
            keyChild[k] = fragmentOfGroup[group];
            keyPlace[k] = placed[keyChild[k]]++;
        }
        for (int k = 0; k < keys; k++) {
            // Leaves the scratch array all -1 for the next command.
            fragmentOfGroup[groupOfKey[k]] = -1;
        }
        int step = spec.keyStep();
        ByteBufAllocator alloc = replies.alloc();
        ByteBuf[] frames = new ByteBuf[fragments];
        for (int f = 0; f < fragments; f++) {
            frames[f] = alloc.buffer(64 + command.argLength(0));
            RespReplies.writeHeader(frames[f], '*', 1 + (long) placed[f] * step);
            writeArg(frames[f], command, 0);
        }
        for (int k = 0; k < keys; k++) {
            int first = spec.keyIndex(command, k);
            for (int a = first; a < first + step; a++) {
                writeArg(frames[keyChild[k]], command, a);
            }
        }
        command.release();
        boolean keyOrder = spec.merge() == ReplyMerge.KEY_ORDER;
        send(spec.merge(), frames, serverOfFragment, keyOrder ? keyChild : null, keyOrder ? keyPlace : null);
    }

    /** DBSIZE, KEYS, SCRIPT LOAD, FLUSHALL…: the whole command to every live server. */
    void broadcast(RespCommand command, CommandSpec spec) {
        if (spec.merge() == ReplyMerge.SCAN) {
            scan(command, spec);
            return;
        }
        int[] live = client.pool().liveServers();
        if (live.length == 0) {
            replies.refuse(command, client.placement().noServer(spec));
            return;
        }
        ByteBuf[] frames = new ByteBuf[live.length];
        for (int i = 0; i < live.length; i++) {
            frames[i] = command.content().retainedDuplicate();
        }
        command.release();
        FragmentedCommand fragmented = send(spec.merge(), frames, live, null, null);
        if (spec.merge() == ReplyMerge.INFO) {
            fragmented.reportVersion(client.pool().config().redisVersion());
        }
        if (spec.has(CommandFlag.DANGEROUS)) {
            String[] origins = new String[live.length];
            for (int i = 0; i < live.length; i++) {
                origins[i] = client.pool().server(live[i]).describe();
            }
            fragmented.nameErrorsBy(origins);
        }
    }

    private FragmentedCommand send(ReplyMerge merge, ByteBuf[] frames, int[] servers, int[] keyChild, int[] keyPlace) {
        PendingCommand parent = new PendingCommand(client.owner());
        FragmentedCommand fragmented = new FragmentedCommand(
                client.owner(), parent, merge, frames.length, keyChild, keyPlace, replies.alloc());
        replies.expectReply(parent);
        client.pool().metrics().fragmentsCreated(frames.length);
        for (int f = 0; f < frames.length; f++) {
            sender.send(servers[f], frames[f], fragmented.fragment(f));
        }
        return fragmented;
    }

    /**
     * SCAN over every server, one after the other, behind one cursor: its low bits name the server,
     * the rest is that server's own cursor. The client sees a cursor it can pass back as it would to
     * one Redis; 0 starts and ends the walk.
     */
    private void scan(RespCommand command, CommandSpec spec) {
        ShardRouter router = client.router();
        int servers = router.scanServerCount();
        ScanCursor cursor = ScanCursor.parse(command, servers);
        if (cursor == null) {
            replies.refuse(command, Refusals.INVALID_CURSOR);
            return;
        }
        int server = router.scanServer(cursor.server());
        if (server < 0) {
            replies.refuse(command, client.placement().noServer(spec));
            return;
        }
        ByteBufAllocator alloc = replies.alloc();
        ByteBuf frame = alloc.buffer(command.frameLength() + 24);
        RespReplies.writeHeader(frame, '*', command.argCount());
        writeArg(frame, command, 0);
        byte[] serverCursor =
                Long.toUnsignedString(cursor.serverCursor()).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        RespReplies.writeHeader(frame, '$', serverCursor.length);
        frame.writeBytes(serverCursor).writeByte('\r').writeByte('\n');
        for (int a = 2; a < command.argCount(); a++) {
            writeArg(frame, command, a);
        }
        command.release();
        PendingCommand parent = new PendingCommand(client.owner());
        replies.expectReply(parent);
        sender.send(server, frame, new ScanStep(client.owner(), parent, cursor, alloc).pending());
    }

    private static int[] fragmentIndexes(int groups) {
        int[] scratch = FRAGMENT_OF_GROUP.get();
        if (scratch.length < groups) {
            scratch = new int[groups];
            Arrays.fill(scratch, -1);
            FRAGMENT_OF_GROUP.set(scratch);
        }
        return scratch;
    }

    private static void writeArg(ByteBuf out, RespCommand command, int arg) {
        int length = command.argLength(arg);
        RespReplies.writeHeader(out, '$', length);
        out.writeBytes(command.content(), command.argOffset(arg), length);
        out.writeByte('\r').writeByte('\n');
    }
}
