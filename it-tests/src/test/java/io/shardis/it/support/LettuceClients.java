package io.shardis.it.support;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.protocol.ProtocolVersion;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.NettyCustomizer;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.ChannelOption;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One Lettuce client (plain standalone mode) for a test class; connections to any address, all
 * closed with it. Registered as an extension, it closes after the class:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final LettuceClients lettuce = LettuceClients.withResp2();
 * }</pre>
 */
public final class LettuceClients implements AutoCloseable, AfterAllCallback {

    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(15);

    private final ClientResources resources;
    private final RedisClient client;

    private LettuceClients(ClientOptions options) {
        resources = ClientResources.builder()
                .nettyCustomizer(new UntrackedBuffers())
                .build();
        client = RedisClient.create(resources);
        client.setOptions(options);
    }

    /** Lettuce as most applications run it: it offers RESP3 ({@code HELLO 3}) first and falls back to RESP2 when refused. */
    public static LettuceClients withDefaultProtocol() {
        return new LettuceClients(ClientOptions.builder().build());
    }

    /** Lettuce told to speak RESP2 from the start. */
    public static LettuceClients withResp2() {
        return new LettuceClients(
                ClientOptions.builder().protocolVersion(ProtocolVersion.RESP2).build());
    }

    public StatefulRedisConnection<String, String> connect(InetSocketAddress address) {
        return client.connect(uri(address));
    }

    /** A connection that authenticates as {@code user} (null: the default user) with {@code password}. */
    public StatefulRedisConnection<String, String> connect(InetSocketAddress address, String user, String password) {
        RedisURI.Builder uri = RedisURI.Builder.redis(address.getHostString(), address.getPort())
                .withTimeout(COMMAND_TIMEOUT);
        if (user != null) {
            uri.withAuthentication(user, password.toCharArray());
        } else {
            uri.withPassword(password.toCharArray());
        }
        return client.connect(uri.build());
    }

    public StatefulRedisConnection<byte[], byte[]> connectBinary(InetSocketAddress address) {
        return client.connect(ByteArrayCodec.INSTANCE, uri(address));
    }

    public StatefulRedisPubSubConnection<String, String> connectPubSub(InetSocketAddress address) {
        return client.connectPubSub(uri(address));
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    @Override
    public void close() {
        client.shutdown(0, 5, TimeUnit.SECONDS);
        resources.shutdown(0, 5, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }

    /**
     * The leak detector runs at paranoid level to watch Shardis' buffers, which live in this JVM
     * too; Lettuce's own buffers come from an allocator it does not track, so the client does not
     * pay for watching it (paranoid tracking made Lettuce five times slower here).
     */
    private static final class UntrackedBuffers implements NettyCustomizer {
        private static final ByteBufAllocator ALLOCATOR = new UnpooledByteBufAllocator(true, true);

        @Override
        public void afterBootstrapInitialized(Bootstrap bootstrap) {
            bootstrap.option(ChannelOption.ALLOCATOR, ALLOCATOR);
        }
    }

    private static RedisURI uri(InetSocketAddress address) {
        return RedisURI.builder()
                .withHost(address.getHostString())
                .withPort(address.getPort())
                .withTimeout(COMMAND_TIMEOUT)
                .build();
    }
}
