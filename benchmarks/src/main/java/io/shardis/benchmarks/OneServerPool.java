package io.shardis.benchmarks;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.shardis.proxy.auth.PoolAccess;
import io.shardis.proxy.backend.BackendEvents;
import io.shardis.proxy.backend.BackendPool;
import io.shardis.proxy.backend.BackendServers;
import io.shardis.proxy.backend.BackendSettings;
import io.shardis.proxy.backend.PendingCommand;
import io.shardis.proxy.backend.UnreachableHold;
import io.shardis.proxy.cluster.ClusterNodes;
import io.shardis.proxy.command.CommandSpec;
import io.shardis.proxy.command.CommandTable;
import io.shardis.proxy.config.ConfigException;
import io.shardis.proxy.config.PoolConfig;
import io.shardis.proxy.config.ShardisConfig;
import io.shardis.proxy.metrics.PoolMetrics;
import io.shardis.proxy.metrics.ShardisMetrics;
import io.shardis.proxy.route.ShardRouter;
import io.shardis.proxy.route.SingleServerRouter;
import io.shardis.proxy.session.ClientRegistry;
import io.shardis.proxy.session.InvalidationHub;
import io.shardis.proxy.session.SessionPool;
import io.shardis.resp.RespCommand;
import io.shardis.resp.RespLimits;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * A sharded pool of one server as the proxy runs it (default settings, the standard command
 * table, metrics on), whose backend connections open EmbeddedChannels instead of sockets.
 *
 * <p>Or ({@link #followingSentinel}) a pool of one server that Sentinel manages: its commands keep
 * their frames until answered, to be sent again should the master fail, and its connections hold
 * the commands of an unreachable server ({@link UnreachableHold}) as the proxy's do. No Sentinel
 * is asked anything, and the connections skip the ROLE check of a new connection: both happen
 * once per connection, not per command.
 */
final class OneServerPool implements SessionPool {

    private final PoolConfig config;
    private final PoolMetrics metrics;
    private final CommandTable commands = CommandTable.standard();
    private final BackendSettings server;
    private final ClientRegistry clients = new ClientRegistry();
    private BackendPool backends;
    private EmbeddedChannel backend;
    private long clientIds;

    OneServerPool() {
        this(false);
    }

    /** @param followingSentinel a Sentinel-managed pool, which keeps frames for a failover */
    OneServerPool(boolean followingSentinel) {
        ShardisConfig parsed;
        try {
            parsed = ShardisConfig.parse(
                    "alpha:\n  listen: 127.0.0.1:0\n"
                            + (followingSentinel ? "  sentinels: [127.0.0.1:26379]\n" : "")
                            + "  servers:\n    - 127.0.0.1:7000:1 s0\n",
                    "bench");
        } catch (ConfigException e) {
            throw new IllegalStateException(e);
        }
        config = parsed.pools().get(0);
        metrics = ShardisMetrics.create(parsed, "bench").pool("alpha");
        server = BackendSettings.of(
                        config, config.sharding().servers().get(0), new InetSocketAddress("127.0.0.1", 7000))
                .observedBy(BackendEvents.NONE, metrics.server(0), metrics);
    }

    /** The one backend channel, once the first command opened it. */
    EmbeddedChannel backend() {
        if (backend == null) {
            throw new IllegalStateException("no backend connection yet");
        }
        return backend;
    }

    void close() {
        if (backend != null) {
            backend.finishAndReleaseAll();
        }
    }

    @Override
    public PoolConfig config() {
        return config;
    }

    @Override
    public RespLimits requestLimits() {
        return RespLimits.DEFAULT
                .withMaxBulkLength(config.limits().maxBulkBytes())
                .withMaxRequestBytes(Math.max(config.limits().maxRequestBytes(), 1024));
    }

    @Override
    public PoolAccess access() {
        return PoolAccess.of(
                "alpha", config.auth().redisAuth(), config.auth().users(), commands, PoolAccess.AuthEvents.NONE);
    }

    @Override
    public CommandTable commands() {
        return commands;
    }

    @Override
    public ShardRouter router() {
        return SingleServerRouter.INSTANCE;
    }

    @Override
    public ClusterNodes cluster() {
        return null;
    }

    @Override
    public PoolMetrics metrics() {
        return metrics;
    }

    @Override
    public int[] liveServers() {
        return new int[] {0};
    }

    @Override
    public BackendSettings server(int index) {
        return server;
    }

    @Override
    public BackendPool backendsFor(EventLoop loop) {
        if (backends == null) {
            UnreachableHold hold = config.holdsForFailover()
                    ? new UnreachableHold(
                            new SameServer(), commands, loop, config.timeouts().failoverMillis())
                    : null;
            backends = new BackendPool(
                    loop, BackendServers.of(List.of(server)), 1, hold, settings -> (handler, address) -> {
                        backend = new EmbeddedChannel(handler);
                        return backend.newSucceededFuture();
                    });
            if (hold != null) {
                hold.attach(backends);
            }
        }
        return backends;
    }

    @Override
    public InvalidationHub invalidationHub(EventLoop loop) {
        return new InvalidationHub(this, backendsFor(loop), InvalidationHub.DEFAULT_MAX_KEYS);
    }

    @Override
    public ClientRegistry clients() {
        return clients;
    }

    @Override
    public long nextClientId() {
        return ++clientIds;
    }

    @Override
    public void clientGone() {}

    @Override
    public SessionPool successor() {
        return null;
    }

    @Override
    public void adopt(Channel client) {}

    /** Held commands go back to the one server, as a Sentinel-managed pool's go to theirs. */
    private static final class SameServer implements UnreachableHold.Route {

        private final Object version = new Object();

        @Override
        public int keyOf(RespCommand view, CommandSpec spec, BackendSettings from) {
            return 0;
        }

        @Override
        public int serverOf(int key, PendingCommand command) {
            return key;
        }

        @Override
        public Object version() {
            return version;
        }

        @Override
        public String awaited(int key) {
            return "no master";
        }
    }

    @Override
    public void disown(Channel client) {}
}
