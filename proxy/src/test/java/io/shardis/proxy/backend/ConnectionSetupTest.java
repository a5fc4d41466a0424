package io.shardis.proxy.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.shardis.resp.RespCommand;
import io.shardis.resp.RespLimits;
import io.shardis.resp.RespProtocol;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConnectionSetupTest {

    private static BackendSettings settings(
            String password, String user, int database, boolean masterOnly, boolean readOnly) {
        return new BackendSettings(
                "p",
                "s1",
                new BackendAddress(new InetSocketAddress("127.0.0.1", 6379)),
                0,
                1000,
                password,
                database,
                RespLimits.DEFAULT,
                BackendEvents.NONE,
                null,
                null,
                masterOnly,
                user,
                readOnly,
                null);
    }

    private static List<String> setup(BackendSettings settings) {
        return setup(settings, RespProtocol.RESP2);
    }

    private static List<String> setup(BackendSettings settings, RespProtocol protocol) {
        List<RespCommand> commands = ConnectionSetup.commands(settings, protocol, ByteBufAllocator.DEFAULT);
        try {
            return commands.stream()
                    .map(command -> {
                        StringBuilder words = new StringBuilder();
                        for (int i = 0; i < command.argCount(); i++) {
                            words.append(i == 0 ? "" : " ").append(command.argString(i));
                        }
                        return words.toString();
                    })
                    .toList();
        } finally {
            commands.forEach(RespCommand::release);
        }
    }

    @Test
    void aPlainServerNeedsNoSetup() {
        assertThat(setup(settings(null, null, 0, false, false))).isEmpty();
    }

    @Test
    void authenticationAndDatabaseComeFirstAndRoleLast() {
        assertThat(setup(settings("secret", null, 3, true, false))).containsExactly("AUTH secret", "SELECT 3", "ROLE");
        assertThat(setup(settings("secret", "shardis", 0, false, true)))
                .containsExactly("AUTH shardis secret", "READONLY");
    }

    @Test
    void aResp3ConnectionSaysHello3AfterAuthenticatingAndBeforeRole() {
        assertThat(setup(settings(null, null, 0, false, false), RespProtocol.RESP3))
                .containsExactly("HELLO 3");
        assertThat(setup(settings("secret", null, 3, true, false), RespProtocol.RESP3))
                .containsExactly("AUTH secret", "SELECT 3", "HELLO 3", "ROLE");
        assertThat(setup(settings("secret", "shardis", 0, false, true), RespProtocol.RESP3))
                .containsExactly("AUTH shardis secret", "HELLO 3", "READONLY");
    }

    @Test
    void roleRepliesOfAMasterAndAReplicaAreToldApart() {
        assertThat(ConnectionSetup.isMasterRole(reply("*3\r\n$6\r\nmaster\r\n:0\r\n*0\r\n")))
                .isTrue();
        assertThat(ConnectionSetup.isMasterRole(
                        reply("*5\r\n$5\r\nslave\r\n$9\r\n127.0.0.1\r\n:6379\r\n" + "$9\r\nconnected\r\n:42\r\n")))
                .isFalse();
        assertThat(ConnectionSetup.isMasterRole(reply("-NOAUTH Authentication required.\r\n")))
                .isFalse();
    }

    @Test
    void aWriteRefusedByAReplicaIsRecognised() {
        assertThat(ConnectionSetup.isReadOnlyError(reply("-READONLY You can't write against a read only replica.\r\n")))
                .isTrue();
        assertThat(ConnectionSetup.isReadOnlyError(reply("-ERR READONLY\r\n"))).isFalse();
        assertThat(ConnectionSetup.isReadOnlyError(reply("+READONLY-ish\r\n"))).isFalse();
    }

    private static ByteBuf reply(String text) {
        // A view of a byte array: nothing to release, nothing for the leak detector to track.
        return Unpooled.wrappedBuffer(text.getBytes(StandardCharsets.US_ASCII));
    }
}
