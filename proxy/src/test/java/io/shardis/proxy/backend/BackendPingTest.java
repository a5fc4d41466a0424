package io.shardis.proxy.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.shardis.proxy.config.ConfigException;
import io.shardis.proxy.config.PoolConfig;
import io.shardis.proxy.config.ShardisConfig;
import io.shardis.proxy.metrics.PoolMetrics;
import io.shardis.proxy.metrics.ShardisMetrics;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The check of an ejected server: PING over a backend connection of Shardis' own, AUTH first when set. */
class BackendPingTest {

    private final EmbeddedChannel loopOwner = new EmbeddedChannel();
    private final List<EmbeddedChannel> opened = new ArrayList<>();

    @AfterEach
    void tearDown() {
        opened.forEach(EmbeddedChannel::finishAndReleaseAll);
        loopOwner.finishAndReleaseAll();
    }

    private CompletionStage<String> ping(String settings) throws ConfigException {
        ShardisConfig config = ShardisConfig.parse(
                "alpha:\n  listen: 127.0.0.1:0\n" + settings + "  servers:\n    - 127.0.0.1:6379:1\n", "test");
        PoolConfig pool = config.pools().get(0);
        PoolMetrics metrics = ShardisMetrics.create(config, "test").pool("alpha");
        BackendSettings server = BackendSettings.of(
                        pool, pool.sharding().servers().get(0), new InetSocketAddress("127.0.0.1", 6379))
                .observedBy(BackendEvents.NONE, metrics.server(0), metrics);
        CompletionStage<String> result = BackendPing.ping(
                server,
                loopOwner.eventLoop(),
                (handler, address) -> {
                    EmbeddedChannel channel = new EmbeddedChannel(handler);
                    opened.add(channel);
                    return channel.newSucceededFuture();
                },
                1000);
        loopOwner.runPendingTasks();
        return result;
    }

    private String sent() {
        loopOwner.runPendingTasks();
        StringBuilder text = new StringBuilder();
        for (Object out; (out = opened.get(0).readOutbound()) != null; ) {
            text.append(((ByteBuf) out).toString(StandardCharsets.UTF_8));
            ((ByteBuf) out).release();
        }
        return text.toString();
    }

    private void answer(String reply) {
        opened.get(0).writeInbound(Unpooled.copiedBuffer(reply, StandardCharsets.UTF_8));
        loopOwner.runPendingTasks();
    }

    @Test
    void aServerThatAnswersPongIsBack() throws Exception {
        CompletableFuture<String> result = ping("").toCompletableFuture();
        assertThat(sent()).isEqualTo("*1\r\n$4\r\nPING\r\n");
        answer("+PONG\r\n");
        assertThat(result).isCompletedWithValue(null);
        assertThat(opened.get(0).isOpen())
                .as("the connection closes after the answer")
                .isFalse();
    }

    @Test
    void theConnectionAuthenticatesFirstAsEveryBackendConnectionDoes() throws Exception {
        CompletableFuture<String> result = ping("  redis_auth: s3cret\n").toCompletableFuture();
        assertThat(sent()).startsWith("*2\r\n$4\r\nAUTH\r\n$6\r\ns3cret\r\n");
        answer("+OK\r\n");
        sent();
        answer("+PONG\r\n");
        assertThat(result).isCompletedWithValue(null);
    }

    @Test
    void anErrorOrAClosedConnectionSaysWhatWentWrong() throws Exception {
        CompletableFuture<String> loading = ping("").toCompletableFuture();
        sent();
        answer("-LOADING Redis is loading the dataset in memory\r\n");
        assertThat(loading).isCompletedWithValue("PING answered -LOADING Redis is loading the dataset in memory");

        opened.clear();
        CompletableFuture<String> closed = ping("").toCompletableFuture();
        sent();
        opened.get(0).close();
        loopOwner.runPendingTasks();
        assertThat(closed).isCompleted();
        assertThat(closed.get()).isNotNull();
    }
}
