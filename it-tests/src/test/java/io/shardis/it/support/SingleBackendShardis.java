package io.shardis.it.support;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import redis.clients.jedis.Jedis;

/**
 * One {@code redis-server} backend and Shardis in front of it, started once for a test class and
 * stopped after it (by PID; {@link StopChildProcesses} remains the safety net). By default the
 * backend is flushed before each test, so every test starts from an empty database.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final SingleBackendShardis env = SingleBackendShardis.withTimeout(5_000);
 *
 * try (Jedis jedis = env.jedis()) { ... }        // through Shardis, pool "alpha"
 * try (Jedis direct = env.redis().client()) { ... }  // straight to the backend
 * }</pre>
 *
 * <p>{@link #perTest()} starts a fresh pair for each test instead, for tests that kill or hang
 * the backend; register it on an instance field then.
 */
public final class SingleBackendShardis
        implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {

    /** The pool every variant but {@link #withConfig} has, and the one {@link #jedis()} and {@link #address()} use. */
    public static final String POOL = "alpha";

    private final Function<RedisProcess, ShardisFixture> startShardis;
    private final boolean flushBeforeEach;
    private final boolean perTest;
    private volatile RedisProcess redis;
    private volatile ShardisFixture shardis;

    private SingleBackendShardis(
            Function<RedisProcess, ShardisFixture> startShardis, boolean flushBeforeEach, boolean perTest) {
        this.startShardis = startShardis;
        this.flushBeforeEach = flushBeforeEach;
        this.perTest = perTest;
    }

    /** Pool {@value #POOL} with {@code redis: true} and a {@code timeout} of {@code timeoutMillis}. */
    public static SingleBackendShardis withTimeout(int timeoutMillis) {
        return withTimeout(timeoutMillis, "");
    }

    /**
     * Like {@link #withTimeout(int)} with further pool keys, as YAML lines indented by two spaces
     * (see {@link ShardisFixture#singlePool}).
     */
    public static SingleBackendShardis withTimeout(int timeoutMillis, String extraPoolKeys) {
        Objects.requireNonNull(extraPoolKeys);
        return new SingleBackendShardis(
                backend -> ShardisFixture.singlePool(backend, timeoutMillis, extraPoolKeys), true, false);
    }

    /** Shardis on {@code yamlTemplate}, where {@code ${backend}} stands for the backend's {@code host:port}. */
    public static SingleBackendShardis withConfig(String yamlTemplate) {
        Objects.requireNonNull(yamlTemplate);
        return new SingleBackendShardis(
                backend -> ShardisFixture.start(yamlTemplate, Map.of("backend", backend.address())), true, false);
    }

    /** The same, but tests share the backend's data: nothing is flushed between them. */
    public SingleBackendShardis withoutFlush() {
        return new SingleBackendShardis(startShardis, false, perTest);
    }

    /** The same, but a new (empty) backend and Shardis for each test, stopped after it. */
    public SingleBackendShardis perTest() {
        return new SingleBackendShardis(startShardis, flushBeforeEach, true);
    }

    public RedisProcess redis() {
        return started(redis);
    }

    public ShardisFixture shardis() {
        return started(shardis);
    }

    /** A new Jedis connection through Shardis to pool {@value #POOL}; the caller closes it. */
    public Jedis jedis() {
        return shardis().jedis(POOL);
    }

    /** Where Shardis listens for pool {@value #POOL}. */
    public InetSocketAddress address() {
        return shardis().address(POOL);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        if (!perTest) {
            start();
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (perTest) {
            start();
        } else if (redis == null) {
            throw new IllegalStateException(
                    "register " + getClass().getSimpleName() + " on a static field, or use perTest()");
        }
        // A fresh backend per test is empty already.
        if (flushBeforeEach && !perTest) {
            redis.flushAll();
        }
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        if (perTest) {
            stop();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        stop();
    }

    private void start() {
        redis = RedisProcess.start();
        shardis = startShardis.apply(redis);
    }

    /** Shardis first, so it does not see its backend go away; the backend even if closing Shardis fails. */
    private void stop() throws Exception {
        try {
            Closeables.closeAll(shardis, redis);
        } finally {
            shardis = null;
            redis = null;
        }
    }

    private static <T> T started(T resource) {
        if (resource == null) {
            throw new IllegalStateException("not started: used outside a test of the class that registers it");
        }
        return resource;
    }
}
