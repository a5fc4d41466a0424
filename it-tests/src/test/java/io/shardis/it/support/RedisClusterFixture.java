package io.shardis.it.support;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;

/**
 * A real Redis Cluster of {@code redis-server} processes on loopback: {@code masters} masters with
 * {@code replicasPerMaster} replicas each (3 × 1 by default), slots split evenly in master order,
 * no persistence, a short {@code cluster-node-timeout} so failovers take seconds.
 *
 * <p>The cluster is formed directly (config epochs, {@code ADDSLOTS}, {@code MEET},
 * {@code REPLICATE}) rather than through {@code redis-cli --cluster create}, which sleeps between
 * steps. {@link #start()} returns once every live node says {@code cluster_state:ok}, all of them
 * describe the same nodes, roles and slots, every replica is in sync, and every node reports every
 * live node {@code online} in {@code CLUSTER SHARDS}. Every wait is bounded; every process is
 * stopped by PID in {@link #close()} (and by {@link StopChildProcesses} and the shutdown hook).
 *
 * <pre>{@code
 * try (RedisClusterFixture cluster = RedisClusterFixture.start()) {
 *     RedisClusterFixture.Node owner = cluster.nodeForSlot(12182);
 *     cluster.kill(owner);
 *     RedisClusterFixture.Node promoted = cluster.awaitPromotionAfter(owner);
 * }
 * }</pre>
 */
public final class RedisClusterFixture implements AutoCloseable {

    private static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(40);
    private static final int PORT_ATTEMPTS = 5;
    private static final int CLUSTER_BUS_OFFSET = 10_000;
    private static final int MIGRATE_BATCH = 100;
    private static final int MIGRATE_TIMEOUT_MILLIS = 10_000;

    private final Builder options;
    private final List<Node> nodes = new ArrayList<>();
    private final Set<Node> killed = new HashSet<>();
    /** For each killed master: its replicas just before it died, the candidates to replace it. */
    private final Map<Node, List<Node>> replicasWhenKilled = new HashMap<>();

    private boolean shardsSupported;

    /** A node of the cluster: its process and its cluster node id. */
    public static final class Node {
        private final RedisProcess process;
        private final String id;

        private Node(RedisProcess process, String id) {
            this.process = process;
            this.id = id;
        }

        public String id() {
            return id;
        }

        public String host() {
            return process.host();
        }

        public int port() {
            return process.port();
        }

        /** {@code 127.0.0.1:PORT}. */
        public String address() {
            return process.address();
        }

        public RedisProcess process() {
            return process;
        }

        /** A new Jedis connection to this node (not cluster-aware); the caller closes it. */
        public Jedis client() {
            return process.client();
        }

        public boolean isAlive() {
            return process.isAlive();
        }

        @Override
        public String toString() {
            return id.substring(0, 8) + "@" + address();
        }
    }

    private RedisClusterFixture(Builder options) {
        this.options = options;
    }

    /** Three masters with one replica each. */
    public static RedisClusterFixture start() {
        return builder().start();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Every node started, in start order: masters first, then replicas; dead ones included. */
    public List<Node> nodes() {
        return List.copyOf(nodes);
    }

    /** The live nodes that are masters now. */
    public List<Node> masters() {
        return liveNodesWhere(line -> line.master());
    }

    /** The live nodes that are replicas now. */
    public List<Node> replicas() {
        return liveNodesWhere(line -> !line.master());
    }

    /** The live replicas of {@code master} now. */
    public List<Node> replicasOf(Node master) {
        return liveNodesWhere(line -> !line.master() && line.masterId().equals(master.id()));
    }

    /** The master that serves {@code slot}, as a live node sees it. */
    public Node nodeForSlot(int slot) {
        ClusterNodesView.Line owner = view(anyLiveNode())
                .ownerOf(slot)
                .orElseThrow(() -> new IllegalStateException("no master serves slot " + slot));
        return node(owner.id());
    }

    /** The node with this cluster id. */
    public Node node(String id) {
        return nodes.stream()
                .filter(node -> node.id.equals(id))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no node " + id));
    }

    /** A live node, to use as a seed. */
    public Node anyLiveNode() {
        return nodes.stream()
                .filter(node -> !killed.contains(node) && node.isAlive())
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("every node is dead"));
    }

    /** SIGKILL: the node dies as in a crash. Its replica takes over after the node timeout; see {@link #awaitPromotionAfter}. */
    public void kill(Node node) {
        replicasWhenKilled.put(node, replicasOf(node));
        killed.add(node);
        node.process.kill();
    }

    /**
     * SIGTERM by PID, then SIGKILL if it lingers: the node shuts down as an operator would stop it.
     * It keeps its directory (and {@code nodes.conf}, so its id and role); {@link #restart} brings it back.
     */
    public void stop(Node node) {
        killed.add(node);
        node.process.stop();
    }

    /**
     * Starts a node stopped by {@link #stop} (or killed) again, on its port and with its directory:
     * it rejoins the cluster under its id and, as a replica, syncs from its master (without
     * persistence it starts empty). Returns once it answers PING; the cluster may not have settled.
     */
    public void restart(Node node) {
        node.process.restart();
        killed.remove(node);
    }

    /**
     * Waits until a former replica of the killed {@code master} serves its slots and the live
     * nodes agree again; returns that replica.
     */
    public Node awaitPromotionAfter(Node master) {
        List<Node> candidates = replicasWhenKilled.getOrDefault(master, List.of());
        if (candidates.isEmpty()) {
            throw new IllegalStateException(master + " was not killed by kill(), or had no replica then");
        }
        AtomicReference<Node> promoted = new AtomicReference<>();
        boolean done = Poll.until(
                SETTLE_TIMEOUT,
                () -> {
                    ClusterNodesView view = quietView();
                    if (view == null) {
                        return false;
                    }
                    for (Node candidate : candidates) {
                        if (view.line(candidate.id)
                                .map(line -> line.master() && !line.slots().isEmpty())
                                .orElse(false)) {
                            promoted.set(candidate);
                            return isSettled();
                        }
                    }
                    return false;
                },
                () -> false);
        if (!done) {
            throw new IllegalStateException("no replica of " + master + " took over within "
                    + SETTLE_TIMEOUT.toSeconds() + "s; views:\n" + describeViews());
        }
        return promoted.get();
    }

    /**
     * {@code CLUSTER FORGET} of a killed node on every live node: it leaves the cluster's view, as
     * when an operator removes a dead node. Waits until every live node agrees.
     */
    public void forget(Node gone) {
        if (!killed.contains(gone)) {
            throw new IllegalStateException(gone + " is alive: kill it first, or it rejoins by gossip");
        }
        for (Node node : nodes) {
            if (!killed.contains(node)) {
                try (Jedis jedis = node.client()) {
                    jedis.clusterForget(gone.id);
                }
            }
        }
        awaitSettled(
                "after CLUSTER FORGET " + gone,
                () -> nodes.stream()
                        .filter(node -> !killed.contains(node))
                        .allMatch(node -> view(node).line(gone.id).isEmpty()));
    }

    /** {@code CLUSTER FAILOVER} on {@code replica}: a planned switch, no data lost; waits until every node agrees. */
    public void failover(Node replica) {
        try (Jedis jedis = replica.client()) {
            jedis.clusterFailover();
        }
        awaitSettled(
                "after CLUSTER FAILOVER on " + replica,
                () -> view(replica)
                        .line(replica.id)
                        .map(ClusterNodesView.Line::master)
                        .orElse(false));
    }

    /**
     * Moves the first {@code count} slots {@code from} serves to {@code to}, keys included, the way
     * {@code redis-cli --cluster reshard} does: {@code SETSLOT IMPORTING/MIGRATING}, {@code MIGRATE}
     * in batches, then {@code SETSLOT NODE} on every master. Waits until every node agrees.
     *
     * @return the slots moved
     */
    public List<Integer> migrateSlots(Node from, Node to, int count) {
        ClusterNodesView view = view(from);
        List<Integer> slots = new ArrayList<>();
        ClusterNodesView.Line owner = view.line(from.id).orElseThrow();
        for (int slot = 0; slot < 16_384 && slots.size() < count; slot++) {
            if (owner.owns(slot)) {
                slots.add(slot);
            }
        }
        if (slots.size() < count) {
            throw new IllegalArgumentException(from + " serves only " + slots.size() + " slots");
        }
        migrate(from, to, slots);
        return List.copyOf(slots);
    }

    /** Moves {@code slot}, keys included, from the master serving it to {@code to}; see {@link #migrateSlots}. */
    public void migrateSlot(int slot, Node to) {
        Node from = nodeForSlot(slot);
        if (from == to) {
            throw new IllegalArgumentException(to + " already serves slot " + slot);
        }
        migrate(from, to, List.of(slot));
    }

    /**
     * The first half of moving {@code slot} to {@code to}: {@code SETSLOT IMPORTING/MIGRATING}, no
     * key moved yet. Meanwhile the old master answers {@code ASK} for keys it does not have, and
     * {@code TRYAGAIN} for commands whose keys are split between the two. {@link #migrateKey} moves
     * one key, {@link #finishMigration} the rest.
     */
    public void beginMigration(int slot, Node to) {
        Node from = nodeForSlot(slot);
        try (Jedis source = from.client();
                Jedis target = to.client()) {
            target.clusterSetSlotImporting(slot, from.id);
            source.clusterSetSlotMigrating(slot, to.id);
        }
    }

    /** During {@link #beginMigration}: moves {@code key} from {@code from} to {@code to}. */
    public void migrateKey(String key, Node from, Node to) {
        try (Jedis source = from.client()) {
            source.sendCommand(
                    Protocol.Command.MIGRATE,
                    bytes(to.host()),
                    bytes(Integer.toString(to.port())),
                    bytes(""),
                    bytes("0"),
                    bytes(Integer.toString(MIGRATE_TIMEOUT_MILLIS)),
                    bytes("KEYS"),
                    bytes(key));
        }
    }

    /** Ends what {@link #beginMigration} started: the remaining keys move, every master learns the owner. */
    public void finishMigration(int slot, Node from, Node to) {
        List<Node> masters = masters();
        try (Jedis source = from.client();
                Jedis target = to.client()) {
            moveKeys(source, to, slot);
            assign(slot, from, to, masters, source, target);
        }
        awaitSettled("after moving slot " + slot + " from " + from + " to " + to, () -> nodeForSlot(slot) == to);
    }

    private void migrate(Node from, Node to, List<Integer> slots) {
        List<Node> masters = masters();
        try (Jedis source = from.client();
                Jedis target = to.client()) {
            for (int slot : slots) {
                target.clusterSetSlotImporting(slot, from.id);
                source.clusterSetSlotMigrating(slot, to.id);
                moveKeys(source, to, slot);
                assign(slot, from, to, masters, source, target);
            }
        }
        awaitSettled(
                "after moving slots " + slots + " from " + from + " to " + to,
                () -> slots.stream().allMatch(slot -> nodeForSlot(slot) == to));
    }

    /** {@code SETSLOT NODE}: the target first, then the source, then every other master. */
    private static void assign(int slot, Node from, Node to, List<Node> masters, Jedis source, Jedis target) {
        target.clusterSetSlotNode(slot, to.id);
        source.clusterSetSlotNode(slot, to.id);
        for (Node master : masters) {
            if (master != from && master != to) {
                try (Jedis other = master.client()) {
                    other.clusterSetSlotNode(slot, to.id);
                }
            }
        }
    }

    /** {@code FLUSHALL} on every live master; replicas follow. */
    public void flushAll() {
        for (Node master : masters()) {
            try (Jedis jedis = master.client()) {
                jedis.flushAll();
            }
        }
    }

    /** Waits until the live nodes agree and serve every slot; throws with every view if they do not in time. */
    public void awaitSettled() {
        awaitSettled("", () -> true);
    }

    /** Stops every node by PID. */
    @Override
    public void close() {
        RuntimeException first = null;
        for (Node node : nodes) {
            try {
                node.process.stop();
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    @Override
    public String toString() {
        return "RedisClusterFixture" + nodes;
    }

    private void form() {
        int total = options.masters * (1 + options.replicasPerMaster);
        for (int i = 0; i < total; i++) {
            RedisProcess process = startNode();
            try (Jedis jedis = process.client()) {
                // Distinct epochs before MEET spare the cluster its epoch-collision rounds.
                jedis.clusterSetConfigEpoch(i + 1);
                nodes.add(new Node(process, jedis.clusterMyId()));
            }
        }
        try (Jedis first = nodes.get(0).client()) {
            Matcher version = Pattern.compile("redis_version:(\\d+)\\.").matcher(first.info("server"));
            shardsSupported = version.find() && Integer.parseInt(version.group(1)) >= 7;
        }
        for (int m = 0; m < options.masters; m++) {
            int firstSlot = m * 16_384 / options.masters;
            int lastSlot = (m + 1) * 16_384 / options.masters - 1;
            int[] slots = new int[lastSlot - firstSlot + 1];
            for (int s = 0; s < slots.length; s++) {
                slots[s] = firstSlot + s;
            }
            try (Jedis master = nodes.get(m).client()) {
                master.clusterAddSlots(slots);
            }
        }
        try (Jedis first = nodes.get(0).client()) {
            for (Node node : nodes.subList(1, nodes.size())) {
                first.clusterMeet(node.host(), node.port());
            }
        }
        boolean met = Poll.until(
                SETTLE_TIMEOUT,
                () -> nodes.stream().allMatch(node -> {
                    ClusterNodesView view = quietView(node);
                    return view != null
                            && view.lines().size() == total
                            && view.lines().stream().allMatch(line -> !line.handshake() && line.connected());
                }),
                () -> false);
        if (!met) {
            throw new IllegalStateException(
                    "the nodes did not all meet within " + SETTLE_TIMEOUT.toSeconds() + "s:\n" + describeViews());
        }
        for (int r = 0; r < options.masters * options.replicasPerMaster; r++) {
            Node replica = nodes.get(options.masters + r);
            Node master = nodes.get(r % options.masters);
            try (Jedis jedis = replica.client()) {
                jedis.clusterReplicate(master.id);
            }
        }
        awaitSettled("after forming the cluster", () -> true);
    }

    private RedisProcess startNode() {
        IllegalStateException last = null;
        for (int attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
            List<String> args = new ArrayList<>(List.of(
                    "--cluster-enabled", "yes",
                    "--cluster-config-file", "nodes.conf",
                    "--cluster-node-timeout", Integer.toString(options.nodeTimeoutMillis),
                    // A replica always stands for election, however long its link was down.
                    "--cluster-replica-validity-factor", "0",
                    // Replicas send their offset every second: CLUSTER SHARDS reports a replica
                    // 'loading' until its offset is above 0.
                    "--repl-ping-replica-period", "1"));
            if (options.replicaMigration != null) {
                args.addAll(List.of("--cluster-allow-replica-migration", options.replicaMigration));
            }
            args.addAll(options.args);
            int port = FreePorts.nextWithCompanion(CLUSTER_BUS_OFFSET);
            args.addAll(options.nodeArgs.apply(port));
            RedisProcess.Builder builder = RedisProcess.builder().port(port).args(args.toArray(String[]::new));
            if (options.binary != null) {
                builder.binary(options.binary);
            }
            try {
                return builder.start();
            } catch (IllegalStateException e) {
                last = e;
            }
        }
        throw new IllegalStateException("cannot start a cluster node after " + PORT_ATTEMPTS + " attempts", last);
    }

    private void moveKeys(Jedis source, Node to, int slot) {
        while (true) {
            List<byte[]> keys = source.clusterGetKeysInSlotBinary(slot, MIGRATE_BATCH);
            if (keys.isEmpty()) {
                return;
            }
            List<byte[]> args = new ArrayList<>(List.of(
                    bytes(to.host()),
                    bytes(Integer.toString(to.port())),
                    bytes(""),
                    bytes("0"),
                    bytes(Integer.toString(MIGRATE_TIMEOUT_MILLIS)),
                    bytes("KEYS")));
            args.addAll(keys);
            source.sendCommand(Protocol.Command.MIGRATE, args.toArray(byte[][]::new));
        }
    }

    private void awaitSettled(String when, BooleanSupplier also) {
        boolean settled = Poll.until(SETTLE_TIMEOUT, () -> isSettled() && also.getAsBoolean(), () -> false);
        if (!settled) {
            throw new IllegalStateException("the cluster did not settle " + when + " within "
                    + SETTLE_TIMEOUT.toSeconds() + "s; views:\n" + describeViews());
        }
    }

    private boolean isSettled() {
        Map<String, RedisProcess> live = new LinkedHashMap<>();
        Set<String> killedIds = new HashSet<>();
        for (Node node : nodes) {
            if (killed.contains(node)) {
                killedIds.add(node.id);
            } else {
                live.put(node.id, node.process);
            }
        }
        return ClusterAgreement.isSettled(live, killedIds, shardsSupported);
    }

    private List<Node> liveNodesWhere(Predicate<ClusterNodesView.Line> condition) {
        ClusterNodesView view = view(anyLiveNode());
        return nodes.stream()
                .filter(node -> !killed.contains(node))
                .filter(node -> view.line(node.id).map(condition::test).orElse(false))
                .toList();
    }

    private ClusterNodesView view(Node node) {
        try (Jedis jedis = node.client()) {
            return ClusterNodesView.parse(jedis.clusterNodes());
        }
    }

    private ClusterNodesView quietView() {
        return quietView(anyLiveNode());
    }

    private ClusterNodesView quietView(Node node) {
        try {
            return view(node);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private String describeViews() {
        StringBuilder out = new StringBuilder();
        for (Node node : nodes) {
            out.append("-- ")
                    .append(node)
                    .append(killed.contains(node) ? " (killed)" : "")
                    .append('\n');
            if (!killed.contains(node)) {
                try (Jedis jedis = node.client()) {
                    out.append(jedis.clusterNodes())
                            .append(jedis.clusterInfo()
                                    .lines()
                                    .filter(line -> line.startsWith("cluster_state"))
                                    .findFirst()
                                    .orElse(""))
                            .append('\n');
                } catch (RuntimeException e) {
                    out.append("unreachable: ").append(e).append('\n');
                }
            }
        }
        return out.toString();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** Options of a cluster to start. */
    public static final class Builder {
        private int masters = 3;
        private int replicasPerMaster = 1;
        private int nodeTimeoutMillis = 1_500;
        private String replicaMigration = "no";
        private Path binary;
        private final List<String> args = new ArrayList<>();
        private java.util.function.IntFunction<List<String>> nodeArgs = port -> List.of();

        private Builder() {}

        /** Extra arguments of each node, given its port (e.g. a TLS port of its own beside it). */
        public Builder nodeArgs(java.util.function.IntFunction<List<String>> perNode) {
            this.nodeArgs = Objects.requireNonNull(perNode);
            return this;
        }

        public Builder masters(int count) {
            if (count < 1) {
                throw new IllegalArgumentException("at least one master");
            }
            this.masters = count;
            return this;
        }

        public Builder replicasPerMaster(int count) {
            if (count < 0) {
                throw new IllegalArgumentException("replicas per master cannot be negative");
            }
            this.replicasPerMaster = count;
            return this;
        }

        /** {@code cluster-node-timeout}: how long a node may be silent before it is suspected (default 1500 ms). */
        public Builder nodeTimeoutMillis(int millis) {
            this.nodeTimeoutMillis = millis;
            return this;
        }

        /** Extra arguments for every node, e.g. {@code "--cluster-preferred-endpoint-type", "hostname"}. */
        public Builder args(String... extra) {
            args.addAll(List.of(extra));
            return this;
        }

        /**
         * Another {@code redis-server}, e.g. the embedded 6.2 one (which knows neither
         * {@code CLUSTER SHARDS} nor {@code cluster-allow-replica-migration}).
         */
        public Builder binary(Path server) {
            this.binary = Objects.requireNonNull(server);
            this.replicaMigration = null;
            return this;
        }

        public RedisClusterFixture start() {
            RedisClusterFixture cluster = new RedisClusterFixture(this);
            try {
                cluster.form();
                return cluster;
            } catch (RuntimeException e) {
                try {
                    cluster.close();
                } catch (RuntimeException closing) {
                    e.addSuppressed(closing);
                }
                throw e;
            }
        }
    }
}
