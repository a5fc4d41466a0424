package io.shardis.proxy.session;

import static io.shardis.proxy.session.SessionHarness.bulk;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * CLIENT TRACKING through EmbeddedChannels: the pool's tracking connection ({@code CLIENT TRACKING
 * ON BCAST}), the keys a client read and the invalidation frames it is sent, byte for byte as Redis
 * 7.0 writes them, in the default, BCAST, OPTIN and NOLOOP modes; the null invalidation when the
 * tracking connection is lost; Redis' errors and TRACKINGINFO.
 */
class ClientTrackingTest {

    private static final String HELLO3 = "*2\r\n$5\r\nHELLO\r\n$1\r\n3\r\n";
    private static final String BACKEND_HELLO = "%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n"
            + "$5\r\nproto\r\n:3\r\n$2\r\nid\r\n:9\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n"
            + "$7\r\nmodules\r\n*0\r\n";
    private static final String TRACKING_BCAST = "*4\r\n$6\r\nCLIENT\r\n$8\r\nTRACKING\r\n$2\r\nON\r\n$5\r\nBCAST\r\n";
    private static final String NULL_INVALIDATION = ">2\r\n$10\r\ninvalidate\r\n_\r\n";
    private static final String PING = "*1\r\n$4\r\nPING\r\n";

    private SessionHarness pool;
    private EmbeddedChannel link;
    private EmbeddedChannel shared;

    @AfterEach
    void tearDown() {
        SessionHarness.closeAndCheckReleased(pool);
    }

    private static String invalidate(String... keys) {
        StringBuilder out = new StringBuilder(">2\r\n$10\r\ninvalidate\r\n*" + keys.length + "\r\n");
        for (String key : keys) {
            out.append(bulk(key));
        }
        return out.toString();
    }

    /** HELLO 3 and {@code tracking}; the tracking connection set up and answering OK. */
    private void track(String tracking) {
        pool = new SessionHarness(1, "");
        pool.send("HELLO 3", tracking);
        link = pool.backend(0);
        assertThat(SessionHarness.sentOn(link)).isEqualTo(HELLO3);
        pool.answer(link, BACKEND_HELLO);
        assertThat(SessionHarness.sentOn(link)).isEqualTo(TRACKING_BCAST);
        assertThat(pool.received())
                .as("OK once the server's tracking connection listens")
                .startsWith("%7")
                .doesNotContain("+OK");
        pool.answer(link, "+OK\r\n");
        assertThat(pool.received()).isEqualTo("+OK\r\n");
    }

    /** The client reads {@code key} (value {@code v}). */
    private void get(String key) {
        pool.send("GET " + key);
        if (shared == null) {
            shared = pool.channelsTo(0).get(1);
            assertThat(SessionHarness.sentOn(shared)).isEqualTo(HELLO3);
            pool.answer(shared, BACKEND_HELLO);
        }
        assertThat(SessionHarness.sentOn(shared)).isEqualTo("*2\r\n$3\r\nGET\r\n" + bulk(key));
        pool.answer(shared, bulk("v"));
        assertThat(pool.received()).isEqualTo(bulk("v"));
    }

    /** The client writes {@code key} and hears OK. */
    private void set(String key) {
        pool.send("SET " + key + " x");
        if (shared == null) {
            shared = pool.channelsTo(0).get(1);
            assertThat(SessionHarness.sentOn(shared)).isEqualTo(HELLO3);
            pool.answer(shared, BACKEND_HELLO);
        }
        assertThat(SessionHarness.sentOn(shared)).isEqualTo("*3\r\n$3\r\nSET\r\n" + bulk(key) + bulk("x"));
        pool.answer(shared, "+OK\r\n");
        assertThat(pool.received()).isEqualTo("+OK\r\n");
    }

    @Test
    void defaultModeSendsEachReadKeyOnceThenForgetsIt() {
        track("CLIENT TRACKING ON");
        get("a1");
        get("a2");
        pool.answer(link, invalidate("a1", "b9", "a2"));
        assertThat(pool.received()).as("one message per key, as Redis").isEqualTo(invalidate("a1") + invalidate("a2"));
        pool.answer(link, invalidate("a1"));
        assertThat(pool.received()).as("forgotten once invalidated").isEmpty();
        get("a1");
        pool.answer(link, NULL_INVALIDATION);
        assertThat(pool.received()).isEqualTo(NULL_INVALIDATION);
        pool.send("CLIENT TRACKINGINFO", "CLIENT GETREDIR");
        assertThat(pool.received())
                .isEqualTo("%3\r\n" + bulk("flags") + "~1\r\n" + bulk("on") + bulk("redirect") + ":0\r\n"
                        + bulk("prefixes") + "*0\r\n" + ":0\r\n");
    }

    @Test
    void aLostTrackingConnectionFlushesTheClientAndTheNextOneAgain() {
        track("CLIENT TRACKING ON");
        get("a1");
        link.close();
        pool.settle();
        assertThat(pool.received()).isEqualTo(NULL_INVALIDATION);
        pool.send("GET a1");
        EmbeddedChannel next = pool.channelsTo(0).get(2);
        assertThat(SessionHarness.sentOn(next))
                .as("a new tracking connection on the next read")
                .isEqualTo(HELLO3);
        pool.answer(next, BACKEND_HELLO);
        assertThat(SessionHarness.sentOn(next)).isEqualTo(TRACKING_BCAST);
        assertThat(SessionHarness.sentOn(shared)).isEqualTo("*2\r\n$3\r\nGET\r\n" + bulk("a1"));
        pool.answer(shared, bulk("v"));
        pool.answer(next, "+OK\r\n");
        assertThat(pool.received())
                .as("flushed again: a write in between went unheard")
                .isEqualTo(bulk("v") + NULL_INVALIDATION);
        pool.answer(next, invalidate("a1"));
        assertThat(pool.received()).as("the flush forgot it").isEmpty();
        get("a1");
        pool.answer(next, invalidate("a1"));
        assertThat(pool.received()).isEqualTo(invalidate("a1"));

        pool.send("CLIENT TRACKING OFF", "CLIENT TRACKING ON");
        EmbeddedChannel again = pool.channelsTo(0).get(3);
        assertThat(next.isOpen()).as("closed with the last tracking client").isFalse();
        pool.answer(again, BACKEND_HELLO);
        pool.answer(again, "+OK\r\n");
        assertThat(pool.received()).as("a fresh start owes no flush").isEqualTo("+OK\r\n+OK\r\n");
    }

    @Test
    void trackingMetricsCountClientsKeysConnectionsInvalidationsAndFlushes() {
        track("CLIENT TRACKING ON");
        get("a1");
        get("a2");
        assertThat(pool.scrape())
                .contains(
                        "shardis_tracking_clients{pool=\"alpha\"} 1.0",
                        "shardis_tracking_keys{pool=\"alpha\"} 2.0",
                        "shardis_tracking_connections{pool=\"alpha\"} 1.0",
                        "shardis_invalidations_total{pool=\"alpha\"} 0.0",
                        "shardis_tracking_flushes_total{pool=\"alpha\"} 0.0");
        pool.answer(link, invalidate("a1"));
        assertThat(pool.received()).isEqualTo(invalidate("a1"));
        assertThat(pool.scrape())
                .contains(
                        "shardis_tracking_keys{pool=\"alpha\"} 1.0", "shardis_invalidations_total{pool=\"alpha\"} 1.0");
        link.close();
        pool.settle();
        assertThat(pool.received()).isEqualTo(NULL_INVALIDATION);
        assertThat(pool.scrape())
                .contains(
                        "shardis_tracking_keys{pool=\"alpha\"} 0.0",
                        "shardis_tracking_connections{pool=\"alpha\"} 0.0",
                        "shardis_invalidations_total{pool=\"alpha\"} 1.0",
                        "shardis_tracking_flushes_total{pool=\"alpha\"} 1.0");
        pool.send("CLIENT TRACKING OFF");
        assertThat(pool.received()).isEqualTo("+OK\r\n");
        assertThat(pool.scrape()).contains("shardis_tracking_clients{pool=\"alpha\"} 0.0");
    }

    @Test
    void bcastSendsTheWrittenKeysUnderEachPrefix() {
        track("CLIENT TRACKING ON BCAST PREFIX b PREFIX a");
        pool.answer(link, invalidate("a1", "b1", "c1", "a2"));
        assertThat(pool.received()).isEqualTo(invalidate("a1", "a2") + invalidate("b1"));
        pool.send("CLIENT TRACKINGINFO");
        assertThat(pool.received())
                .isEqualTo("%3\r\n" + bulk("flags") + "~2\r\n" + bulk("on") + bulk("bcast") + bulk("redirect")
                        + ":0\r\n" + bulk("prefixes") + "*2\r\n" + bulk("a") + bulk("b"));
    }

    @Test
    void noloopLeavesOutTheClientsOwnWrites() {
        track("CLIENT TRACKING ON NOLOOP");
        get("a1");
        get("a2");
        pool.send("SET a1 x");
        SessionHarness.sentOn(shared);
        pool.answer(shared, "+OK\r\n");
        assertThat(pool.received()).isEqualTo("+OK\r\n");
        pool.answer(link, invalidate("a1"));
        pool.answer(link, invalidate("a2"));
        assertThat(pool.received()).isEqualTo(invalidate("a2"));
    }

    @Test
    void noloopWithBcastLeavesOutTheClientsOwnWritesOnce() {
        track("CLIENT TRACKING ON BCAST NOLOOP PREFIX a");
        set("a1");
        pool.answer(link, invalidate("a1", "a2", "b1"));
        assertThat(pool.received()).as("its own a1 left out").isEqualTo(invalidate("a2"));
        pool.answer(link, invalidate("a1"));
        assertThat(pool.received()).as("another client's write of a1 is heard").isEqualTo(invalidate("a1"));
        set("a3");
        pool.answer(link, invalidate("a3"));
        assertThat(pool.received()).isEmpty();
        pool.send("CLIENT TRACKINGINFO");
        assertThat(pool.received())
                .isEqualTo("%3\r\n" + bulk("flags") + "~3\r\n" + bulk("on") + bulk("bcast") + bulk("noloop")
                        + bulk("redirect") + ":0\r\n" + bulk("prefixes") + "*1\r\n" + bulk("a"));
    }

    @Test
    void noloopOwnWriteOfAKeyNotReadDoesNotHideALaterWrite() {
        track("CLIENT TRACKING ON NOLOOP");
        set("k");
        pool.answer(link, invalidate("k"));
        assertThat(pool.received()).as("not read: nothing to tell").isEmpty();
        get("k");
        pool.answer(link, invalidate("k"));
        assertThat(pool.received())
                .as("another client's write after the read: the cached value is stale")
                .isEqualTo(invalidate("k"));
        set("k");
        set("k");
        pool.answer(link, invalidate("k"));
        get("k");
        pool.answer(link, invalidate("k"));
        assertThat(pool.received())
                .as("two own writes batched in one invalidation, as Redis sends them, hide one only")
                .isEqualTo(invalidate("k"));
    }

    @Test
    void noloopWriteThatChangesNothingDoesNotHideAnotherClientsWrite() {
        track("CLIENT TRACKING ON NOLOOP");
        get("k");
        pool.send("SET k mine NX");
        assertThat(SessionHarness.sentOn(shared))
                .isEqualTo("*4\r\n$3\r\nSET\r\n" + bulk("k") + bulk("mine") + bulk("NX"));
        assertThat(SessionHarness.sentOn(link))
                .as("no barrier before the write is answered")
                .isEmpty();
        pool.answer(shared, "_\r\n");
        assertThat(pool.received())
                .as("k exists: nothing written, no invalidation")
                .isEqualTo("_\r\n");
        assertThat(SessionHarness.sentOn(link))
                .as("a barrier behind any invalidation the write caused")
                .isEqualTo(PING);
        pool.answer(link, "+PONG\r\n");
        assertThat(pool.received()).isEmpty();
        pool.answer(link, invalidate("k"));
        assertThat(pool.received())
                .as("another client's later write of k is heard")
                .isEqualTo(invalidate("k"));
        assertThat(SessionHarness.sentOn(link)).as("no barrier owed").isEmpty();
    }

    @Test
    void noloopBarriersAreOneAtATimeAndCoverWritesAnsweredBeforeThem() {
        track("CLIENT TRACKING ON NOLOOP");
        get("a");
        get("b");
        set("a");
        assertThat(SessionHarness.sentOn(link)).isEqualTo(PING);
        set("b");
        assertThat(SessionHarness.sentOn(link))
                .as("one barrier in flight: b waits for the next")
                .isEmpty();
        pool.answer(link, invalidate("a"));
        assertThat(pool.received()).as("its own write of a left out").isEmpty();
        pool.answer(link, "+PONG\r\n");
        assertThat(SessionHarness.sentOn(link))
                .as("the next barrier, for b answered after the first was sent")
                .isEqualTo(PING);
        pool.answer(link, invalidate("b"));
        assertThat(pool.received())
                .as("b's own invalidation, after the first barrier, still left out")
                .isEmpty();
        pool.answer(link, "+PONG\r\n");
        assertThat(SessionHarness.sentOn(link)).isEmpty();
        get("a");
        get("b");
        pool.answer(link, invalidate("a", "b"));
        assertThat(pool.received()).isEqualTo(invalidate("a") + invalidate("b"));
    }

    @Test
    void noloopWriteAnsweredAfterABarrierWasSentWaitsForTheNextOne() {
        track("CLIENT TRACKING ON NOLOOP");
        get("a");
        get("k");
        set("a");
        assertThat(SessionHarness.sentOn(link)).isEqualTo(PING);
        pool.send("SET k mine NX");
        SessionHarness.sentOn(shared);
        pool.answer(link, "+PONG\r\n");
        assertThat(SessionHarness.sentOn(link))
                .as("nothing answered since: no barrier")
                .isEmpty();
        pool.answer(shared, "+OK\r\n");
        assertThat(pool.received()).isEqualTo("+OK\r\n");
        assertThat(SessionHarness.sentOn(link)).isEqualTo(PING);
        pool.answer(link, invalidate("k"));
        assertThat(pool.received())
                .as("k's invalidation before the barrier that covers the write is its own")
                .isEmpty();
        pool.answer(link, "+PONG\r\n");
        pool.answer(link, invalidate("a", "k"));
        assertThat(pool.received())
                .as("a's own invalidation never came: the first barrier ended its entry")
                .isEqualTo(invalidate("a"));
    }

    @Test
    void noloopInvalidationAfterTheBarrierOnItsConnectionIsHeardBeforeTheOthersAnswer() {
        pool = new SessionHarness(2, "");
        pool.send("HELLO 3", "CLIENT TRACKING ON NOLOOP");
        EmbeddedChannel link0 = pool.backend(0);
        EmbeddedChannel link1 = pool.backend(1);
        for (EmbeddedChannel each : List.of(link0, link1)) {
            assertThat(SessionHarness.sentOn(each)).isEqualTo(HELLO3);
            pool.answer(each, BACKEND_HELLO);
            assertThat(SessionHarness.sentOn(each)).isEqualTo(TRACKING_BCAST);
            pool.answer(each, "+OK\r\n");
        }
        assertThat(pool.received()).endsWith("+OK\r\n");
        pool.send("GET a1");
        EmbeddedChannel shared0 = pool.channelsTo(0).get(1);
        assertThat(SessionHarness.sentOn(shared0)).isEqualTo(HELLO3);
        pool.answer(shared0, BACKEND_HELLO);
        assertThat(SessionHarness.sentOn(shared0)).isEqualTo("*2\r\n$3\r\nGET\r\n" + bulk("a1"));
        pool.answer(shared0, bulk("v"));
        assertThat(pool.received()).isEqualTo(bulk("v"));
        pool.send("SET a1 mine NX");
        SessionHarness.sentOn(shared0);
        pool.answer(shared0, "_\r\n");
        assertThat(pool.received()).isEqualTo("_\r\n");
        assertThat(SessionHarness.sentOn(link0))
                .as("a barrier on every tracking connection")
                .isEqualTo(PING);
        assertThat(SessionHarness.sentOn(link1)).isEqualTo(PING);
        pool.answer(link0, "+PONG\r\n");
        pool.answer(link0, invalidate("a1"));
        assertThat(pool.received())
                .as("sent by a1's server after its PONG: another client's write, though server 1 has not answered")
                .isEqualTo(invalidate("a1"));
        pool.answer(link1, "+PONG\r\n");
        assertThat(SessionHarness.sentOn(link0) + SessionHarness.sentOn(link1)).isEmpty();
    }

    @Test
    void optoutLeavesOutTheReadAfterCachingNoOnly() {
        track("CLIENT TRACKING ON OPTOUT");
        get("a1");
        pool.send("CLIENT CACHING NO", "CLIENT TRACKINGINFO");
        assertThat(pool.received())
                .as("CACHING NO holds over another CLIENT subcommand, as on Redis 7.0")
                .isEqualTo("+OK\r\n%3\r\n" + bulk("flags") + "~3\r\n" + bulk("on") + bulk("optout") + bulk("caching-no")
                        + bulk("redirect") + ":0\r\n" + bulk("prefixes") + "*0\r\n");
        get("a2");
        get("a3");
        pool.send("CLIENT CACHING NO", "PING");
        assertThat(pool.received()).isEqualTo("+OK\r\n+PONG\r\n");
        get("a4");
        pool.answer(link, invalidate("a1", "a2", "a3", "a4"));
        assertThat(pool.received())
                .as("every read but the one right after CACHING NO")
                .isEqualTo(invalidate("a1") + invalidate("a3") + invalidate("a4"));
        pool.send("CLIENT CACHING YES");
        assertThat(pool.received())
                .isEqualTo("-ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.\r\n");
    }

    @Test
    void cachingYesHoldsOverOtherClientSubcommands() {
        track("CLIENT TRACKING ON OPTIN");
        pool.send("CLIENT CACHING YES", "CLIENT ID");
        assertThat(pool.received()).isEqualTo("+OK\r\n:1\r\n");
        get("a1");
        get("a2");
        pool.answer(link, invalidate("a1", "a2"));
        assertThat(pool.received()).isEqualTo(invalidate("a1"));
    }

    @Test
    void optinTracksTheReadAfterCachingYesOnly() {
        track("CLIENT TRACKING ON OPTIN");
        get("a1");
        pool.send("CLIENT CACHING YES");
        assertThat(pool.received()).isEqualTo("+OK\r\n");
        get("a2");
        get("a3");
        pool.answer(link, invalidate("a1", "a2", "a3"));
        assertThat(pool.received()).isEqualTo(invalidate("a2"));
    }

    @Test
    void pastTheKeyLimitTheOldestKeyIsInvalidated() {
        pool = new SessionHarness(1, "");
        pool.hubMaxKeys = 2;
        pool.send("HELLO 3", "CLIENT TRACKING ON");
        link = pool.backend(0);
        pool.answer(link, BACKEND_HELLO);
        pool.answer(link, "+OK\r\n");
        SessionHarness.sentOn(link);
        pool.received();
        get("a1");
        get("a2");
        pool.send("GET a3");
        assertThat(pool.received()).isEqualTo(invalidate("a1"));
        pool.answer(shared, bulk("v"));
        assertThat(pool.received()).isEqualTo(bulk("v"));
    }

    @Test
    void errorsAreRedisOwn() {
        pool = new SessionHarness(1, "");
        pool.send(
                "CLIENT TRACKING ON PREFIX a",
                "CLIENT TRACKING ON OPTIN OPTOUT",
                "CLIENT TRACKING ON REDIRECT 9999",
                "CLIENT TRACKING ON BCAST OPTIN",
                "CLIENT TRACKING foo",
                "CLIENT TRACKING ON PREFIX",
                "CLIENT TRACKING ON REDIRECT abc",
                "CLIENT TRACKING ON BCAST PREFIX a PREFIX ab",
                "CLIENT CACHING YES",
                "CLIENT TRACKINGINFO",
                "CLIENT GETREDIR");
        assertThat(pool.received())
                .isEqualTo(String.join(
                        "",
                        List.of(
                                "-ERR PREFIX option requires BCAST mode to be enabled\r\n",
                                "-ERR You can't specify both OPTIN mode and OPTOUT mode\r\n",
                                "-ERR The client ID you want redirect to does not exist\r\n",
                                "-ERR OPTIN and OPTOUT are not compatible with BCAST\r\n",
                                "-ERR syntax error\r\n",
                                "-ERR syntax error\r\n",
                                "-ERR value is not an integer or out of range\r\n",
                                "-ERR Prefix 'a' overlaps with another provided prefix 'ab'. Prefixes for a single client must not overlap.\r\n",
                                "-ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled\r\n",
                                "*6\r\n" + bulk("flags") + "*1\r\n" + bulk("off") + bulk("redirect") + ":-1\r\n"
                                        + bulk("prefixes") + "*0\r\n",
                                ":-1\r\n")));
        assertThat(pool.channelsTo(0)).isEmpty();
    }

    @Test
    void aRedirectionToAClientGoneIsBrokenAsOnRedis() {
        pool = new SessionHarness(1, "");
        EmbeddedChannel target = pool.newClient();
        pool.send("HELLO 3", "CLIENT TRACKING ON REDIRECT 2");
        link = pool.backend(0);
        pool.answer(link, BACKEND_HELLO);
        pool.answer(link, "+OK\r\n");
        SessionHarness.sentOn(link);
        pool.received();
        pool.send("CLIENT GETREDIR");
        assertThat(pool.received()).isEqualTo(":2\r\n");
        get("a1");
        target.finishAndReleaseAll();
        pool.answer(link, invalidate("a1"));
        assertThat(pool.received()).isEqualTo(">2\r\n$21\r\ntracking-redir-broken\r\n:2\r\n");
        pool.send("CLIENT TRACKINGINFO");
        assertThat(pool.received())
                .isEqualTo("%3\r\n" + bulk("flags") + "~2\r\n" + bulk("on") + bulk("broken_redirect") + bulk("redirect")
                        + ":2\r\n" + bulk("prefixes") + "*0\r\n");
    }

    @Test
    void aServerRefusingTrackingIsFlushedRatherThanTrusted() {
        pool = new SessionHarness(1, "");
        pool.send("HELLO 3", "CLIENT TRACKING ON");
        link = pool.backend(0);
        pool.answer(link, BACKEND_HELLO);
        pool.received();
        pool.answer(link, "-ERR unknown command 'CLIENT'\r\n");
        assertThat(pool.received()).isEqualTo("+OK\r\n" + NULL_INVALIDATION);
        assertThat(link.isOpen()).isFalse();
    }
}
