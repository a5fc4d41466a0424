package io.shardis.proxy.backend;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.shardis.resp.RespCommand;
import io.shardis.resp.RespCommands;
import io.shardis.resp.RespProtocol;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What a new backend connection sends first, and alone, before any client command: AUTH and
 * SELECT (until Redis has accepted them a client command could run unauthenticated or in the
 * wrong database), HELLO 3 for a connection that carries RESP3 clients' commands (Redis shapes a
 * reply by the protocol of the connection it runs on), READONLY for a cluster node that serves
 * reads of its master's slots, and ROLE for a Sentinel-managed master (a demoted master must not
 * take writes).
 */
final class ConnectionSetup {

    private ConnectionSetup() {}

    /** The setup commands for {@code settings}, in the order they go; empty when none is needed. The caller owns them. */
    static List<RespCommand> commands(BackendSettings settings, RespProtocol protocol, ByteBufAllocator alloc) {
        List<RespCommand> setup = new ArrayList<>(4);
        if (settings.password() != null) {
            setup.add(
                    settings.user() == null
                            ? RespCommands.encode(alloc, "AUTH", settings.password())
                            : RespCommands.encode(alloc, "AUTH", settings.user(), settings.password()));
        }
        if (settings.database() != 0) {
            setup.add(RespCommands.encode(alloc, "SELECT", Integer.toString(settings.database())));
        }
        if (protocol == RespProtocol.RESP3) {
            // After AUTH: HELLO needs an authenticated connection when the server asks for a password.
            setup.add(RespCommands.encode(alloc, "HELLO", "3"));
        }
        if (settings.readOnly()) {
            setup.add(RespCommands.encode(alloc, "READONLY"));
        }
        // Last, so that its reply is the last setup reply.
        if (settings.masterOnly()) {
            setup.add(RespCommands.encode(alloc, "ROLE"));
        }
        return setup;
    }

    /** ROLE's reply starts {@code *3 $6 master}. Reads without moving indexes. */
    static boolean isMasterRole(ByteBuf reply) {
        int start = reply.readerIndex();
        int lineEnd = reply.indexOf(start, reply.writerIndex(), (byte) '\n');
        String expected = "$6\r\nmaster";
        if (reply.getByte(start) != '*' || lineEnd < 0 || reply.writerIndex() - lineEnd - 1 < expected.length()) {
            return false;
        }
        return reply.toString(lineEnd + 1, expected.length(), StandardCharsets.US_ASCII)
                .equals(expected);
    }

    /** {@code -READONLY You can't write against a read only replica.} Reads without moving indexes. */
    static boolean isReadOnlyError(ByteBuf reply) {
        int start = reply.readerIndex();
        return reply.readableBytes() > 9
                && reply.getByte(start) == '-'
                && reply.getByte(start + 1) == 'R'
                && reply.toString(start + 1, 8, StandardCharsets.US_ASCII).equals("READONLY");
    }
}
