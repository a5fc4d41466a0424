package io.shardis.topology.cluster;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SslOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.protocol.ProtocolVersion;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.shardis.resp.RespValue;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks real cluster nodes for the slot map, with Lettuce as the client: the seeds in the order
 * configured, then the nodes of the last map it fetched, until one answers with a map that
 * serves at least one slot. A node that knows no slot (just started, not joined yet) is passed
 * over.
 *
 * <p>Each fetch opens a short-lived connection (RESP2, no automatic reconnect, the configured
 * timeouts) and closes it, as Lettuce's own cluster refresh does: a refresh is rare and must not
 * depend on a connection that silently died. {@code CLUSTER SHARDS} is asked first; once a node
 * answers that it does not know it (Redis before 7.0), {@code CLUSTER SLOTS} is used from then on.
 *
 * <p>{@link #fetch()} blocks: call it from a control-plane thread such as
 * {@link ClusterTopologyRefresher}'s. Lettuce runs its I/O on one thread of its own.
 */
public final class LettuceTopologySource implements ClusterTopologySource, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LettuceTopologySource.class);
    private static final String CLIENT_NAME = "shardis-topology";

    private final ClusterSourceSettings settings;
    private final ClientResources resources;
    private final RedisClient client;
    private volatile List<NodeAddress> knownNodes = List.of();
    private volatile boolean shardsUnsupported;

    public LettuceTopologySource(ClusterSourceSettings settings) {
        this.settings = settings;
        this.resources = DefaultClientResources.builder()
                .ioThreadPoolSize(1)
                .computationThreadPoolSize(1)
                .build();
        this.client = RedisClient.create(resources);
        client.setOptions(ClientOptions.builder()
                .protocolVersion(ProtocolVersion.RESP2)
                .autoReconnect(false)
                .socketOptions(SocketOptions.builder()
                        .connectTimeout(settings.connectTimeout())
                        .build())
                .timeoutOptions(TimeoutOptions.enabled(settings.commandTimeout()))
                .sslOptions(settings.tls() ? settings.sslOptions() : SslOptions.create())
                .build());
    }

    @Override
    public SlotMap fetch() {
        List<String> failures = new ArrayList<>();
        for (NodeAddress address : candidates()) {
            try {
                SlotMap map = fetchFrom(address);
                if (map.coveredSlotCount() == 0) {
                    failures.add(address + ": serves no slot");
                    continue;
                }
                // Failed nodes last: asking them costs a connect timeout.
                knownNodes = map.nodes().stream()
                        .sorted(Comparator.comparing(node -> node.health() == ClusterNode.Health.FAILED))
                        .map(NodeAddress::of)
                        .distinct()
                        .toList();
                return map;
            } catch (RuntimeException e) {
                log.debug("cluster node {} gave no topology", address, e);
                failures.add(address + ": " + e.getMessage());
            }
        }
        throw new ClusterTopologyException("no cluster node gave a slot map: " + String.join("; ", failures));
    }

    /**
     * The slot map as the node at {@code address} sees it, whether or not it serves any slot.
     *
     * @throws RuntimeException when the node cannot be reached, times out, or answers with an error
     */
    public SlotMap fetchFrom(NodeAddress address) {
        try (StatefulRedisConnection<byte[], byte[]> connection =
                client.connect(ByteArrayCodec.INSTANCE, uri(address))) {
            RedisCommands<byte[], byte[]> commands = connection.sync();
            if (settings.command() == ClusterSourceSettings.TopologyCommand.SHARDS && !shardsUnsupported) {
                try {
                    return ClusterTopologyParser.parseShards(
                            cluster(commands, "SHARDS"), address.host(), settings.tls());
                } catch (RedisCommandExecutionException e) {
                    if (!isUnknownCommand(e)) {
                        throw e;
                    }
                    shardsUnsupported = true;
                    log.info(
                            "cluster node {} does not know CLUSTER SHARDS ({}); using CLUSTER SLOTS",
                            address,
                            e.getMessage());
                }
            }
            return ClusterTopologyParser.parseSlots(cluster(commands, "SLOTS"), address.host());
        }
    }

    /**
     * What the node at {@code address} says it is ({@code ROLE}), over a short-lived connection as
     * for {@link #fetchFrom}. Blocks: call it off the event loops.
     *
     * @throws RuntimeException when the node cannot be reached, times out, or answers with an error
     */
    public NodeRole role(NodeAddress address) {
        try (StatefulRedisConnection<byte[], byte[]> connection =
                client.connect(ByteArrayCodec.INSTANCE, uri(address))) {
            return NodeRole.parse(connection
                    .sync()
                    .dispatch(CommandType.ROLE, new RespValueOutput(), new CommandArgs<>(ByteArrayCodec.INSTANCE)));
        }
    }

    @Override
    public void close() {
        client.shutdown(0, 2, TimeUnit.SECONDS);
        resources.shutdown(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    @Override
    public String toString() {
        return "LettuceTopologySource" + settings.seeds();
    }

    private List<NodeAddress> candidates() {
        Set<NodeAddress> ordered = new LinkedHashSet<>(settings.seeds());
        ordered.addAll(knownNodes);
        return List.copyOf(ordered);
    }

    private static RespValue cluster(RedisCommands<byte[], byte[]> commands, String subcommand) {
        return commands.dispatch(
                CommandType.CLUSTER, new RespValueOutput(), new CommandArgs<>(ByteArrayCodec.INSTANCE).add(subcommand));
    }

    /** Redis 6: {@code ERR Unknown subcommand or wrong number of arguments for 'SHARDS'}; 7: {@code ERR unknown subcommand 'SHARDS'}. */
    private static boolean isUnknownCommand(RedisCommandExecutionException e) {
        String message = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
        return message.contains("unknown subcommand") || message.contains("unknown command");
    }

    private RedisURI uri(NodeAddress address) {
        RedisURI.Builder uri = RedisURI.builder()
                .withHost(address.host())
                .withPort(address.port())
                .withTimeout(settings.commandTimeout())
                .withClientName(CLIENT_NAME);
        if (settings.tls()) {
            uri.withSsl(true).withVerifyPeer(settings.verifyMode());
        }
        if (settings.password() != null) {
            if (settings.username() != null) {
                uri.withAuthentication(settings.username(), settings.password());
            } else {
                uri.withPassword(settings.password());
            }
        }
        return uri.build();
    }
}
