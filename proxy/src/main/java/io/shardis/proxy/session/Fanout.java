package io.shardis.proxy.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.concurrent.FastThreadLocal;
import io.shardis.proxy.backend.PendingCommand;
import io.shardis.proxy.command.CommandFlag;
import io.shardis.proxy.command.CommandSpec;
import io.shardis.proxy.command.ReplyMerge;
import io.shardis.proxy.merge.FragmentedCommand;
import io.shardis.proxy.merge.FrameBytes;
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

    /** The arrays a split works in, one set per event loop. */
    private static final FastThreadLocal<SplitScratch> SCRATCH = new FastThreadLocal<>() {
        @Override
        protected SplitScratch initialValue() {
            return new SplitScratch();
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

    /**
     * MGET, MSET, DEL, UNLINK, EXISTS, TOUCH: one sub-command per server holding some of the keys.
     * Each sub-command holds its keys in the client's order, so the merge needs no more than the
     * sub-command of each key. A sub-command is the command's name, then each of its keys (with
     * MSET's values) copied as the client sent them, header and all, runs of consecutive keys at
     * once: nothing is made per key but ints in arrays kept per event loop.
     */
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
        SplitScratch scratch = SCRATCH.get().sized(keys, router.groupCount());
        int[] groupOfKey = scratch.groupOfKey;
        int[] serverOfKey = scratch.serverOfKey;
        int[] argOfKey = scratch.argOfKey;
        ByteBuf content = command.content();
        int base = content.readerIndex();
        int step = spec.keyStep();
        boolean oneGroup = true;
        boolean asSent = true;
        for (int k = 0; k < keys; k++) {
            int arg = spec.keyIndex(command, k);
            int length = command.argLength(arg);
            int group = router.groupFor(content, base + command.argOffset(arg), length, scratch.keyBytes(length));
            int server = group < 0 ? ShardRouter.NO_SERVER : client.placement().serverOfGroup(group, read);
            if (server < 0) {
                replies.refuse(command, client.placement().unroutable(spec, group, read));
                return;
            }
            groupOfKey[k] = group;
            serverOfKey[k] = server;
            argOfKey[k] = arg;
            oneGroup &= group == groupOfKey[0];
            // The key's header ("$3\r\n", four bytes at least) lies between the previous argument and the key.
            asSent &= arg > 0
                    && arg + step <= command.argCount()
                    && command.argOffset(arg) - argEnd(command, 0, arg - 1) >= 4;
        }
        if (oneGroup) {
            whole.forwardTo(serverOfKey[0], command, spec);
            return;
        }
        // A frame as the decoder makes it: each key's bytes are copied with their header.
        asSent &= content.getByte(argEnd(command, base, argOfKey[0] - 1)) == '$';
        boolean keyOrder = spec.merge() == ReplyMerge.KEY_ORDER;
        // The merge keeps the sub-command of each key until the replies are in; others need it only here.
        int[] keyChild = keyOrder ? new int[keys] : scratch.keyChild;
        int[] fragmentOfGroup = scratch.fragmentOfGroup;
        int[] serverOfFragment = scratch.serverOfFragment;
        int[] keysOfFragment = scratch.keysOfFragment;
        int[] bytesOfFragment = scratch.bytesOfFragment;
        int fragments = 0;
        for (int k = 0; k < keys; k++) {
            int group = groupOfKey[k];
            int f = fragmentOfGroup[group];
            if (f < 0) {
                f = fragments++;
                fragmentOfGroup[group] = f;
                serverOfFragment[f] = serverOfKey[k];
                keysOfFragment[f] = 0;
                bytesOfFragment[f] = 0;
            }
            keyChild[k] = f;
            keysOfFragment[f]++;
            int arg = argOfKey[k];
            bytesOfFragment[f] += argEnd(command, base, arg + step - 1) - argEnd(command, base, arg - 1);
        }
        for (int k = 0; k < keys; k++) {
            // Leaves the scratch array all -1 for the next command.
            fragmentOfGroup[groupOfKey[k]] = -1;
        }
        ByteBufAllocator alloc = replies.alloc();
        ByteBuf[] frames = new ByteBuf[fragments];
        int nameLength = command.argLength(0);
        for (int f = 0; f < fragments; f++) {
            ByteBuf frame = alloc.buffer(48 + nameLength + (asSent ? bytesOfFragment[f] : 2 * bytesOfFragment[f]));
            FrameBytes.writeHeader(frame, '*', 1 + (long) keysOfFragment[f] * step);
            writeArg(frame, command, base, 0);
            frames[f] = frame;
        }
        if (asSent) {
            int k = 0;
            while (k < keys) {
                int f = keyChild[k];
                int start = argEnd(command, base, argOfKey[k] - 1);
                int last = argOfKey[k];
                for (k++; k < keys && keyChild[k] == f && argOfKey[k] == last + step; k++) {
                    last = argOfKey[k];
                }
                FrameBytes.copy(content, start, argEnd(command, base, last + step - 1) - start, frames[f]);
            }
        } else {
            for (int k = 0; k < keys; k++) {
                for (int a = argOfKey[k]; a < argOfKey[k] + step; a++) {
                    writeArg(frames[keyChild[k]], command, base, a);
                }
            }
        }
        command.release();
        // A copy: sending may deliver replies, and with them the next split on this loop, at once.
        send(spec.merge(), frames, Arrays.copyOf(serverOfFragment, fragments), keyOrder ? keyChild : null);
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
        FragmentedCommand fragmented = send(spec.merge(), frames, live, null);
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

    private FragmentedCommand send(ReplyMerge merge, ByteBuf[] frames, int[] servers, int[] keyChild) {
        PendingCommand parent = new PendingCommand(client.owner());
        FragmentedCommand fragmented =
                new FragmentedCommand(client.owner(), parent, merge, frames.length, keyChild, replies.alloc());
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

    /** Where argument {@code arg} ends in the frame, its final CRLF included (absolute index). */
    private static int argEnd(RespCommand command, int base, int arg) {
        return base + command.argOffset(arg) + command.argLength(arg) + 2;
    }

    /** Per key: group, server, first argument, sub-command; per fragment: server, keys, bytes; group → fragment. */
    private static final class SplitScratch {
        int[] groupOfKey = new int[0];
        int[] serverOfKey = new int[0];
        int[] argOfKey = new int[0];
        int[] keyChild = new int[0];
        int[] serverOfFragment = new int[0];
        int[] keysOfFragment = new int[0];
        int[] bytesOfFragment = new int[0];
        /** All -1 between commands. */
        int[] fragmentOfGroup = new int[0];

        private byte[] keyBytes = new byte[256];

        /** An array for a key of {@code length} bytes, to hash it. */
        byte[] keyBytes(int length) {
            if (keyBytes.length < length) {
                keyBytes = new byte[Math.max(length, 2 * keyBytes.length)];
            }
            return keyBytes;
        }

        SplitScratch sized(int keys, int groups) {
            if (groupOfKey.length < keys) {
                int size = Math.max(keys, 2 * groupOfKey.length);
                groupOfKey = new int[size];
                serverOfKey = new int[size];
                argOfKey = new int[size];
                keyChild = new int[size];
                serverOfFragment = new int[size];
                keysOfFragment = new int[size];
                bytesOfFragment = new int[size];
            }
            if (fragmentOfGroup.length < groups) {
                fragmentOfGroup = new int[groups];
                Arrays.fill(fragmentOfGroup, -1);
            }
            return this;
        }
    }

    private static void writeArg(ByteBuf out, RespCommand command, int arg) {
        writeArg(out, command, command.content().readerIndex(), arg);
    }

    private static void writeArg(ByteBuf out, RespCommand command, int base, int arg) {
        int length = command.argLength(arg);
        FrameBytes.writeHeader(out, '$', length);
        FrameBytes.copy(command.content(), base + command.argOffset(arg), length, out);
        out.writeByte('\r').writeByte('\n');
    }
}
