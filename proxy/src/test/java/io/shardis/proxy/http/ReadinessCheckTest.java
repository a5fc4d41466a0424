package io.shardis.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardis.proxy.server.PoolStatus;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ReadinessCheckTest {

    private final ServerSocket redis;
    private final AtomicBoolean draining = new AtomicBoolean();
    private final InetSocketAddress dead;

    ReadinessCheckTest() throws IOException {
        redis = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread answer = new Thread(() -> {
            while (!redis.isClosed()) {
                try (Socket client = redis.accept()) {
                    client.getInputStream().read(new byte[16]);
                    client.getOutputStream().write("+PONG\r\n".getBytes(StandardCharsets.US_ASCII));
                } catch (IOException e) {
                    // closed
                }
            }
        });
        answer.setDaemon(true);
        answer.start();
        try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            dead = new InetSocketAddress("127.0.0.1", closed.getLocalPort());
        }
    }

    @AfterEach
    void close() throws IOException {
        redis.close();
    }

    private ReadinessCheck check(Map<String, PoolStatus.Needs> pools) {
        return new ReadinessCheck(() -> pools, draining::get);
    }

    private PoolStatus.Target live() {
        return new PoolStatus.Target(
                "live", new InetSocketAddress(InetAddress.getLoopbackAddress(), redis.getLocalPort()));
    }

    @Test
    void readyWhenEveryNeededServerAnswersPing() {
        try (ReadinessCheck check = check(Map.of("alpha", new PoolStatus.Needs(List.of(live()), List.of())))) {
            Readiness readiness = check.check();
            assertThat(readiness.ready()).isTrue();
            assertThat(readiness.body()).containsEntry("status", "ready");
        }
    }

    @Test
    void notReadyNamesThePoolAndServerThatDoNotAnswer() {
        PoolStatus.Target gone = new PoolStatus.Target("cache-2", dead);
        try (ReadinessCheck check = check(Map.of(
                "alpha", new PoolStatus.Needs(List.of(live(), gone), List.of()),
                "beta", new PoolStatus.Needs(List.of(live()), List.of())))) {
            Readiness readiness = check.check();
            assertThat(readiness.ready()).isFalse();
            assertThat(readiness.reasons())
                    .singleElement()
                    .asString()
                    .startsWith("pool 'alpha': server cache-2 (127.0.0.1:" + dead.getPort() + ") unreachable");
            assertThat(readiness.pools()).containsEntry("alpha", false).containsEntry("beta", true);
        }
    }

    @Test
    void problemsBesidesTheServersCountToo() {
        try (ReadinessCheck check = check(Map.of(
                "sessions",
                new PoolStatus.Needs(List.of(), List.of("12 hash slots have no master in the cluster's slot map"))))) {
            assertThat(check.check().reasons())
                    .containsExactly("pool 'sessions': 12 hash slots have no master in the cluster's slot map");
        }
    }

    @Test
    void drainingIsNotReadyWhateverTheServers() {
        try (ReadinessCheck check = check(Map.of("alpha", new PoolStatus.Needs(List.of(live()), List.of())))) {
            draining.set(true);
            Readiness readiness = check.check();
            assertThat(readiness.ready()).isFalse();
            assertThat(readiness.body()).containsEntry("status", "draining");
        }
    }
}
