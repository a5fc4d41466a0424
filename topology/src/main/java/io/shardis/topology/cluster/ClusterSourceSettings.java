package io.shardis.topology.cluster;

import io.lettuce.core.SslOptions;
import io.lettuce.core.SslVerifyMode;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How the control plane reaches a cluster: seed nodes, credentials, timeouts and which topology
 * command to ask first.
 *
 * @param seeds          nodes to ask first, in order; the nodes of the last known map are asked after them
 * @param username       ACL user, or {@code null} for the default user
 * @param password       password, or {@code null} when the cluster requires none
 * @param connectTimeout how long connecting to one node may take
 * @param commandTimeout how long one node may take to answer
 * @param command        {@code SHARDS}: ask {@code CLUSTER SHARDS}, falling back to {@code CLUSTER SLOTS}
 *                       when a node does not know it; {@code SLOTS}: ask {@code CLUSTER SLOTS} only
 * @param sslOptions     TLS towards the nodes ({@code tls-cluster yes}); the slot map then names their
 *                       TLS ports. {@code null} for plain TCP
 * @param verifyMode     how the nodes' certificates are checked when {@code sslOptions} is set
 */
public record ClusterSourceSettings(
        List<NodeAddress> seeds,
        String username,
        String password,
        Duration connectTimeout,
        Duration commandTimeout,
        TopologyCommand command,
        SslOptions sslOptions,
        SslVerifyMode verifyMode) {

    public ClusterSourceSettings(
            List<NodeAddress> seeds,
            String username,
            String password,
            Duration connectTimeout,
            Duration commandTimeout,
            TopologyCommand command) {
        this(seeds, username, password, connectTimeout, commandTimeout, command, null, null);
    }

    /** The command that describes the cluster. */
    public enum TopologyCommand {
        SHARDS,
        SLOTS
    }

    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(2);
    public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(2);

    public ClusterSourceSettings {
        seeds = List.copyOf(seeds);
        if (seeds.isEmpty()) {
            throw new IllegalArgumentException("at least one seed node is needed");
        }
        requirePositive(connectTimeout, "connectTimeout");
        requirePositive(commandTimeout, "commandTimeout");
        Objects.requireNonNull(command, "command");
        if (username != null && password == null) {
            throw new IllegalArgumentException("an ACL user needs a password");
        }
        if (sslOptions != null && verifyMode == null) {
            verifyMode = SslVerifyMode.FULL;
        }
    }

    /** Whether the nodes are reached over TLS. */
    public boolean tls() {
        return sslOptions != null;
    }

    /** The same nodes, reached over TLS. */
    public ClusterSourceSettings withTls(SslOptions options, SslVerifyMode mode) {
        return new ClusterSourceSettings(
                seeds, username, password, connectTimeout, commandTimeout, command, options, mode);
    }

    /** The given seeds, no credentials, default timeouts, {@code CLUSTER SHARDS} first. */
    public static ClusterSourceSettings of(List<NodeAddress> seeds) {
        return new ClusterSourceSettings(
                seeds, null, null, DEFAULT_CONNECT_TIMEOUT, DEFAULT_COMMAND_TIMEOUT, TopologyCommand.SHARDS);
    }

    public ClusterSourceSettings withCredentials(String newUsername, String newPassword) {
        return new ClusterSourceSettings(
                seeds, newUsername, newPassword, connectTimeout, commandTimeout, command, sslOptions, verifyMode);
    }

    public ClusterSourceSettings withTimeouts(Duration newConnectTimeout, Duration newCommandTimeout) {
        return new ClusterSourceSettings(
                seeds, username, password, newConnectTimeout, newCommandTimeout, command, sslOptions, verifyMode);
    }

    public ClusterSourceSettings withCommand(TopologyCommand newCommand) {
        return new ClusterSourceSettings(
                seeds, username, password, connectTimeout, commandTimeout, newCommand, sslOptions, verifyMode);
    }

    /** Never shows the password. */
    @Override
    public String toString() {
        return "ClusterSourceSettings[seeds=" + seeds + (username == null ? "" : ", user=" + username)
                + (password == null ? "" : ", password=***") + ", connectTimeout=" + connectTimeout
                + ", commandTimeout=" + commandTimeout + ", command=" + command
                + (sslOptions == null ? "" : ", tls=" + verifyMode) + "]";
    }

    private static void requirePositive(Duration duration, String name) {
        Objects.requireNonNull(duration, name);
        if (duration.isZero() || duration.isNegative()) {
            throw new IllegalArgumentException(name + " must be positive: " + duration);
        }
    }
}
