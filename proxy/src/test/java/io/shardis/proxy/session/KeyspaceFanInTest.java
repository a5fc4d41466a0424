package io.shardis.proxy.session;

import static io.shardis.proxy.session.SessionHarness.bulk;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Keyspace notifications in a pool of several servers, through EmbeddedChannels: a subscription to
 * them goes to every server, each on a connection of the client's own; the client hears every
 * server's messages and its own connection's confirmations only; other channels stay on one server.
 */
class KeyspaceFanInTest {

    private SessionHarness pool;

    @AfterEach
    void tearDown() {
        SessionHarness.closeAndCheckReleased(pool);
    }

    private static String frame(char type, String... words) {
        StringBuilder out =
                new StringBuilder().append(type).append(words.length).append("\r\n");
        for (String word : words) {
            out.append(word.startsWith(":") ? word + "\r\n" : bulk(word));
        }
        return out.toString();
    }

    private static String command(String... words) {
        return frame('*', words);
    }

    @Test
    void keyspacePatternsAreHeardOnEveryServer() {
        pool = new SessionHarness(3, "");
        pool.send("PSUBSCRIBE __keyevent@0__:* __keyspace@0__:*");
        String psubscribe = command("PSUBSCRIBE", "__keyevent@0__:*", "__keyspace@0__:*");
        EmbeddedChannel own = pool.backend(0);
        EmbeddedChannel second = pool.backend(1);
        EmbeddedChannel third = pool.backend(2);
        for (EmbeddedChannel channel : new EmbeddedChannel[] {own, second, third}) {
            assertThat(SessionHarness.sentOn(channel)).isEqualTo(psubscribe);
        }
        for (EmbeddedChannel channel : new EmbeddedChannel[] {own, second, third}) {
            pool.answer(
                    channel,
                    frame('*', "psubscribe", "__keyevent@0__:*", ":1")
                            + frame('*', "psubscribe", "__keyspace@0__:*", ":2"));
        }
        assertThat(pool.received())
                .as("the confirmations of the client's own connection")
                .isEqualTo(frame('*', "psubscribe", "__keyevent@0__:*", ":1")
                        + frame('*', "psubscribe", "__keyspace@0__:*", ":2"));

        pool.answer(third, frame('*', "pmessage", "__keyevent@0__:*", "__keyevent@0__:set", "c1"));
        pool.answer(own, frame('*', "pmessage", "__keyevent@0__:*", "__keyevent@0__:set", "a1"));
        assertThat(pool.received())
                .isEqualTo(frame('*', "pmessage", "__keyevent@0__:*", "__keyevent@0__:set", "c1")
                        + frame('*', "pmessage", "__keyevent@0__:*", "__keyevent@0__:set", "a1"));

        pool.send("SUBSCRIBE news", "PUNSUBSCRIBE");
        assertThat(SessionHarness.sentOn(own)).isEqualTo(command("SUBSCRIBE", "news") + command("PUNSUBSCRIBE"));
        assertThat(SessionHarness.sentOn(second))
                .as("other channels stay on the client's server")
                .isEqualTo(command("PUNSUBSCRIBE"));
        assertThat(SessionHarness.sentOn(third)).isEqualTo(command("PUNSUBSCRIBE"));
        pool.answer(second, frame('*', "punsubscribe", "__keyevent@0__:*", ":1"));
        assertThat(pool.received()).isEmpty();
    }

    @Test
    void inResp3TheNotificationsArePushesAndComeAmongTheReplies() {
        pool = new SessionHarness(2, "");
        pool.send("HELLO 3", "SUBSCRIBE __keyevent@0__:del");
        EmbeddedChannel own = pool.channelsTo(0).get(0);
        EmbeddedChannel other = pool.channelsTo(1).get(0);
        String hello = command("HELLO", "3");
        assertThat(SessionHarness.sentOn(own)).isEqualTo(hello);
        assertThat(SessionHarness.sentOn(other)).isEqualTo(hello);
        String backendHello = "%1\r\n" + bulk("proto") + ":3\r\n";
        pool.answer(own, backendHello);
        pool.answer(other, backendHello);
        assertThat(SessionHarness.sentOn(other)).isEqualTo(command("SUBSCRIBE", "__keyevent@0__:del"));
        pool.received();
        pool.answer(
                other,
                frame('>', "subscribe", "__keyevent@0__:del", ":1")
                        + frame('>', "message", "__keyevent@0__:del", "b7"));
        assertThat(pool.received()).isEqualTo(frame('>', "message", "__keyevent@0__:del", "b7"));
    }
}
