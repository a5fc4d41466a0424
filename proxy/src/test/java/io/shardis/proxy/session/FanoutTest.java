package io.shardis.proxy.session;

import static io.shardis.proxy.session.SessionHarness.bulk;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Split commands byte for byte: each server's sub-command holds its keys (and MSET's values) as the
 * client sent them, in the client's order, and the merged reply holds each server's elements as
 * that server sent them, in the client's key order.
 */
class FanoutTest {

    private SessionHarness pool;

    @AfterEach
    void tearDown() {
        SessionHarness.closeAndCheckReleased(pool);
    }

    @Test
    void mgetKeysInterleavedOverThreeServersComeBackInTheClientsOrder() {
        pool = new SessionHarness(3, "");
        pool.send("MGET a1 b1 a2 c1 b2 a3 a4 c2");
        EmbeddedChannel a = pool.backend(0);
        EmbeddedChannel b = pool.backend(1);
        EmbeddedChannel c = pool.backend(2);
        assertThat(SessionHarness.sentOn(a)).isEqualTo(command("MGET", "a1", "a2", "a3", "a4"));
        assertThat(SessionHarness.sentOn(b)).isEqualTo(command("MGET", "b1", "b2"));
        assertThat(SessionHarness.sentOn(c)).isEqualTo(command("MGET", "c1", "c2"));

        pool.answer(c, "*2\r\n$-1\r\n" + bulk("C2"));
        pool.answer(a, "*4\r\n" + bulk("A1") + "$0\r\n\r\n" + "$-1\r\n" + bulk("A\r\n4"));
        assertThat(pool.received()).as("nothing before every server answered").isEmpty();
        pool.answer(b, "*2\r\n" + bulk("B1") + bulk("x".repeat(300)));
        assertThat(pool.received())
                .isEqualTo("*8\r\n" + bulk("A1") + bulk("B1") + "$0\r\n\r\n" + "$-1\r\n" + bulk("x".repeat(300))
                        + "$-1\r\n" + bulk("A\r\n4") + bulk("C2"));
    }

    @Test
    void msetPairsTravelTogetherToTheirKeysServer() {
        pool = new SessionHarness(2, "");
        pool.send("MSET a1 v1 b1 value-two a2 3");
        EmbeddedChannel a = pool.backend(0);
        EmbeddedChannel b = pool.backend(1);
        assertThat(SessionHarness.sentOn(a)).isEqualTo(command("MSET", "a1", "v1", "a2", "3"));
        assertThat(SessionHarness.sentOn(b)).isEqualTo(command("MSET", "b1", "value-two"));
        pool.answer(a, "+OK\r\n");
        pool.answer(b, "+OK\r\n");
        assertThat(pool.received()).isEqualTo("+OK\r\n");
    }

    @Test
    void keysWithLineEndsAndInlineCommandsAreSplitAsRespFrames() {
        pool = new SessionHarness(2, "");
        pool.sendRaw("*3\r\n$4\r\nmget\r\n$4\r\na\r\nx\r\n$2\r\nb1\r\n" + "MGET a2 b2\r\n");
        EmbeddedChannel a = pool.backend(0);
        EmbeddedChannel b = pool.backend(1);
        assertThat(SessionHarness.sentOn(a)).isEqualTo("*2\r\n$4\r\nmget\r\n$4\r\na\r\nx\r\n" + command("MGET", "a2"));
        assertThat(SessionHarness.sentOn(b)).isEqualTo(command("mget", "b1") + command("MGET", "b2"));
        pool.answer(a, "*1\r\n" + bulk("1") + "*1\r\n" + bulk("3"));
        pool.answer(b, "*1\r\n" + bulk("2") + "*1\r\n$-1\r\n");
        assertThat(pool.received()).isEqualTo("*2\r\n" + bulk("1") + bulk("2") + "*2\r\n" + bulk("3") + "$-1\r\n");
    }

    @Test
    void anErrorFromOneServerIsTheWholeAnswerAndTheNextCommandFollows() {
        pool = new SessionHarness(2, "");
        pool.send("MGET a1 b1 a2", "DEL a1 b1 b2");
        EmbeddedChannel a = pool.backend(0);
        EmbeddedChannel b = pool.backend(1);
        assertThat(SessionHarness.sentOn(a)).isEqualTo(command("MGET", "a1", "a2") + command("DEL", "a1"));
        assertThat(SessionHarness.sentOn(b)).isEqualTo(command("MGET", "b1") + command("DEL", "b1", "b2"));
        pool.answer(b, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n:2\r\n");
        pool.answer(a, "*2\r\n" + bulk("A1") + bulk("A2") + ":1\r\n");
        assertThat(pool.received())
                .isEqualTo("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n:3\r\n");
    }

    @Test
    void aServerAnsweringFewerValuesThanItWasAskedForIsAnErrorNotAShiftedReply() {
        pool = new SessionHarness(2, "");
        pool.send("MGET a1 b1 a2");
        pool.answer(pool.backend(0), "*1\r\n" + bulk("A1"));
        pool.answer(pool.backend(1), "*1\r\n" + bulk("B1"));
        assertThat(pool.received()).startsWith("-ERR Shardis: unexpected reply");
    }

    private static String command(String... args) {
        StringBuilder out = new StringBuilder("*" + args.length + "\r\n");
        for (String arg : args) {
            out.append(bulk(arg));
        }
        return out.toString();
    }
}
