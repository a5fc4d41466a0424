package io.shardis.proxy.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.shardis.proxy.auth.ClientAccess;
import io.shardis.proxy.auth.PoolAccess;
import io.shardis.proxy.command.CommandSpec;
import io.shardis.proxy.command.CommandTable;
import io.shardis.resp.RespCommand;
import io.shardis.resp.RespCommands;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Each rule of where a command goes, decided without a channel or a server. */
class DispatcherTest {

    private static final CommandTable TABLE = CommandTable.standard();

    private static final class Client implements Dispatcher.ClientState {
        boolean pushMode;
        boolean resp3;
        boolean inMulti;
        int pinned = -1;

        @Override
        public boolean pushMode() {
            return pushMode;
        }

        @Override
        public boolean resp3() {
            return resp3;
        }

        @Override
        public boolean inMulti() {
            return inMulti;
        }

        @Override
        public boolean isPinned() {
            return pinned >= 0;
        }

        @Override
        public int pinnedServer() {
            return pinned;
        }
    }

    private final List<RespCommand> commands = new ArrayList<>();
    private final Client client = new Client();
    private LetterRouter router = new LetterRouter(3);
    private boolean readsReplicas;
    private boolean allowAdmin;
    private String redisAuth;

    @AfterEach
    void releaseCommands() {
        commands.forEach(RespCommand::release);
    }

    private Route route(String... args) {
        RespCommand command = RespCommands.encode(UnpooledByteBufAllocator.DEFAULT, args);
        commands.add(command);
        Placement placement = new Placement(router, "alpha", readsReplicas, 7);
        ClientAccess access = new ClientAccess(PoolAccess.of("alpha", redisAuth, Map.of(), TABLE, () -> {}));
        return new Dispatcher(router, placement, access, "alpha", allowAdmin)
                .route(command, TABLE.lookup(command), client);
    }

    private static String reason(Route route) {
        assertThat(route).isInstanceOf(Route.Refused.class);
        return ((Route.Refused) route).reason();
    }

    @Test
    void aKeyGoesToItsServerThroughASharedRoute() {
        assertThat(route("GET", "b1")).isEqualTo(new Route.Server(1));
        assertThat(route("GET", "a1")).isSameAs(route("SET", "a2", "v")).isSameAs(Route.server(0));
        assertThat(route("TIME")).as("keyless: the pool's keyless server").isSameAs(Route.server(0));
    }

    @Test
    void unknownCommandsWrongArityAndRefusedCommandsAreAnsweredAsRedisWordsThem() {
        assertThat(reason(route("FROB", "a"))).isEqualTo("ERR unknown command 'FROB', with args beginning with: 'a' ");
        assertThat(reason(route("CLIENT", "FROB"))).isEqualTo("ERR unknown subcommand 'FROB'. Try CLIENT HELP.");
        assertThat(reason(route("GET"))).isEqualTo("ERR wrong number of arguments for 'get' command");
        assertThat(reason(route("MOVE", "a", "1"))).isEqualTo("ERR unknown or unsupported command 'move'");
    }

    @Test
    void theAclRefusesBeforeAnythingElseAndSaysSo() {
        redisAuth = "s3cret";
        Route refused = route("GET", "a");
        assertThat(reason(refused)).startsWith("NOAUTH");
        assertThat(((Route.Refused) refused).accessDenied()).isTrue();
        assertThat(((Route.Refused) route("FROB")).accessDenied()).isFalse();
    }

    @Test
    void adminCommandsNeedAllowAdmin() {
        assertThat(reason(route("FLUSHALL"))).contains("admin commands are off for pool 'alpha'");
        allowAdmin = true;
        assertThat(route("FLUSHALL")).isEqualTo(Route.Fanout.BROADCAST);
    }

    @Test
    void keysOfSeveralServersAreSplitWhereTheTableSaysSoAndRefusedElsewhere() {
        assertThat(route("MGET", "a1", "b1")).isEqualTo(Route.Fanout.SPLIT);
        assertThat(reason(route("RENAME", "a1", "b1"))).contains("are on different servers of pool 'alpha'");
        assertThat(route("RENAME", "a1", "a2")).isSameAs(Route.server(0));
        assertThat(reason(route("GET", "x1")))
                .isEqualTo("ERR Shardis: no server of pool 'alpha' is available for 'get'");
    }

    @Test
    void aPoolOfOneServerSendsEverythingThere() {
        router = new LetterRouter(1);
        allowAdmin = true;
        assertThat(route("MGET", "a1", "b1")).isSameAs(Route.server(0));
        assertThat(route("RENAME", "a1", "b1")).isSameAs(Route.server(0));
        assertThat(route("FLUSHALL")).isSameAs(Route.server(0));
        assertThat(route("WAIT", "1", "0"))
                .as("blocks: on a connection of its own")
                .isSameAs(Route.pinned(0));
    }

    @Test
    void waitCountsTheReplicasOfOneServerOnly() {
        assertThat(reason(route("WAIT", "1", "0")))
                .isEqualTo("ERR Shardis: wait counts the replicas of one server;" + " pool 'alpha' has 3");
    }

    @Test
    void blockingCommandsGoOnTheClientsOwnConnectionWhichCannotBeInTwoPlaces() {
        assertThat(route("BLPOP", "b1", "0")).isSameAs(Route.pinned(1));
        client.pinned = 2;
        assertThat(reason(route("BLPOP", "b1", "0"))).contains("'blpop' blocks on another server");
        assertThat(route("BLPOP", "c1", "0")).isSameAs(Route.pinned(2));
        assertThat(route("GET", "b1")).as("not blocking: the shared connection").isSameAs(Route.server(1));
    }

    @Test
    void localAndTransactionCommands() {
        assertThat(route("PING")).isEqualTo(Route.Local.ANSWER);
        assertThat(route("MULTI")).isEqualTo(Route.Transaction.CONTROL);
        client.inMulti = true;
        assertThat(route("PING")).isEqualTo(Route.Local.IN_TRANSACTION);
        assertThat(route("EXEC")).isEqualTo(Route.Transaction.CONTROL);
    }

    @Test
    void insideMultiCommandsAreQueuedOnTheirServerOrRefused() {
        client.inMulti = true;
        allowAdmin = true;
        assertThat(route("SET", "b1", "v")).isEqualTo(new Route.Queued(1, 1));
        assertThat(route("BLPOP", "c1", "0"))
                .as("does not block in a transaction")
                .isEqualTo(new Route.Queued(2, 2));
        assertThat(reason(route("SUBSCRIBE", "news")))
                .isEqualTo("ERR subscribe inside MULTI is not supported by Shardis");
        assertThat(reason(route("FLUSHALL"))).contains("runs on every server of pool 'alpha'");
        assertThat(reason(route("MGET", "a1", "b1"))).contains("different servers");
        router = new LetterRouter(1);
        client.pinned = 0;
        assertThat(route("FLUSHALL")).isEqualTo(new Route.Queued(0, -1));
    }

    @Test
    void subscriptionsMeetPublishersAndShardChannelsLiveOnTheirServer() {
        assertThat(route("SUBSCRIBE", "news")).isEqualTo(new Route.Subscribe(0));
        assertThat(route("SSUBSCRIBE", "b-news")).isEqualTo(new Route.Subscribe(1));
        client.pinned = 2;
        assertThat(route("SUBSCRIBE", "news")).as("where the client already is").isEqualTo(new Route.Subscribe(2));
        assertThat(reason(route("SSUBSCRIBE", "b-news"))).contains("'ssubscribe' needs another server of pool 'alpha'");
    }

    @Test
    void inPushModeEverythingButQuitIsRelayedAndShardChannelsStayOnTheirServer() {
        client.pushMode = true;
        client.pinned = 1;
        assertThat(route("QUIT")).isEqualTo(Route.Local.ANSWER);
        assertThat(route("PING")).isEqualTo(Route.Relay.PUSH_MODE);
        assertThat(route("SUBSCRIBE", "more")).isEqualTo(Route.Relay.PUSH_MODE);
        assertThat(route("SSUBSCRIBE", "b-more")).isEqualTo(Route.Relay.PUSH_MODE);
        assertThat(route("SUNSUBSCRIBE", "c-other"))
                .as("leaving needs no server")
                .isEqualTo(Route.Relay.PUSH_MODE);
        assertThat(reason(route("SSUBSCRIBE", "c-other"))).contains("needs another server");
        assertThat(reason(route("MOVE", "a", "1"))).contains("unsupported command 'move'");
        assertThat(reason(route("FLUSHALL"))).contains("unsupported command 'flushall'");
    }

    @Test
    void aSubscribedResp3ClientsCommandsGoWhereTheyWouldUnsubscribedAndItsSubscriptionsToItsConnection() {
        client.pushMode = true;
        client.resp3 = true;
        client.pinned = 1;
        assertThat(route("PING")).isEqualTo(Route.Local.ANSWER);
        assertThat(route("GET", "a1")).isSameAs(Route.server(0));
        assertThat(route("GET", "b1"))
                .as("on the client's own connection, as its server")
                .isSameAs(Route.server(1));
        assertThat(route("MGET", "a1", "c1")).isEqualTo(Route.Fanout.SPLIT);
        assertThat(route("SUBSCRIBE", "more")).isEqualTo(Route.Relay.PUSH_MODE);
        assertThat(route("UNSUBSCRIBE")).isEqualTo(Route.Relay.PUSH_MODE);
        assertThat(route("SSUBSCRIBE", "b-more")).isEqualTo(Route.Relay.PUSH_MODE);
        assertThat(reason(route("SSUBSCRIBE", "c-other"))).contains("needs another server");
        assertThat(route("QUIT")).isEqualTo(Route.Local.ANSWER);
    }

    @Test
    void readsGoWhereThePoolReadsFromAndSayWhenNoReplicaCanServe() {
        readsReplicas = true;
        assertThat(route("GET", "b1")).isSameAs(Route.server(1));
        router.noReplicas = true;
        assertThat(reason(route("GET", "b1")))
                .isEqualTo("ERR Shardis: pool 'alpha' reads from replicas only"
                        + " (read_from: replica) and no replica of hash slot 1 is reachable; 'get' was not sent");
        assertThat(route("SET", "b1", "v")).as("writes go to the master").isSameAs(Route.server(1));
        client.pinned = 1;
        assertThat(route("GET", "b1"))
                .as("a client with its own connection reads from the master")
                .isSameAs(Route.server(1));
    }

    @Test
    void routingACommandToItsServerAllocatesNothing() {
        // A buffer the leak detector does not track: its access records would be all that is counted.
        byte[] frame = "*2\r\n$3\r\nGET\r\n$2\r\nb1\r\n".getBytes(StandardCharsets.US_ASCII);
        RespCommand get = RespCommand.of(Unpooled.wrappedBuffer(frame), 2, new int[] {8, 3, 17, 2});
        CommandSpec spec = TABLE.lookup(get);
        Placement placement = new Placement(router, "alpha", false, 7);
        ClientAccess access = new ClientAccess(PoolAccess.of("alpha", null, Map.of(), TABLE, () -> {}));
        Dispatcher dispatcher = new Dispatcher(router, placement, access, "alpha", false);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        int rounds = 200_000;
        Route last = null;
        for (int i = 0; i < rounds; i++) {
            last = dispatcher.route(get, spec, client);
        }
        long before = threads.getThreadAllocatedBytes(thread);
        for (int i = 0; i < rounds; i++) {
            last = dispatcher.route(get, spec, client);
        }
        long allocated = threads.getThreadAllocatedBytes(thread) - before;
        assertThat(last).isSameAs(Route.server(1));
        assertThat(allocated).as("bytes allocated by %d routes", rounds).isLessThan(rounds / 10);
    }
}
