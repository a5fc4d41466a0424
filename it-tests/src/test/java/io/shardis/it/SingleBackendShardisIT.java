package io.shardis.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardis.it.support.SingleBackendShardis;
import io.shardis.it.support.StopChildProcesses;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/** The fixture most suites share: one backend and Shardis for the class, an empty database for each test. */
@ExtendWith(StopChildProcesses.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SingleBackendShardisIT {

    @RegisterExtension
    static final SingleBackendShardis env = SingleBackendShardis.withTimeout(5_000);

    private static long firstBackendPid;

    @Test
    @Order(1)
    void servesPoolAlphaInFrontOfTheBackend() {
        firstBackendPid = env.redis().pid();
        try (Jedis jedis = env.jedis();
                Jedis direct = env.redis().client()) {
            assertThat(jedis.set("left:behind", "1")).isEqualTo("OK");
            assertThat(direct.get("left:behind")).isEqualTo("1");
        }
    }

    @Test
    @Order(2)
    void theNextTestHasTheSameBackendEmptied() {
        assertThat(env.redis().pid()).isEqualTo(firstBackendPid);
        assertThat(env.redis().isAlive()).isTrue();
        try (Jedis jedis = env.jedis()) {
            assertThat(jedis.dbSize()).isZero();
        }
    }
}
