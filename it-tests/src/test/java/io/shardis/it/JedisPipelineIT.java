package io.shardis.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardis.it.support.SingleBackendShardis;
import io.shardis.it.support.StopChildProcesses;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;

/** Pipelined and concurrent Jedis clients: every client gets its own replies, in its own order. */
@ExtendWith(StopChildProcesses.class)
class JedisPipelineIT {

    @RegisterExtension
    static final SingleBackendShardis env = SingleBackendShardis.withTimeout(5_000);

    @Test
    @Timeout(60)
    void tenThousandMixedCommandsInOnePipelineComeBackInOrder() {
        int commands = 10_000;
        try (Jedis jedis = env.jedis()) {
            Pipeline pipeline = jedis.pipelined();
            List<Response<?>> responses = new ArrayList<>(commands);
            List<Object> expected = new ArrayList<>(commands);
            long counter = 0;
            for (int i = 0; i < commands; i++) {
                String key = "key:" + (i % 100);
                switch (i % 5) {
                    case 0 -> {
                        responses.add(pipeline.set(key, "value-" + i));
                        expected.add("OK");
                    }
                    case 1 -> {
                        responses.add(pipeline.get("key:" + ((i - 1) % 100)));
                        expected.add("value-" + (i - 1));
                    }
                    case 2 -> {
                        responses.add(pipeline.incr("counter"));
                        expected.add(++counter);
                    }
                    case 3 -> {
                        responses.add(pipeline.rpush("list", Integer.toString(i)));
                        expected.add((long) (i / 5 + 1));
                    }
                    default -> {
                        responses.add(pipeline.append("appended", "x"));
                        expected.add((long) (i / 5 + 1));
                    }
                }
            }
            pipeline.sync();
            List<Object> actual = responses.stream().map(r -> (Object) r.get()).toList();
            assertThat(actual).containsExactlyElementsOf(expected);
            assertThat(jedis.llen("list")).isEqualTo(commands / 5);
            assertThat(jedis.lindex("list", -1)).isEqualTo(Integer.toString(commands - 2));
        }
    }

    @Test
    @Timeout(120)
    void fiftyConcurrentClientsEachGetTheirOwnReplies() throws Exception {
        int clients = 50;
        int commandsPerClient = 2_000;
        ExecutorService threads = Executors.newFixedThreadPool(clients);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int client = c;
                results.add(threads.submit(() -> runClient(client, commandsPerClient)));
            }
            for (Future<Integer> result : results) {
                assertThat(result.get(100, TimeUnit.SECONDS)).isEqualTo(commandsPerClient);
            }
        } finally {
            threads.shutdownNow();
            assertThat(threads.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        }
        try (Jedis jedis = env.redis().client()) {
            assertThat(jedis.get("shared")).isEqualTo(Long.toString((long) clients * commandsPerClient / 20));
        }
    }

    /** One client's mix of plain round trips and short pipelines, checking every reply; returns how many it checked. */
    private static int runClient(int client, int commands) {
        int checked = 0;
        try (Jedis jedis = env.jedis()) {
            long own = 0;
            String prefix = "client:" + client + ":";
            while (checked < commands) {
                // Four plain round trips...
                String key = prefix + checked;
                assertThat(jedis.set(key, key)).isEqualTo("OK");
                assertThat(jedis.get(key)).isEqualTo(key);
                assertThat(jedis.incr(prefix + "counter")).isEqualTo(++own);
                jedis.incr("shared");
                checked += 4;
                // ...then a pipeline of sixteen.
                Pipeline pipeline = jedis.pipelined();
                List<Response<String>> echoes = new ArrayList<>();
                for (int i = 0; i < 16; i++) {
                    echoes.add(pipeline.get(key));
                }
                pipeline.sync();
                for (Response<String> echo : echoes) {
                    assertThat(echo.get()).isEqualTo(key);
                }
                checked += 16;
            }
            return checked;
        }
    }
}
