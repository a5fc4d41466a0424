package io.shardis.proxy.config;

import io.shardis.proxy.auth.AclRules;
import io.shardis.proxy.command.CommandTable;
import io.shardis.proxy.config.PoolConfig.Auth;
import io.shardis.proxy.config.PoolConfig.Backend;
import io.shardis.proxy.config.PoolConfig.Limits;
import io.shardis.proxy.config.PoolConfig.Listen;
import io.shardis.proxy.config.PoolConfig.Sentinels;
import io.shardis.proxy.config.PoolConfig.Sharding;
import io.shardis.proxy.config.PoolConfig.Timeouts;
import io.shardis.topology.shard.Distribution;
import io.shardis.topology.shard.HashFunction;
import io.shardis.topology.shard.HashTag;
import io.shardis.topology.shard.ShardRing;
import io.shardis.topology.shard.ShardServer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.tree.ImmutableNode;

/**
 * Reads the keys of one pool into a {@link PoolConfig}: which keys a pool takes, what goes with
 * what (a cluster pool has no servers; failover_timeout needs failovers to wait for), and the
 * checks nutcracker makes of a servers list. Values and their defaults come through {@link PoolKeys}.
 *
 * <p>Past our usual 350 lines because it is the one list of the keys a pool takes and of the rules
 * between them (cluster against servers, sentinels against failover_timeout, users against
 * redis_auth): split by section, the rules that span sections would have no single home.
 */
final class PoolReader extends PoolKeys {

    static final Set<String> HASHES = Set.of(
            "one_at_a_time",
            "md5",
            "crc16",
            "crc32",
            "crc32a",
            "fnv1_64",
            "fnv1a_64",
            "fnv1_32",
            "fnv1a_32",
            "hsieh",
            "murmur",
            "jenkins");
    private static final Pattern REDIS_VERSION =
            Pattern.compile("(0|[1-9][0-9]{0,3})\\.(0|[1-9][0-9]{0,3})\\.(0|[1-9][0-9]{0,3})");

    static final Set<String> DISTRIBUTIONS = Set.of("ketama", "modula", "random");

    private static final Set<String> KEYS = Set.of(
            // Twemproxy's keys
            "listen",
            "hash",
            "hash_tag",
            "distribution",
            "timeout",
            "backlog",
            "preconnect",
            "redis",
            "redis_auth",
            "redis_db",
            "server_connections",
            "client_connections",
            "auto_eject_hosts",
            "server_retry_timeout",
            "server_failure_limit",
            "servers",
            // Shardis' own
            "allow_admin",
            "resp3",
            "max_pipeline",
            "max_request_bytes",
            "max_bulk_bytes",
            "sentinels",
            "sentinel_user",
            "sentinel_auth",
            "cluster",
            "redis_user",
            "connect_timeout",
            "failover_timeout",
            "max_client_reply_bytes",
            "tracking_max_keys",
            "redis_version",
            "users",
            // TLS towards clients, servers and Sentinels (TlsConfigReader)
            "tls",
            "backend_tls",
            "sentinel_tls");

    /** Keys that place keys on servers or follow servers: a cluster's slot map does that itself. */
    private static final List<String> NOT_WITH_CLUSTER = List.of(
            "servers",
            "hash",
            "hash_tag",
            "distribution",
            "auto_eject_hosts",
            "server_retry_timeout",
            "server_failure_limit",
            "sentinels",
            "sentinel_user",
            "sentinel_auth",
            "sentinel_tls");

    private static final Set<String> CLUSTER_KEYS = Set.of("seeds", "read_from", "refresh_interval");

    PoolReader(String source, String pool, ImmutableNode node, HierarchicalConfiguration<ImmutableNode> config) {
        super(source, pool, node, config);
    }

    PoolConfig read() throws ConfigException {
        Set<String> unknown = new LinkedHashSet<>();
        for (ImmutableNode child : node.getChildren()) {
            if (child.getNodeName() == null) {
                // A key that is only an anchor ("&name:") names nothing.
                throw new ConfigException(source + ": pool '" + pool + "': a key without a name");
            }
            if (!KEYS.contains(child.getNodeName())) {
                unknown.add(child.getNodeName());
            }
        }
        if (!unknown.isEmpty()) {
            throw error(unknown.iterator().next(), "unknown key; the keys a pool takes are " + new TreeSet<>(KEYS));
        }
        if (!bool("redis", true)) {
            throw error("redis", "memcached pools (redis: false) are not supported; Shardis proxies Redis");
        }
        Listen listen = new Listen(hostPort("listen"), listenMode(), integer(PoolDefaults.BACKLOG));
        ClusterConfig cluster = null;
        Sharding sharding = Sharding.NONE;
        Sentinels sentinels = Sentinels.NONE;
        if (has("cluster")) {
            cluster = cluster();
        } else {
            sharding = sharding();
            sentinels = sentinels(sharding.servers());
        }
        return new PoolConfig(
                pool,
                listen,
                sharding,
                sentinels,
                cluster,
                new Backend(
                        integer(PoolDefaults.SERVER_CONNECTIONS),
                        bool("preconnect", PoolDefaults.PRECONNECT),
                        integer(PoolDefaults.REDIS_DB)),
                new Limits(
                        integer(PoolDefaults.MAX_PIPELINE),
                        size(PoolDefaults.MAX_REQUEST_BYTES),
                        size(PoolDefaults.MAX_BULK_BYTES),
                        clientReplyLimit(),
                        integer(PoolDefaults.CLIENT_CONNECTIONS),
                        integer(PoolDefaults.TRACKING_MAX_KEYS)),
                new Auth(redisUser(), string("redis_auth", null), users()),
                timeouts(),
                bool("allow_admin", PoolDefaults.ALLOW_ADMIN),
                bool("resp3", PoolDefaults.RESP3),
                tls(),
                redisVersion());
    }

    /** {@code redis_version}: three numbers such as {@code 7.4.0}, as Redis writes its own. */
    private String redisVersion() throws ConfigException {
        String version = string("redis_version", null);
        if (version != null && !REDIS_VERSION.matcher(version).matches()) {
            throw error(
                    "redis_version",
                    "expected a Redis version such as 7.4.0 (major.minor.patch), got '" + version + "'");
        }
        return version;
    }

    /** The {@code servers} and how keys are placed on them. */
    private Sharding sharding() throws ConfigException {
        String hash = choice("hash", HASHES, PoolDefaults.HASH);
        String distribution = choice("distribution", DISTRIBUTIONS, PoolDefaults.DISTRIBUTION);
        String hashTag = string("hash_tag", null);
        if (hashTag != null && hashTag.length() != 2) {
            throw error("hash_tag", "expected two characters such as \"{}\", got '" + hashTag + "'");
        }
        List<ServerConfig> servers = servers();
        checkPlacement(hash, hashTag, distribution, servers);
        return new Sharding(
                servers,
                hash,
                hashTag,
                distribution,
                bool("auto_eject_hosts", PoolDefaults.AUTO_EJECT_HOSTS),
                integer(PoolDefaults.SERVER_RETRY_TIMEOUT),
                integer(PoolDefaults.SERVER_FAILURE_LIMIT));
    }

    /** A pool in front of a Redis Cluster: no servers, no placement; the cluster's slot map places keys. */
    private ClusterConfig cluster() throws ConfigException {
        for (String key : NOT_WITH_CLUSTER) {
            if (has(key)) {
                throw error(
                        key,
                        "not allowed with 'cluster': the cluster's slot map says where keys are"
                                + " and follows its failovers");
            }
        }
        if (integer(PoolDefaults.REDIS_DB) != 0) {
            throw error("redis_db", "a Redis Cluster has only database 0");
        }
        ImmutableNode clusterNode = node.getChildren().stream()
                .filter(child -> child.getNodeName().equals("cluster"))
                .findFirst()
                .orElseThrow();
        if (clusterNode.getChildren().isEmpty()) {
            throw error("cluster", "expected a map such as { seeds: [10.0.0.1:7000, 10.0.0.2:7000] }");
        }
        for (ImmutableNode child : clusterNode.getChildren()) {
            if (!CLUSTER_KEYS.contains(child.getNodeName())) {
                throw error(
                        "cluster." + child.getNodeName(),
                        "unknown key; 'cluster' takes " + new TreeSet<>(CLUSTER_KEYS));
            }
        }
        List<HostPort> seeds = new ArrayList<>();
        for (String text : config.getList(String.class, "cluster.seeds", List.of())) {
            HostPort seed = text == null ? null : HostPort.parse(text.trim());
            if (seed == null || seed.port() == 0) {
                throw error(
                        "cluster.seeds", "expected a list of host:port such as [10.0.0.1:7000], got '" + text + "'");
            }
            seeds.add(seed);
        }
        if (seeds.isEmpty()) {
            throw error(
                    "cluster.seeds", "missing; expected a list of host:port such as [10.0.0.1:7000, 10.0.0.2:7000]");
        }
        String readFromText = string("cluster.read_from", ReadFrom.MASTER.configName());
        ReadFrom readFrom = ReadFrom.fromConfigName(readFromText);
        if (readFrom == null) {
            throw error(
                    "cluster.read_from",
                    "expected one of master, replica_preferred, replica; got '" + readFromText + "'");
        }
        return new ClusterConfig(seeds, readFrom, integer(PoolDefaults.CLUSTER_REFRESH_INTERVAL));
    }

    private List<ServerConfig> servers() throws ConfigException {
        if (!config.containsKey("servers")) {
            throw error(
                    "servers",
                    "missing; expected a list of 'host:port:weight [name]'"
                            + " (or 'cluster: { seeds: [host:port, ...] }' for a Redis Cluster)");
        }
        List<String> lines = config.getList(String.class, "servers", List.of());
        if (lines.isEmpty()) {
            throw error("servers", "expected at least one 'host:port:weight [name]'");
        }
        List<ServerConfig> servers = new ArrayList<>();
        for (String line : lines) {
            servers.add(server(line == null ? "" : line.trim()));
        }
        return servers;
    }

    /** Builds the pool's ring once, so that what Twemproxy refuses (two servers of one name) is refused here. */
    private void checkPlacement(String hash, String hashTag, String distribution, List<ServerConfig> servers)
            throws ConfigException {
        List<ShardServer> ring = new ArrayList<>();
        for (ServerConfig server : servers) {
            ring.add(new ShardServer(server.address().host(), server.address().port(), server.weight(), server.name()));
        }
        try {
            ShardRing.build(
                    HashFunction.fromConfigName(hash),
                    HashTag.parse(hashTag),
                    Distribution.fromConfigName(distribution),
                    ring);
        } catch (IllegalArgumentException e) {
            throw error("servers", e.getMessage());
        }
    }

    /** The request, connect and failover timeouts. */
    private Timeouts timeouts() throws ConfigException {
        int request = integer(PoolDefaults.TIMEOUT);
        int connect = integer(PoolDefaults.CONNECT_TIMEOUT);
        return new Timeouts(request, Timeouts.connectMillis(connect, request), failoverTimeout());
    }

    /** Only cluster and Sentinel pools have a failover to wait for; elsewhere the key is refused. */
    private int failoverTimeout() throws ConfigException {
        if (!config.containsKey("sentinels") && !has("cluster") && config.containsKey("failover_timeout")) {
            throw error("failover_timeout", "only pools with 'sentinels' or 'cluster' have failovers to wait for");
        }
        return integer(PoolDefaults.FAILOVER_TIMEOUT);
    }

    /**
     * The pool's Sentinels. With them, each server's name is its Sentinel master name (so
     * ketama, which hashes the name, moves no key on failover) and its address a first guess.
     */
    private Sentinels sentinels(List<ServerConfig> servers) throws ConfigException {
        if (!config.containsKey("sentinels")) {
            return Sentinels.NONE;
        }
        List<HostPort> sentinels = new ArrayList<>();
        for (String text : config.getList(String.class, "sentinels", List.of())) {
            HostPort sentinel = text == null ? null : HostPort.parse(text.trim());
            if (sentinel == null || sentinel.port() == 0) {
                throw error("sentinels", "expected a list of host:port such as [10.0.0.5:26379], got '" + text + "'");
            }
            sentinels.add(sentinel);
        }
        if (sentinels.isEmpty()) {
            throw error("sentinels", "expected at least one host:port");
        }
        for (ServerConfig server : servers) {
            if (server.name() == null) {
                throw error(
                        "servers",
                        "with sentinels, every server needs its Sentinel master name after"
                                + " the address ('host:port:weight name'); '" + server.address() + "' has none");
            }
        }
        return new Sentinels(sentinels, string("sentinel_user", null), string("sentinel_auth", null));
    }

    /** One {@code servers} entry, split from the end exactly as nutcracker splits it. */
    private ServerConfig server(String line) throws ConfigException {
        ShardServer server;
        try {
            server = ShardServer.parse(line);
        } catch (IllegalArgumentException e) {
            throw error(
                    "servers",
                    "expected 'host:port:weight [name]' or '/path/to/socket:weight [name]': " + e.getMessage());
        }
        String host = server.host();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        HostPort address = server.port() == 0 ? HostPort.unix(host) : new HostPort(host, server.port());
        return new ServerConfig(address, server.weight(), server.name());
    }

    private HostPort hostPort(String key) throws ConfigException {
        String text = string(key, null);
        if (text == null) {
            throw error(key, "missing; expected host:port such as 127.0.0.1:22121");
        }
        if (text.trim().startsWith("/")) {
            return HostPort.unix(text.trim().split("\\s+")[0]);
        }
        HostPort hostPort = HostPort.parse(text.trim());
        if (hostPort == null) {
            throw error(key, "expected host:port such as 127.0.0.1:22121, got '" + text + "'");
        }
        return hostPort;
    }

    /** The permissions of a Unix listen socket, {@code listen: /path 0666} as in nutcracker.yml; -1 when not given. */
    private int listenMode() throws ConfigException {
        String[] words = string("listen", "").trim().split("\\s+");
        if (words.length == 1) {
            return -1;
        }
        if (words.length > 2 || !words[0].startsWith("/") || !words[1].matches("0?[0-7]{3}")) {
            throw error(
                    "listen",
                    "expected host:port, or a socket path and an octal mode such as"
                            + " '/var/run/shardis.sock 0666', got '" + string("listen", "") + "'");
        }
        return Integer.parseInt(words[1], 8);
    }

    /**
     * The pool's proxy users: {@code users: { app: "on >s3cret ~cache:* +@read", ... }}, each
     * compiled once here so that a bad rule stops the start (and {@code -t}) with the user and
     * the rule's position, never the rule's password.
     */
    private Map<String, List<String>> users() throws ConfigException {
        ImmutableNode usersNode = node.getChildren().stream()
                .filter(child -> child.getNodeName().equals("users"))
                .findFirst()
                .orElse(null);
        if (usersNode == null) {
            return Map.of();
        }
        if (usersNode.getChildren().isEmpty()) {
            throw error(
                    "users",
                    "expected a map of user names to ACL rules, such as"
                            + " { app: \"on >password ~cache:* +@read\" }");
        }
        Map<String, List<String>> users = new LinkedHashMap<>();
        for (ImmutableNode user : usersNode.getChildren()) {
            String name = user.getNodeName();
            if (!user.getChildren().isEmpty() || user.getValue() == null) {
                throw error(
                        "users." + name,
                        "expected the user's ACL rules as one string," + " such as \"on >password ~cache:* +@read\"");
            }
            // A YAML list of rules comes as several nodes of the user's name: one rule each.
            // YAML reads a bare on/off as a boolean.
            String text = user.getValue() instanceof Boolean on
                    ? (on ? "on" : "off")
                    : resolved("users." + name, user.getValue().toString());
            List<String> rules = users.computeIfAbsent(name, n -> new ArrayList<>());
            if (rules.isEmpty()) {
                rules.addAll(AclRules.words(text));
            } else {
                rules.add(text.trim());
            }
        }
        AclRules compiler = new AclRules(CommandTable.standard());
        for (Map.Entry<String, List<String>> user : users.entrySet()) {
            try {
                compiler.compile(user.getKey(), user.getValue());
            } catch (IllegalArgumentException e) {
                throw error("users." + user.getKey(), e.getMessage());
            }
        }
        return users;
    }

    /** The {@code tls}, {@code backend_tls} and {@code sentinel_tls} blocks. */
    private TlsConfig tls() throws ConfigException {
        if (config.containsKey("sentinel_tls")
                || node.getChildren().stream()
                        .anyMatch(child -> child.getNodeName().equals("sentinel_tls"))) {
            if (!config.containsKey("sentinels")) {
                throw error("sentinel_tls", "only pools with 'sentinels' talk to Sentinels");
            }
        }
        return new TlsConfigReader(source, pool, node, config).read();
    }

    /** The ACL user for the servers; its password is {@code redis_auth}. */
    private String redisUser() throws ConfigException {
        String user = string("redis_user", null);
        if (user != null && string("redis_auth", null) == null) {
            throw error("redis_user", "needs redis_auth, the user's password");
        }
        return user;
    }
}
