package io.shardis.proxy.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.shardis.proxy.auth.PoolAccess;
import io.shardis.proxy.backend.BackendEvents;
import io.shardis.proxy.backend.BackendPool;
import io.shardis.proxy.backend.BackendServers;
import io.shardis.proxy.backend.BackendSettings;
import io.shardis.proxy.backend.Redirects;
import io.shardis.proxy.backend.UnreachableHold;
import io.shardis.proxy.cluster.ClusterNodes;
import io.shardis.proxy.command.CommandTable;
import io.shardis.proxy.config.ConfigException;
import io.shardis.proxy.config.PoolConfig;
import io.shardis.proxy.config.ShardisConfig;
import io.shardis.proxy.metrics.PoolMetrics;
import io.shardis.proxy.metrics.ShardisMetrics;
import io.shardis.proxy.route.ShardRouter;
import io.shardis.resp.RespRequestDecoder;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.IntStream;

/**
 * One client session of a pool of {@code servers} servers, wholly in EmbeddedChannels: the client's
 * channel (decoder and session, as a listener sets them up) and one channel per backend
 * connection the session's pool opens. Keys starting with a, b, c... live on servers 0, 1, 2...
 * ({@link LetterRouter}). Every buffer the test feeds in is kept, so that a test can tell that
 * each one was released by its owner.
 */
final class SessionHarness implements SessionPool, AutoCloseable {

    private static final CommandTable TABLE = CommandTable.standard();

    private final PoolConfig config;
    private final ShardisMetrics process;
    private final PoolMetrics metrics;
    private final ShardRouter router;
    private final List<BackendSettings> servers = new ArrayList<>();
    /** Backend channels in the order they were opened, with their server's index. */
    private final List<EmbeddedChannel> backendChannels = new ArrayList<>();

    private final List<Integer> backendServers = new ArrayList<>();
    private final List<ByteBuf> fed = new ArrayList<>();
    private long clientIds;
    private final ClientRegistry clients = new ClientRegistry();
    private InvalidationHub hub;
    /** The hub's key limit, set before the first CLIENT TRACKING. */
    int hubMaxKeys = InvalidationHub.DEFAULT_MAX_KEYS;

    final EmbeddedChannel client;

    /** What follows redirections and failovers on the session's loop; null: nothing. */
    private final Function<EventLoop, Redirects> redirectsOn;
    /** The connections first made for the session's loop: the session's own. */
    private BackendPool backends;

    /** @param settings pool keys besides listen and servers, as YAML lines indented by two spaces */
    SessionHarness(int serverCount, String settings) {
        this(serverCount, settings, null);
    }

    /**
     * A pool whose connections hand redirections and failures to what {@code redirectsOn} makes for
     * the session's loop (an {@link UnreachableHold} is attached to them, as the proxy does).
     */
    SessionHarness(int serverCount, String settings, Function<EventLoop, Redirects> redirectsOn) {
        this.redirectsOn = redirectsOn;
        StringBuilder yaml = new StringBuilder("alpha:\n  listen: 127.0.0.1:0\n")
                .append(settings)
                .append("  servers:\n");
        for (int i = 0; i < serverCount; i++) {
            yaml.append("    - 127.0.0.1:")
                    .append(7000 + i)
                    .append(":1 s")
                    .append(i)
                    .append('\n');
        }
        ShardisConfig parsed;
        try {
            parsed = ShardisConfig.parse(yaml.toString(), "test");
        } catch (ConfigException e) {
            throw new AssertionError(e);
        }
        config = parsed.pools().get(0);
        process = ShardisMetrics.create(parsed, "test");
        metrics = process.pool("alpha");
        router = new LetterRouter(serverCount);
        for (int i = 0; i < serverCount; i++) {
            servers.add(BackendSettings.of(
                            config, config.sharding().servers().get(i), new InetSocketAddress("127.0.0.1", 7000 + i))
                    .observedBy(BackendEvents.NONE, metrics.server(i), metrics));
        }
        client = new EmbeddedChannel(new RespRequestDecoder(), new ClientSession(this));
    }

    /** Another client of the pool (its own channel), closed by the test. */
    EmbeddedChannel newClient() {
        return new EmbeddedChannel(new RespRequestDecoder(), new ClientSession(this));
    }

    /** The client sends {@code args} as one command (in one write with the others of the call). */
    void send(String... commands) {
        StringBuilder frames = new StringBuilder();
        for (String command : commands) {
            String[] args = command.split(" ");
            frames.append('*').append(args.length).append("\r\n");
            for (String arg : args) {
                frames.append('$')
                        .append(arg.length())
                        .append("\r\n")
                        .append(arg)
                        .append("\r\n");
            }
        }
        client.writeInbound(feed(frames.toString()));
        settle();
    }

    /** The client sends {@code frames} as they are (RESP or inline), in one write. */
    void sendRaw(String frames) {
        client.writeInbound(feed(frames));
        settle();
    }

    /** Runs what the session and its connections scheduled (flushes, timeouts due). */
    void settle() {
        for (int round = 0; round < 3; round++) {
            client.runPendingTasks();
            client.flush();
            for (EmbeddedChannel backend : backendChannels) {
                backend.runPendingTasks();
            }
        }
    }

    /** The backend channels opened to {@code server}, oldest first. */
    List<EmbeddedChannel> channelsTo(int server) {
        return IntStream.range(0, backendChannels.size())
                .filter(i -> backendServers.get(i) == server)
                .mapToObj(backendChannels::get)
                .toList();
    }

    /** The one channel opened to {@code server}. */
    EmbeddedChannel backend(int server) {
        List<EmbeddedChannel> channels = channelsTo(server);
        if (channels.size() != 1) {
            throw new AssertionError(channels.size() + " channels to server " + server);
        }
        return channels.get(0);
    }

    /** What {@code channel} was sent so far, as text (RESP frames), releasing it. */
    static String sentOn(EmbeddedChannel channel) {
        StringBuilder text = new StringBuilder();
        for (Object out; (out = channel.readOutbound()) != null; ) {
            ByteBuf buf = (ByteBuf) out;
            text.append(buf.toString(StandardCharsets.UTF_8));
            buf.release();
        }
        return text.toString();
    }

    /** The server behind {@code channel} answers {@code reply} (RESP). */
    void answer(EmbeddedChannel channel, String reply) {
        channel.writeInbound(feed(reply));
        settle();
    }

    /** What the client has received so far, as text, releasing it. */
    String received() {
        settle();
        return sentOn(client);
    }

    private ByteBuf feed(String text) {
        ByteBuf buf = Unpooled.copiedBuffer(text, StandardCharsets.UTF_8);
        fed.add(buf);
        return buf;
    }

    /** The buffers fed in that someone still holds: none once every owner did its part. */
    /** A RESP bulk string of {@code value} (ASCII), as a test writes a reply or an expected request. */
    static String bulk(String value) {
        return "$" + value.length() + "\r\n" + value + "\r\n";
    }

    /** A test's teardown: closes {@code pool} (when the test made one) and checks every buffer fed in was released. */
    static void closeAndCheckReleased(SessionHarness pool) {
        if (pool != null) {
            pool.close();
            org.assertj.core.api.Assertions.assertThat(pool.unreleased())
                    .as("buffers fed in and never released")
                    .isEmpty();
        }
    }

    List<ByteBuf> unreleased() {
        return fed.stream().filter(buf -> buf.refCnt() > 0).toList();
    }

    @Override
    public void close() {
        client.close();
        settle();
        sentOn(client);
        for (EmbeddedChannel backend : backendChannels) {
            backend.finishAndReleaseAll();
        }
        client.finishAndReleaseAll();
    }

    @Override
    public PoolConfig config() {
        return config;
    }

    @Override
    public io.shardis.resp.RespLimits requestLimits() {
        return io.shardis.resp.RespLimits.DEFAULT
                .withMaxBulkLength(config.limits().maxBulkBytes())
                .withMaxRequestBytes(Math.max(config.limits().maxRequestBytes(), 1024));
    }

    @Override
    public PoolAccess access() {
        return PoolAccess.of(
                "alpha", config.auth().redisAuth(), config.auth().users(), TABLE, PoolAccess.AuthEvents.NONE);
    }

    @Override
    public CommandTable commands() {
        return TABLE;
    }

    @Override
    public ShardRouter router() {
        return router;
    }

    @Override
    public ClusterNodes cluster() {
        return null;
    }

    /** The pool's metrics as /metrics shows them (Prometheus text). */
    String scrape() {
        return io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter.create()
                .toDebugString(process.prometheus().scrape());
    }

    @Override
    public PoolMetrics metrics() {
        return metrics;
    }

    @Override
    public int[] liveServers() {
        return IntStream.range(0, servers.size()).toArray();
    }

    @Override
    public BackendSettings server(int index) {
        return servers.get(index);
    }

    @Override
    public BackendPool backendsFor(EventLoop loop) {
        Redirects redirects = redirectsOn == null ? null : redirectsOn.apply(loop);
        BackendPool made =
                new BackendPool(loop, BackendServers.of(servers), 1, redirects, server -> (handler, address) -> {
                    EmbeddedChannel channel = new EmbeddedChannel(handler);
                    backendChannels.add(channel);
                    backendServers.add(servers.indexOf(server));
                    return channel.newSucceededFuture();
                });
        if (redirects instanceof UnreachableHold hold) {
            hold.attach(made);
        }
        if (backends == null) {
            backends = made;
        }
        return made;
    }

    /** The connections first made for the session's loop: the session's own. */
    BackendPool backends() {
        return backends;
    }

    @Override
    public InvalidationHub invalidationHub(EventLoop loop) {
        if (hub == null) {
            hub = new InvalidationHub(this, backendsFor(loop), hubMaxKeys);
        }
        return hub;
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

    @Override
    public void disown(Channel client) {}
}
