package io.shardis.it.support;

import io.shardis.proxy.ShardisServer;
import io.shardis.proxy.config.ShardisConfig;
import java.net.InetSocketAddress;
import java.util.Map;
import redis.clients.jedis.Jedis;

/**
 * Shardis running inside the test JVM, started through its Java API from a YAML template, so
 * Netty's leak detector in this JVM sees every buffer the proxy handles.
 *
 * <pre>{@code
 * try (ShardisFixture shardis = ShardisFixture.start("""
 *         alpha:
 *           listen: 127.0.0.1:0
 *           servers:
 *             - ${redis}:1
 *         """, Map.of("redis", redis.address()))) {
 *     try (Jedis jedis = shardis.jedis("alpha")) { ... }
 * }
 * }</pre>
 */
public final class ShardisFixture implements AutoCloseable {

    private static final int CLIENT_TIMEOUT_MILLIS = 10_000;

    private final String config;
    private final ShardisServer server;

    private ShardisFixture(String config, ShardisServer server) {
        this.config = config;
        this.server = server;
    }

    /** Renders {@code yamlTemplate} with {@code values} (see {@link Template}) and starts Shardis on it. */
    public static ShardisFixture start(String yamlTemplate, Map<String, ?> values) {
        return start(yamlTemplate, values, Runtime.getRuntime().availableProcessors());
    }

    /**
     * Like {@link #start(String, Map)} with {@code workerThreads} event loops. With one, every client
     * shares the same loop and so the same shared backend connections, whatever the machine's cores:
     * for tests about one client's command holding up (or not) another's.
     */
    public static ShardisFixture start(String yamlTemplate, Map<String, ?> values, int workerThreads) {
        return start(yamlTemplate, values, workerThreads, null);
    }

    /**
     * Like {@link #start(String, Map)}, and serves the Twemproxy stats document on a free port of
     * 127.0.0.1 ({@link #statsAddress()}).
     */
    public static ShardisFixture startWithStats(String yamlTemplate, Map<String, ?> values) {
        return start(
                yamlTemplate,
                values,
                Runtime.getRuntime().availableProcessors(),
                new InetSocketAddress("127.0.0.1", 0));
    }

    /**
     * Like {@link #start(String, Map)}, with the HTTP listener ({@code /metrics}, {@code /ready},
     * {@code /pools}) on a free port of 127.0.0.1 ({@link #httpPort()}).
     */
    public static ShardisFixture startWithHttp(String yamlTemplate, Map<String, ?> values) {
        return start(
                yamlTemplate,
                values,
                Runtime.getRuntime().availableProcessors(),
                null,
                new InetSocketAddress("127.0.0.1", 0));
    }

    private static ShardisFixture start(
            String yamlTemplate, Map<String, ?> values, int workerThreads, InetSocketAddress stats) {
        return start(yamlTemplate, values, workerThreads, stats, null);
    }

    private static ShardisFixture start(
            String yamlTemplate,
            Map<String, ?> values,
            int workerThreads,
            InetSocketAddress stats,
            InetSocketAddress http) {
        String yaml = Template.render(yamlTemplate, values);
        ShardisServer server;
        try {
            server = ShardisServer.start(ShardisConfig.parse(yaml, "test config"), workerThreads, stats, http);
        } catch (Exception e) {
            throw new IllegalStateException("Shardis did not start on:\n" + yaml, e);
        }
        return new ShardisFixture(yaml, server);
    }

    /**
     * One pool {@code alpha} in front of {@code backend}: {@code redis: true}, a {@code timeout}
     * in milliseconds, and any further pool keys as YAML lines indented by two spaces.
     */
    public static ShardisFixture singlePool(RedisProcess backend, int timeoutMillis, String extraPoolKeys) {
        return start(
                """
                alpha:
                  listen: 127.0.0.1:0
                  redis: true
                  timeout: ${timeout}
                ${extra}  servers:
                    - ${backend}:1
                """,
                Map.of(
                        "timeout",
                        timeoutMillis,
                        "backend",
                        backend.address(),
                        "extra",
                        extraPoolKeys.isBlank() ? "" : extraPoolKeys.stripTrailing() + "\n"));
    }

    public InetSocketAddress address(String pool) {
        return server.address(pool);
    }

    public int port(String pool) {
        return address(pool).getPort();
    }

    /** Where the stats port listens; only after {@link #startWithStats}. */
    public InetSocketAddress statsAddress() {
        return server.statsAddress();
    }

    /** A new Jedis connection to {@code pool}; the caller closes it. */
    public Jedis jedis(String pool) {
        return new Jedis(address(pool).getHostString(), port(pool), CLIENT_TIMEOUT_MILLIS);
    }

    /** The YAML Shardis runs on, after placeholders were filled. */
    public String config() {
        return config;
    }

    public ShardisServer server() {
        return server;
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (Exception e) {
            throw new IllegalStateException("Shardis did not close cleanly", e);
        }
    }

    /** The HTTP listener's port (started with {@link #startWithHttp}). */
    public int httpPort() {
        return server.httpAddress().getPort();
    }
}
