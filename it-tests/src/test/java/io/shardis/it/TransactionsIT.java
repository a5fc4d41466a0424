package io.shardis.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shardis.it.support.RespConnection;
import io.shardis.it.support.SingleBackendShardis;
import io.shardis.it.support.StopChildProcesses;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.Response;
import redis.clients.jedis.Transaction;
import redis.clients.jedis.exceptions.JedisDataException;

/** MULTI/EXEC, DISCARD and WATCH through Shardis with Jedis. */
@ExtendWith(StopChildProcesses.class)
class TransactionsIT {

    @RegisterExtension
    static final SingleBackendShardis env = SingleBackendShardis.withTimeout(5_000);

    @Test
    void multiExecRunsTheQueuedCommandsAtomically() {
        try (Jedis jedis = env.jedis()) {
            Transaction tx = jedis.multi();
            Response<String> set = tx.set("tx:a", "1");
            Response<Long> incr = tx.incr("tx:a");
            Response<Long> push = tx.rpush("tx:list", "x", "y");
            Response<List<String>> range = tx.lrange("tx:list", 0, -1);
            List<Object> results = tx.exec();

            assertThat(results).hasSize(4);
            assertThat(set.get()).isEqualTo("OK");
            assertThat(incr.get()).isEqualTo(2L);
            assertThat(push.get()).isEqualTo(2L);
            assertThat(range.get()).containsExactly("x", "y");
            assertThat(jedis.get("tx:a")).isEqualTo("2");
        }
    }

    @Test
    void commandsOfOtherClientsDoNotInterleaveWithAnOpenTransaction() {
        try (Jedis inTx = env.jedis();
                Jedis other = env.jedis()) {
            Transaction tx = inTx.multi();
            tx.set("iso", "from-tx");
            // Another client's write while the transaction is only queued: it is not part of it.
            assertThat(other.set("iso", "from-other")).isEqualTo("OK");
            assertThat(other.get("iso")).isEqualTo("from-other");
            Response<String> get = tx.get("iso");
            tx.exec();
            assertThat(get.get()).isEqualTo("from-tx");
            assertThat(other.get("iso")).isEqualTo("from-tx");
        }
    }

    @Test
    void discardDropsTheQueuedCommands() {
        try (Jedis jedis = env.jedis()) {
            Transaction tx = jedis.multi();
            tx.set("discarded", "1");
            assertThat(tx.discard()).isEqualTo("OK");
            assertThat(jedis.exists("discarded")).isFalse();
            // The connection serves plain commands again.
            assertThat(jedis.set("after", "ok")).isEqualTo("OK");
        }
    }

    @Test
    void execFailsWhenAWatchedKeyChanged() {
        try (Jedis watcher = env.jedis();
                Jedis intruder = env.jedis()) {
            watcher.set("watched", "0");
            assertThat(watcher.watch("watched")).isEqualTo("OK");
            intruder.set("watched", "changed");

            Transaction tx = watcher.multi();
            tx.set("watched", "mine");
            assertThat(tx.exec()).isNull();
            assertThat(watcher.get("watched")).isEqualTo("changed");
        }
    }

    @Test
    void execSucceedsWhenTheWatchedKeyWasLeftAlone() {
        try (Jedis watcher = env.jedis()) {
            watcher.set("watched", "0");
            watcher.watch("watched");
            Transaction tx = watcher.multi();
            tx.incr("watched");
            assertThat(tx.exec()).containsExactly(1L);
            assertThat(watcher.unwatch()).isEqualTo("OK");
        }
    }

    @Test
    void anErrorInsideTheTransactionIsReportedForThatCommandOnly() {
        try (Jedis jedis = env.jedis()) {
            jedis.set("text", "abc");
            Transaction tx = jedis.multi();
            Response<Long> bad = tx.incr("text");
            Response<String> good = tx.set("fine", "1");
            tx.exec();
            assertThatThrownBy(bad::get).isInstanceOf(JedisDataException.class).hasMessageContaining("not an integer");
            assertThat(good.get()).isEqualTo("OK");
        }
    }

    @Test
    void execWithoutMultiIsAnErrorAndTheConnectionStaysUsable() {
        try (Jedis jedis = env.jedis()) {
            assertThatThrownBy(() -> jedis.sendCommand(Protocol.Command.EXEC))
                    .isInstanceOf(JedisDataException.class)
                    .hasMessageContaining("EXEC without MULTI");
            assertThat(jedis.ping()).isEqualTo("PONG");
        }
    }

    @Test
    void transactionConnectionsAreReusedNotOpenedPerClient() {
        try (Jedis warm = env.jedis()) {
            warm.set("tx:reuse", "0"); // shared connections are open before counting
        }
        long before = connectionsReceived();
        for (int client = 0; client < 20; client++) {
            try (Jedis jedis = env.jedis()) {
                Transaction tx = jedis.multi();
                tx.incr("tx:reuse");
                assertThat(tx.exec()).containsExactly((long) client + 1);
                // After EXEC the client is back on a shared connection, and still answered in order.
                assertThat(jedis.get("tx:reuse")).isEqualTo(Long.toString(client + 1));
            }
        }
        // One dedicated connection per event loop at most, taken again by each new transaction; besides
        // them, a shared connection on each loop but the warmed one, and this count's own connection.
        int loops = Runtime.getRuntime().availableProcessors(); // the fixture's event loops
        assertThat(connectionsReceived() - before)
                .as("new backend connections for 20 transactions on %d event loops", loops)
                .isLessThanOrEqualTo(Math.min(2L * loops, 19));
    }

    @Test
    void aClientThatLeavesInsideATransactionLeavesNothingBehindForTheNext() {
        try (RespConnection leaving = new RespConnection(env.address())) {
            assertThat(leaving.call("MULTI")).isEqualTo("+OK");
            assertThat(leaving.call("SET", "tx:abandoned", "1")).isEqualTo("+QUEUED");
        }
        for (int client = 0; client < 4; client++) {
            try (Jedis jedis = env.jedis()) {
                Transaction tx = jedis.multi();
                tx.set("tx:next", "ok");
                assertThat(tx.exec()).containsExactly("OK");
            }
        }
        try (Jedis direct = env.redis().client()) {
            assertThat(direct.exists("tx:abandoned")).isFalse();
        }
    }

    private static long connectionsReceived() {
        try (Jedis direct = env.redis().client()) {
            String stats = direct.info("stats");
            int at = stats.indexOf("total_connections_received:");
            return Long.parseLong(
                    stats.substring(at + 27, stats.indexOf('\r', at)).trim());
        }
    }
}
