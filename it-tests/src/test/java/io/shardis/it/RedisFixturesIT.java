package io.shardis.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shardis.it.support.FreePorts;
import io.shardis.it.support.RedisBinaries;
import io.shardis.it.support.RedisProcess;
import io.shardis.it.support.StopChildProcesses;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisConnectionException;

/** The real-Redis fixtures every other suite relies on. */
@ExtendWith(StopChildProcesses.class)
class RedisFixturesIT {

    @Test
    void freePortsAreNeverHandedOutTwice() {
        Set<Integer> ports = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            int port = FreePorts.next();
            assertThat(ports.add(port)).as("port %d handed out twice", port).isTrue();
            assertThat(FreePorts.isFree(port)).isTrue();
        }
    }

    @Test
    void clusterNodePortsLeaveTheBusPortFree() {
        int port = FreePorts.nextWithCompanion(10_000);
        assertThat(port + 10_000).isLessThanOrEqualTo(65_535);
        assertThat(FreePorts.isFree(port + 10_000)).isTrue();
    }

    @Test
    void findsARedisServerAndItsVersion() {
        RedisBinaries binaries = RedisBinaries.get();
        assertThat(binaries.redisServer()).isExecutable();
        assertThat(binaries.serverVersion()).matches("\\d+\\.\\d+\\.\\d+");
        assertThat(binaries.serverAtLeast(6, 0)).isTrue();
    }

    @Test
    void theEmbeddedServerIsExtractedAndRuns() {
        Path embedded = RedisBinaries.extractEmbedded().orElseThrow();
        assertThat(embedded).isExecutable();
        assertThat(RedisBinaries.versionOf(embedded)).startsWith("6.2.");
    }

    @Test
    void startsServersOnDistinctPortsThatAnswer() {
        try (RedisProcess first = RedisProcess.start();
                RedisProcess second = RedisProcess.start();
                Jedis a = first.client();
                Jedis b = second.client()) {
            assertThat(first.port()).isNotEqualTo(second.port());
            a.set("k", "first");
            b.set("k", "second");
            assertThat(a.get("k")).isEqualTo("first");
            assertThat(b.get("k")).isEqualTo("second");
            assertThat(a.configGet("save")).containsEntry("save", "");
            assertThat(a.configGet("appendonly")).containsEntry("appendonly", "no");
        }
    }

    @Test
    void passesExtraArguments() {
        try (RedisProcess redis = RedisProcess.start("--maxmemory", "12mb");
                Jedis jedis = redis.client()) {
            assertThat(jedis.configGet("maxmemory")).containsEntry("maxmemory", Long.toString(12L * 1024 * 1024));
        }
    }

    @Test
    void stopEndsTheProcess() {
        RedisProcess redis = RedisProcess.start();
        ProcessHandle handle = ProcessHandle.of(redis.pid()).orElseThrow();
        redis.stop();
        assertThat(handle.isAlive()).isFalse();
        assertThat(redis.isAlive()).isFalse();
        redis.stop();
    }

    @Test
    void killedServerRestartsOnTheSamePort() {
        try (RedisProcess redis = RedisProcess.start()) {
            int port = redis.port();
            long pid = redis.pid();
            redis.kill();
            assertThat(redis.isAlive()).isFalse();
            assertThatThrownBy(() -> redis.client().close()).isInstanceOf(JedisConnectionException.class);
            redis.restart();
            assertThat(redis.port()).isEqualTo(port);
            assertThat(redis.pid()).isNotEqualTo(pid);
            try (Jedis jedis = redis.client()) {
                assertThat(jedis.ping()).isEqualTo("PONG");
            }
        }
    }

    @Test
    void aBadArgumentFailsWithTheServersLog() {
        assertThatThrownBy(() -> RedisProcess.start("--no-such-option", "1"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no-such-option");
    }

    @Test
    void aTakenPortIsReportedAsTaken() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            assertThatThrownBy(() ->
                            RedisProcess.builder().port(taken.getLocalPort()).start())
                    .rootCause()
                    .hasMessageContaining("port " + taken.getLocalPort() + " is taken");
        }
    }

    @Test
    void aFrozenServerAnswersAgainWhenThawed() {
        try (RedisProcess redis = RedisProcess.start();
                Jedis jedis = redis.client()) {
            redis.freeze();
            jedis.getConnection().setSoTimeout(200);
            assertThatThrownBy(jedis::ping).isInstanceOf(JedisConnectionException.class);
            redis.thaw();
            try (Jedis fresh = redis.client()) {
                assertThat(fresh.ping()).isEqualTo("PONG");
            }
        }
    }

    @Test
    void runsAReplicaAndASentinel() {
        try (RedisProcess master = RedisProcess.start();
                RedisProcess replica =
                        RedisProcess.start("--replicaof", master.host(), Integer.toString(master.port()));
                RedisProcess sentinel = RedisProcess.builder()
                        .config("sentinel monitor shard1 " + master.host() + " " + master.port() + " 1")
                        .sentinel()
                        .start();
                Jedis toMaster = master.client();
                Jedis toSentinel = sentinel.client()) {
            toMaster.set("replicated", "yes");
            assertThat(toMaster.waitReplicas(1, 10_000)).isEqualTo(1);
            try (Jedis toReplica = replica.client()) {
                assertThat(toReplica.get("replicated")).isEqualTo("yes");
            }
            assertThat(toSentinel.sentinelGetMasterAddrByName("shard1"))
                    .containsExactly(master.host(), Integer.toString(master.port()));
            assertThat(Files.exists(sentinel.dir().resolve("redis.conf"))).isTrue();
        }
    }
}
