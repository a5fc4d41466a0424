package io.shardis.proxy.session;

import static io.shardis.proxy.session.SessionHarness.bulk;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * RESP3 clients through EmbeddedChannels: HELLO answered by Shardis in the client's new protocol,
 * the client's commands on backend connections that said HELLO 3 in their set-up (made on first
 * use, apart from the RESP2 ones), RESET back to RESP2, and the replies Shardis composes spelled
 * in the client's protocol.
 */
class ClientSessionResp3Test {

    private static final String HELLO3 = "*2\r\n$5\r\nHELLO\r\n$1\r\n3\r\n";
    /** A backend's answer to the HELLO 3 of a connection's set-up. */
    private static final String BACKEND_HELLO = "%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n"
            + "$5\r\nproto\r\n:3\r\n$2\r\nid\r\n:9\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n"
            + "$7\r\nmodules\r\n*0\r\n";

    private SessionHarness pool;

    @AfterEach
    void tearDown() {
        SessionHarness.closeAndCheckReleased(pool);
    }

    private static String verbatim(String text) {
        return "=" + (text.length() + 4) + "\r\ntxt:" + text + "\r\n";
    }

    private static String hello(int proto, char map) {
        return hello(proto, map, "7.0.0");
    }

    private static String hello(int proto, char map, String version) {
        return map + (map == '%' ? "7" : "14") + "\r\n" + bulk("server") + bulk("redis") + bulk("version")
                + bulk(version)
                + bulk("proto") + ":" + proto + "\r\n" + bulk("id") + ":1\r\n" + bulk("mode") + bulk("standalone")
                + bulk("role") + bulk("master") + bulk("modules") + "*0\r\n";
    }

    @Test
    void helloReportsThePoolsRedisVersion() {
        pool = new SessionHarness(1, "  redis_version: 7.4.0\n");
        pool.send("HELLO 3");
        assertThat(pool.received()).isEqualTo(hello(3, '%', "7.4.0"));
        pool.send("HELLO 2");
        assertThat(pool.received()).isEqualTo(hello(2, '*', "7.4.0"));
    }

    @Test
    void helloAnswersInTheNewProtocolAndRefusesOthers() {
        pool = new SessionHarness(1, "");
        pool.send("HELLO");
        assertThat(pool.received()).isEqualTo(hello(2, '*'));
        pool.send("HELLO 3");
        assertThat(pool.received()).isEqualTo(hello(3, '%'));
        pool.send("HELLO");
        assertThat(pool.received()).as("no version: the current one").isEqualTo(hello(3, '%'));
        pool.send("HELLO 4", "HELLO 1", "HELLO x");
        assertThat(pool.received())
                .isEqualTo("-NOPROTO unsupported protocol version\r\n"
                        + "-NOPROTO unsupported protocol version\r\n"
                        + "-ERR Protocol version is not an integer or out of range\r\n");
        pool.send("HELLO 2 SETNAME app");
        assertThat(pool.received()).isEqualTo(hello(2, '*'));
        pool.send("CLIENT GETNAME");
        assertThat(pool.received()).isEqualTo(bulk("app"));
        assertThat(pool.channelsTo(0)).as("nothing of this reached a backend").isEmpty();
    }

    @Test
    void aPoolWithResp3OffRefusesHello3AsBeforeRedis6() {
        pool = new SessionHarness(1, "  resp3: false\n");
        pool.send("HELLO 3", "HELLO 2");
        assertThat(pool.received()).isEqualTo("-NOPROTO unsupported protocol version\r\n" + hello(2, '*'));
    }

    @Test
    void clientInfoIsVerbatimInResp3AndShowsTheProtocol() {
        pool = new SessionHarness(1, "");
        pool.send("CLIENT INFO");
        String resp2 = pool.received();
        assertThat(resp2).startsWith("$").contains(" resp=2 ");
        pool.send("HELLO 3");
        pool.received();
        pool.send("CLIENT INFO", "CLIENT GETNAME");
        String resp3 = pool.received();
        assertThat(resp3)
                .startsWith("=")
                .contains("\r\ntxt:id=1 ")
                .contains(" resp=3 ")
                .endsWith("\n\r\n_\r\n");
        pool.send("RESET", "CLIENT INFO");
        assertThat(pool.received()).startsWith("+RESET\r\n$").contains(" resp=2 ");
    }

    @Test
    void resp3CommandsGoOnConnectionsThatSaidHello3ApartFromResp2Ones() {
        pool = new SessionHarness(1, "");
        pool.send("GET a1");
        EmbeddedChannel resp2 = pool.backend(0);
        assertThat(SessionHarness.sentOn(resp2)).isEqualTo("*2\r\n$3\r\nGET\r\n$2\r\na1\r\n");
        pool.answer(resp2, "$-1\r\n");
        assertThat(pool.received()).isEqualTo("$-1\r\n");

        pool.send("HELLO 3", "GET a2", "HGETALL a3");
        assertThat(pool.channelsTo(0)).hasSize(2);
        EmbeddedChannel resp3 = pool.channelsTo(0).get(1);
        assertThat(SessionHarness.sentOn(resp3)).as("the set-up first, alone").isEqualTo(HELLO3);
        assertThat(SessionHarness.sentOn(resp2)).isEmpty();
        pool.answer(resp3, BACKEND_HELLO);
        assertThat(SessionHarness.sentOn(resp3))
                .isEqualTo("*2\r\n$3\r\nGET\r\n$2\r\na2\r\n*2\r\n$7\r\nHGETALL\r\n$2\r\na3\r\n");
        pool.answer(resp3, "_\r\n%1\r\n" + bulk("f") + bulk("v"));
        assertThat(pool.received()).isEqualTo(hello(3, '%') + "_\r\n%1\r\n" + bulk("f") + bulk("v"));

        pool.send("RESET", "GET a4");
        assertThat(SessionHarness.sentOn(resp2))
                .as("RESP2 again after RESET")
                .isEqualTo("*2\r\n$3\r\nGET\r\n$2\r\na4\r\n");
        pool.answer(resp2, bulk("x"));
        assertThat(pool.received()).isEqualTo("+RESET\r\n" + bulk("x"));
    }

    @Test
    void mergedRepliesOfResp3ServersKeepTheirTypes() {
        pool = new SessionHarness(2, "");
        pool.send("HELLO 3", "MGET a1 b1 a2", "DBSIZE", "INFO keyspace");
        EmbeddedChannel first = pool.backend(0);
        EmbeddedChannel second = pool.backend(1);
        assertThat(SessionHarness.sentOn(first)).isEqualTo(HELLO3);
        assertThat(SessionHarness.sentOn(second)).isEqualTo(HELLO3);
        pool.answer(first, BACKEND_HELLO);
        pool.answer(second, BACKEND_HELLO);
        SessionHarness.sentOn(first);
        SessionHarness.sentOn(second);
        pool.answer(first, "*2\r\n" + bulk("A1") + "_\r\n" + ":3\r\n" + verbatim("# Keyspace\r\ndb0:keys=3\r\n"));
        pool.answer(second, "*1\r\n_\r\n" + ":4\r\n" + verbatim("# Keyspace\r\ndb0:keys=4\r\n"));
        assertThat(pool.received())
                .isEqualTo(hello(3, '%') + "*3\r\n" + bulk("A1") + "_\r\n_\r\n" + ":7\r\n"
                        + verbatim("# Keyspace\r\ndb0:keys=7\r\n"));
    }

    private static String push(String... words) {
        StringBuilder out = new StringBuilder(">" + words.length + "\r\n");
        for (String word : words) {
            out.append(word.startsWith(":") ? word + "\r\n" : bulk(word));
        }
        return out.toString();
    }

    @Test
    void aSubscribedClientsRepliesAndPushesKeepRedisOrder() {
        pool = new SessionHarness(1, "");
        pool.send("HELLO 3", "SUBSCRIBE ch", "GET a1", "PING");
        EmbeddedChannel own = pool.backend(0);
        assertThat(SessionHarness.sentOn(own)).isEqualTo(HELLO3);
        pool.answer(own, BACKEND_HELLO);
        assertThat(SessionHarness.sentOn(own))
                .as("a PING marks where the confirmations end; GET on the same connection")
                .isEqualTo("*2\r\n$9\r\nSUBSCRIBE\r\n$2\r\nch\r\n*1\r\n$4\r\nPING\r\n*2\r\n$3\r\nGET\r\n$2\r\na1\r\n");
        assertThat(pool.received()).isEqualTo(hello(3, '%'));

        pool.answer(own, push("subscribe", "ch", ":1"));
        assertThat(pool.received()).as("the confirmation at once").isEqualTo(push("subscribe", "ch", ":1"));
        pool.answer(own, "+PONG\r\n" + push("message", "ch", "hi"));
        assertThat(pool.received())
                .as("a message Redis sent before GET's reply comes before it")
                .isEqualTo(push("message", "ch", "hi"));
        pool.answer(own, bulk("v") + push("message", "ch", "later"));
        assertThat(pool.received()).isEqualTo(bulk("v") + "+PONG\r\n" + push("message", "ch", "later"));

        pool.send("UNSUBSCRIBE", "GET a2");
        assertThat(SessionHarness.sentOn(own))
                .isEqualTo("*1\r\n$11\r\nUNSUBSCRIBE\r\n*1\r\n$4\r\nPING\r\n" + "*2\r\n$3\r\nGET\r\n$2\r\na2\r\n");
        pool.answer(own, push("unsubscribe", "ch", ":0") + "+PONG\r\n" + "_\r\n");
        assertThat(pool.received()).isEqualTo(push("unsubscribe", "ch", ":0") + "_\r\n");
    }

    @Test
    void aSubscribedResp3ClientsResetEndsItsSubscriptionsAndItsConnectionIsNotReused() {
        pool = new SessionHarness(1, "");
        pool.send("HELLO 3", "SUBSCRIBE ch");
        EmbeddedChannel own = pool.backend(0);
        pool.answer(own, BACKEND_HELLO);
        SessionHarness.sentOn(own);
        pool.answer(own, push("subscribe", "ch", ":1") + "+PONG\r\n");
        pool.send("RESET");
        assertThat(SessionHarness.sentOn(own)).isEqualTo("*1\r\n$5\r\nRESET\r\n");
        pool.answer(own, "+RESET\r\n");
        assertThat(own.isOpen())
                .as("RESET made it a RESP2 connection: closed, not given back as a RESP3 one")
                .isFalse();
        pool.send("GET a1");
        assertThat(pool.channelsTo(0)).hasSize(2);
        assertThat(SessionHarness.sentOn(pool.channelsTo(0).get(1))).isEqualTo("*2\r\n$3\r\nGET\r\n$2\r\na1\r\n");
        assertThat(pool.received()).isEqualTo(hello(3, '%') + push("subscribe", "ch", ":1") + "+RESET\r\n");
    }

    @Test
    void helloOnAClientsOwnConnectionSwitchesThatConnectionTooAndItIsNotReused() {
        pool = new SessionHarness(1, "");
        pool.send("WATCH a1");
        EmbeddedChannel own = pool.backend(0);
        assertThat(SessionHarness.sentOn(own)).isEqualTo("*2\r\n$5\r\nWATCH\r\n$2\r\na1\r\n");
        pool.answer(own, "+OK\r\n");
        pool.send("HELLO 3", "GET a1");
        assertThat(SessionHarness.sentOn(own))
                .as("the connection with the WATCH speaks RESP3 from now on")
                .isEqualTo(HELLO3 + "*2\r\n$3\r\nGET\r\n$2\r\na1\r\n");
        pool.answer(own, BACKEND_HELLO + "_\r\n");
        assertThat(pool.received()).isEqualTo("+OK\r\n" + hello(3, '%') + "_\r\n");
        pool.send("UNWATCH");
        pool.answer(own, "+OK\r\n");
        assertThat(pool.received()).isEqualTo("+OK\r\n");
        assertThat(own.isOpen())
                .as("made for RESP2, switched: closed rather than given back")
                .isFalse();
    }
}
