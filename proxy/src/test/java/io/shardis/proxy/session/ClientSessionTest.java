package io.shardis.proxy.session;

import static io.shardis.proxy.session.SessionHarness.bulk;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What the README promises of one client connection, through EmbeddedChannels (client and
 * backends) in milliseconds: replies in the order commands came whichever server answers first,
 * split commands merged in their place, max_pipeline holding the client back, commands for the
 * client's own connection held until what came before is answered, every command answered once
 * when a backend goes, and every buffer released by its owner.
 */
class ClientSessionTest {

    private SessionHarness pool;

    @AfterEach
    void tearDown() {
        SessionHarness.closeAndCheckReleased(pool);
    }

    @Test
    void repliesKeepTheCommandsOrderUnderInterleavedFanOut() {
        pool = new SessionHarness(2, "");
        pool.send("MGET a1 b1", "GET b2", "GET a2");
        EmbeddedChannel first = pool.backend(0);
        EmbeddedChannel second = pool.backend(1);
        assertThat(SessionHarness.sentOn(first))
                .isEqualTo("*2\r\n$4\r\nMGET\r\n$2\r\na1\r\n" + "*2\r\n$3\r\nGET\r\n$2\r\na2\r\n");
        assertThat(SessionHarness.sentOn(second))
                .isEqualTo("*2\r\n$4\r\nMGET\r\n$2\r\nb1\r\n" + "*2\r\n$3\r\nGET\r\n$2\r\nb2\r\n");

        // Server 1 answers everything first: nothing may reach the client before the MGET's part of server 0.
        pool.answer(second, "*1\r\n" + bulk("B1") + bulk("B2"));
        assertThat(pool.received()).isEmpty();
        pool.answer(first, "*1\r\n" + bulk("A1"));
        assertThat(pool.received()).isEqualTo("*2\r\n" + bulk("A1") + bulk("B1") + bulk("B2"));
        pool.answer(first, bulk("A2"));
        assertThat(pool.received()).isEqualTo(bulk("A2"));
    }

    @Test
    void maxPipelineStopsReadingTheClientUntilRepliesAreWritten() {
        pool = new SessionHarness(1, "  max_pipeline: 2\n");
        pool.send("GET a1", "GET a2", "GET a3", "GET a4");
        EmbeddedChannel server = pool.backend(0);
        assertThat(SessionHarness.sentOn(server))
                .as("two replies owed: the rest waits")
                .isEqualTo("*2\r\n$3\r\nGET\r\n$2\r\na1\r\n*2\r\n$3\r\nGET\r\n$2\r\na2\r\n");
        assertThat(pool.client.config().isAutoRead()).isFalse();

        pool.answer(server, bulk("1") + bulk("2"));
        assertThat(pool.received()).isEqualTo(bulk("1") + bulk("2"));
        assertThat(SessionHarness.sentOn(server))
                .as("held commands go on, in order")
                .isEqualTo("*2\r\n$3\r\nGET\r\n$2\r\na3\r\n*2\r\n$3\r\nGET\r\n$2\r\na4\r\n");
        pool.answer(server, bulk("3") + bulk("4"));
        assertThat(pool.received()).isEqualTo(bulk("3") + bulk("4"));
        assertThat(pool.client.config().isAutoRead()).isTrue();
    }

    @Test
    void aCommandForTheClientsOwnConnectionWaitsForEveryEarlierReply() {
        pool = new SessionHarness(1, "");
        pool.send("SET a1 v", "BLPOP a2 0", "GET a3");
        EmbeddedChannel shared = pool.channelsTo(0).get(0);
        assertThat(SessionHarness.sentOn(shared)).startsWith("*3\r\n$3\r\nSET\r\n");
        assertThat(pool.channelsTo(0).stream().skip(1).map(SessionHarness::sentOn))
                .as("the client's own connection: nothing sent until the SET is answered")
                .allMatch(String::isEmpty);

        pool.answer(shared, "+OK\r\n");
        EmbeddedChannel own = pool.channelsTo(0).get(1);
        assertThat(SessionHarness.sentOn(own))
                .as("released in order: BLPOP, then GET on the same connection")
                .isEqualTo("*3\r\n$5\r\nBLPOP\r\n$2\r\na2\r\n$1\r\n0\r\n*2\r\n$3\r\nGET\r\n$2\r\na3\r\n");
        pool.answer(own, "*2\r\n" + bulk("a2") + bulk("x") + bulk("y"));
        assertThat(pool.received()).isEqualTo("+OK\r\n" + "*2\r\n" + bulk("a2") + bulk("x") + bulk("y"));
    }

    @Test
    void aBackendThatGoesAnswersEachPendingCommandOnceWithAnErrorInOrder() {
        pool = new SessionHarness(2, "");
        pool.send("GET a1", "GET b1", "GET a2", "GET a3");
        EmbeddedChannel first = pool.backend(0);
        SessionHarness.sentOn(first);
        SessionHarness.sentOn(pool.backend(1));
        pool.answer(first, bulk("A1"));

        first.close();
        pool.settle();
        assertThat(pool.received()).as("b1 is still owed: nothing after A1 yet").isEqualTo(bulk("A1"));
        pool.answer(pool.backend(1), bulk("B1"));
        String rest = pool.received();
        assertThat(rest).startsWith(bulk("B1"));
        String errors = rest.substring(bulk("B1").length());
        assertThat(errors.split("\r\n"))
                .hasSize(2)
                .allSatisfy(line -> assertThat(line).startsWith("-ERR"));
        assertThat(pool.client.isActive()).isTrue();
    }

    @Test
    void refusalsAreAnsweredInTheirPlaceAmongForwardedCommands() {
        pool = new SessionHarness(2, "");
        pool.send("GET a1", "FROB", "RENAME a1 b1", "GET b1");
        pool.answer(pool.backend(1), bulk("B1"));
        assertThat(pool.received()).isEmpty();
        pool.answer(pool.backend(0), bulk("A1"));
        assertThat(pool.received())
                .isEqualTo(bulk("A1")
                        + "-ERR unknown command 'FROB', with args beginning with: \r\n"
                        + "-ERR Shardis: the keys of 'rename' are on different servers of pool 'alpha'; keys used together"
                        + " need the same hash tag, e.g. {user1}.a and {user1}.b\r\n"
                        + bulk("B1"));
    }

    @Test
    void aClientThatGoesReleasesWhatItWasOwedAndWhatItSent() {
        pool = new SessionHarness(2, "");
        pool.send("MGET a1 b1", "GET a2", "GET b2");
        pool.answer(pool.backend(1), "*1\r\n" + bulk("B1") + bulk("B2"));
        pool.client.close();
        pool.settle();
        pool.answer(pool.backend(0), "*1\r\n" + bulk("A1") + bulk("A2"));
        // tearDown asserts every buffer fed in was released.
    }
}
