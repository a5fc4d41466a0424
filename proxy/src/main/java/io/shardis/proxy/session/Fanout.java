package io.shardis.proxy.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.shardis.proxy.backend.PendingCommand;
import io.shardis.proxy.command.CommandSpec;
import io.shardis.proxy.merge.FragmentedCommand;
import io.shardis.proxy.merge.ReplyMerge;
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

    private final ClientSession session;

    Fanout(ClientSession session) {
        this.session = session;
    }

    /** MGET, MSET, DEL, UNLINK, EXISTS, TOUCH: one sub-command per server holding some of the keys. */
    void split(RespCommand command, CommandSpec spec) {
        ShardRouter router = session.router();
        int keys = spec.keyCount(command);
        if (keys <= 0) {
            // Malformed (MSET k1 v1 k2): the server answers the error Redis would.
            session.forwardTo(router.keylessServer(), command, spec);
            return;
        }
        int[] serverOfKey = new int[keys];
        boolean oneServer = true;
        for (int k = 0; k < keys; k++) {
            int arg = spec.keyIndex(command, k);
            int server = router.serverFor(command.content(), command.argOffset(arg), command.argLength(arg));
            if (server < 0) {
                session.refuse(command, session.noServer(spec));
                return;
            }
            serverOfKey[k] = server;
            oneServer &= server == serverOfKey[0];
        }
        if (oneServer) {
            session.forwardTo(serverOfKey[0], command, spec);
            return;
        }
        int[] fragmentOfServer = new int[router.serverCount()];
        Arrays.fill(fragmentOfServer, -1);
        int[] serverOfFragment = new int[router.serverCount()];
        int fragments = 0;
        int[] keyChild = new int[keys];
        int[] keyPlace = new int[keys];
        int[] placed = new int[router.serverCount()];
        for (int k = 0; k < keys; k++) {
            int server = serverOfKey[k];
            if (fragmentOfServer[server] < 0) {
                serverOfFragment[fragments] = server;
                fragmentOfServer[server] = fragments++;
            }
            keyChild[k] = fragmentOfServer[server];
            keyPlace[k] = placed[keyChild[k]]++;
        }
        int step = spec.keyStep();
        ByteBufAllocator alloc = session.context().alloc();
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
        int[] live = session.pool().liveServers();
        if (live.length == 0) {
            session.refuse(command, session.noServer(spec));
            return;
        }
        ByteBuf[] frames = new ByteBuf[live.length];
        for (int i = 0; i < live.length; i++) {
            frames[i] = command.content().retainedDuplicate();
        }
        command.release();
        send(spec.merge(), frames, live, null, null);
    }

    private void send(ReplyMerge merge, ByteBuf[] frames, int[] servers, int[] keyChild, int[] keyPlace) {
        PendingCommand parent = new PendingCommand(session);
        FragmentedCommand fragmented = new FragmentedCommand(session, parent, merge, frames.length,
                keyChild, keyPlace, session.context().alloc());
        session.expectReply(parent);
        session.pool().metrics().fragmentsCreated(frames.length);
        for (int f = 0; f < frames.length; f++) {
            session.send(servers[f], frames[f], fragmented.fragment(f));
        }
    }

    /**
     * SCAN over every server, one after the other, behind one cursor: its low bits name the server,
     * the rest is that server's own cursor. The client sees a cursor it can pass back as it would to
     * one Redis; 0 starts and ends the walk.
     */
    private void scan(RespCommand command, CommandSpec spec) {
        ShardRouter router = session.router();
        int servers = router.serverCount();
        ScanCursor cursor = ScanCursor.parse(command, servers);
        if (cursor == null) {
            session.refuse(command, "ERR invalid cursor");
            return;
        }
        ByteBufAllocator alloc = session.context().alloc();
        ByteBuf frame = alloc.buffer(command.frameLength() + 24);
        RespReplies.writeHeader(frame, '*', command.argCount());
        writeArg(frame, command, 0);
        byte[] serverCursor = Long.toUnsignedString(cursor.serverCursor()).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        RespReplies.writeHeader(frame, '$', serverCursor.length);
        frame.writeBytes(serverCursor).writeByte('\r').writeByte('\n');
        for (int a = 2; a < command.argCount(); a++) {
            writeArg(frame, command, a);
        }
        command.release();
        PendingCommand parent = new PendingCommand(session);
        session.expectReply(parent);
        session.send(cursor.server(), frame, new ScanStep(session, parent, cursor, alloc).pending());
    }

    private static void writeArg(ByteBuf out, RespCommand command, int arg) {
        int length = command.argLength(arg);
        RespReplies.writeHeader(out, '$', length);
        out.writeBytes(command.content(), command.argOffset(arg), length);
        out.writeByte('\r').writeByte('\n');
    }
}
