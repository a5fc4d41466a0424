package io.shardis.proxy.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.UnpooledByteBufAllocator;
import io.shardis.proxy.command.CommandSpec;
import io.shardis.proxy.command.CommandTable;
import io.shardis.resp.RespCommand;
import io.shardis.resp.RespCommands;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The rule matching of proxy users, against the real command table: each expectation is what
 * redis-server 7.0 answers to the same user (ACL SETUSER with the same rules) and command.
 */
class AclRulesTest {

    private static final CommandTable TABLE = CommandTable.standard();
    private static final AclRules RULES = new AclRules(TABLE);

    private static AclUser user(String rules) {
        return RULES.compile("app", AclRules.words(rules));
    }

    private static AclVerdict check(AclUser user, String... args) {
        RespCommand command = RespCommands.encode(UnpooledByteBufAllocator.DEFAULT, args);
        try {
            CommandSpec spec = TABLE.lookup(command);
            return user.check(spec, command);
        } finally {
            command.release();
        }
    }

    @Test
    void readUserLimitedToAKeyPattern() {
        AclUser user = user("on >pw ~cache:* +@read");
        assertThat(check(user, "GET", "cache:a")).isEqualTo(AclVerdict.ALLOWED);
        assertThat(check(user, "MGET", "cache:a", "cache:b")).isEqualTo(AclVerdict.ALLOWED);
        assertThat(check(user, "GET", "other")).isEqualTo(AclVerdict.KEY_DENIED);
        assertThat(check(user, "MGET", "cache:a", "other")).isEqualTo(AclVerdict.KEY_DENIED);
        assertThat(check(user, "SET", "cache:a", "1")).isEqualTo(AclVerdict.COMMAND_DENIED);
        assertThat(check(user, "FLUSHALL")).isEqualTo(AclVerdict.COMMAND_DENIED);
        assertThat(check(user, "EVAL", "return 1", "0")).isEqualTo(AclVerdict.COMMAND_DENIED);
        // +@read holds no pubsub command.
        assertThat(check(user, "PUBLISH", "news", "x")).isEqualTo(AclVerdict.COMMAND_DENIED);
        assertThat(check(user, "ACL", "WHOAMI")).isEqualTo(AclVerdict.COMMAND_DENIED);
    }

    @Test
    void categoriesAndCommandsApplyInOrder() {
        AclUser user = user("on nopass ~* +@all -@dangerous +keys -get");
        assertThat(check(user, "SET", "a", "1")).isEqualTo(AclVerdict.ALLOWED);
        assertThat(check(user, "FLUSHALL")).isEqualTo(AclVerdict.COMMAND_DENIED);
        assertThat(check(user, "KEYS", "*")).isEqualTo(AclVerdict.ALLOWED);
        assertThat(check(user, "GET", "a")).isEqualTo(AclVerdict.COMMAND_DENIED);
        assertThat(check(user, "CONFIG", "GET", "port")).isEqualTo(AclVerdict.COMMAND_DENIED);
        assertThat(user.unrestricted()).isFalse();
        assertThat(user("on nopass allkeys allchannels allcommands").unrestricted())
                .isTrue();
        assertThat(user("on nopass ~* &* +@all").unrestricted()).isTrue();
    }

    @Test
    void containersStandForTheirSubcommands() {
        AclUser user = user("on nopass ~* +config|get");
        assertThat(check(user, "CONFIG", "GET", "port")).isEqualTo(AclVerdict.ALLOWED);
        assertThat(check(user, "CONFIG", "SET", "port", "1")).isEqualTo(AclVerdict.COMMAND_DENIED);
        AclUser all = user("on nopass ~* +config -config|set");
        assertThat(check(all, "CONFIG", "RESETSTAT")).isEqualTo(AclVerdict.ALLOWED);
        assertThat(check(all, "CONFIG", "SET", "port", "1")).isEqualTo(AclVerdict.COMMAND_DENIED);
    }

    @Test
    void readAndWriteKeyPermissionsFollowTheKeySpecs() {
        AclUser user = user("on nopass +@all %R~r:* ~w:*");
        assertThat(check(user, "GET", "r:1")).isEqualTo(AclVerdict.ALLOWED);
        assertThat(check(user, "SET", "r:1", "1")).isEqualTo(AclVerdict.KEY_DENIED);
        assertThat(check(user, "SET", "w:1", "1")).isEqualTo(AclVerdict.ALLOWED);
        // COPY reads its source and writes its destination.
        assertThat(check(user, "COPY", "r:1", "w:2")).isEqualTo(AclVerdict.ALLOWED);
        assertThat(check(user, "COPY", "w:1", "r:2")).isEqualTo(AclVerdict.KEY_DENIED);
        // EVAL's keys are read and written.
        assertThat(check(user, "EVAL", "return 1", "1", "r:1")).isEqualTo(AclVerdict.KEY_DENIED);
        assertThat(check(user, "EVAL", "return 1", "1", "w:1")).isEqualTo(AclVerdict.ALLOWED);
        // SORT reads its key and writes its STORE destination.
        assertThat(check(user, "SORT", "r:1", "STORE", "w:2")).isEqualTo(AclVerdict.ALLOWED);
        assertThat(check(user, "SORT", "r:1", "STORE", "r:2")).isEqualTo(AclVerdict.KEY_DENIED);
    }

    @Test
    void channelsArePatternsButPsubscribeNeedsTheSamePattern() {
        AclUser user = user("on nopass ~* resetchannels &news.* +@pubsub");
        assertThat(check(user, "PUBLISH", "news.a", "1")).isEqualTo(AclVerdict.ALLOWED);
        assertThat(check(user, "PUBLISH", "other", "1")).isEqualTo(AclVerdict.CHANNEL_DENIED);
        assertThat(check(user, "SPUBLISH", "other", "1")).isEqualTo(AclVerdict.CHANNEL_DENIED);
        assertThat(check(user, "SUBSCRIBE", "news.a", "news.b")).isEqualTo(AclVerdict.ALLOWED);
        assertThat(check(user, "SUBSCRIBE", "news.a", "other")).isEqualTo(AclVerdict.CHANNEL_DENIED);
        assertThat(check(user, "PSUBSCRIBE", "news.*")).isEqualTo(AclVerdict.ALLOWED);
        assertThat(check(user, "PSUBSCRIBE", "news.a*")).isEqualTo(AclVerdict.CHANNEL_DENIED);
        assertThat(check(user, "UNSUBSCRIBE", "other")).isEqualTo(AclVerdict.ALLOWED);
        // SPUBLISH's channel is routed like a key but is not one: key patterns do not apply.
        AclUser keys = user("on nopass ~cache:* &* +@all");
        assertThat(check(keys, "SPUBLISH", "news", "1")).isEqualTo(AclVerdict.ALLOWED);
    }

    @Test
    void aNewUserIsOffAndMayDoNothing() {
        AclUser user = user("");
        assertThat(user.enabled()).isFalse();
        assertThat(check(user, "PING")).isEqualTo(AclVerdict.COMMAND_DENIED);
        assertThat(check(user("+@all"), "GET", "a")).isEqualTo(AclVerdict.KEY_DENIED);
        assertThat(check(user("+@all ~* reset"), "GET", "a")).isEqualTo(AclVerdict.COMMAND_DENIED);
    }

    @Test
    void passwordsPlainOrSha256() {
        String hash = HexFormat.of().formatHex(AclUser.sha256("s3cret"));
        assertThat(user("on >s3cret").accepts(bytes("s3cret"))).isTrue();
        assertThat(user("on >s3cret").accepts(bytes("s3cret "))).isFalse();
        assertThat(user("on #" + hash).accepts(bytes("s3cret"))).isTrue();
        assertThat(user("on #" + hash.toUpperCase()).accepts(bytes("s3cret"))).isTrue();
        assertThat(user("on >a >b").accepts(bytes("b"))).isTrue();
        assertThat(user("on >a >b <b").accepts(bytes("b"))).isFalse();
        assertThat(user("on >a !" + hash + " #" + hash + " !" + hash).accepts(bytes("s3cret")))
                .isFalse();
        assertThat(user("off >s3cret").accepts(bytes("s3cret"))).isFalse();
        assertThat(user("on nopass").accepts(bytes("anything"))).isTrue();
        assertThat(user("on nopass >x").accepts(bytes("anything"))).isFalse();
        assertThat(user("on >x resetpass").accepts(bytes("x"))).isFalse();
    }

    @Test
    void errorsNameTheRuleButNeverAPassword() {
        assertThatThrownBy(() -> user("on +gett"))
                .hasMessage("rule 2 '+gett': Unknown command or category name in ACL");
        assertThatThrownBy(() -> user("on +@teleport")).hasMessageContaining("rule 2 '+@teleport'");
        assertThatThrownBy(() -> user("on #notahash"))
                .hasMessage("rule 2: a password hash is 64 hexadecimal digits (SHA-256)");
        assertThatThrownBy(() -> user("on +select|0")).hasMessageContaining("first-argument rules");
        assertThatThrownBy(() -> user("on (~x +get)")).hasMessageContaining("selectors");
        assertThatThrownBy(() -> user("on bogus")).hasMessageContaining("Syntax error in ACL SETUSER modifier");
        assertThatThrownBy(() -> RULES.compile("two words", List.of())).hasMessageContaining("spaces");
        assertThat(user("on >s3cret").toString()).doesNotContain("s3cret");
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
