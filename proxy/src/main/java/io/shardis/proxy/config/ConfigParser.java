package io.shardis.proxy.config;

import io.shardis.proxy.auth.AclRules;
import io.shardis.proxy.command.CommandTable;
import io.shardis.topology.shard.Distribution;
import io.shardis.topology.shard.HashFunction;
import io.shardis.topology.shard.HashTag;
import io.shardis.topology.shard.ShardRing;
import io.shardis.topology.shard.ShardServer;
import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.YAMLConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.tree.ImmutableNode;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Turns nutcracker.yml-shaped YAML into {@link ShardisConfig}, refusing anything it does not understand.
 *
 * <p>Longer than our usual 350 lines because every pool key's reading, default and error text live
 * here, next to each other, in the two positional {@code PoolConfig} constructions (servers and
 * cluster pools). It shrinks when configuration becomes small records with one table of defaults
 * (TLS blocks already moved to {@link TlsConfigReader}); until then, one place for every key beats
 * several half-places.
 */
final class ConfigParser {

    static final Set<String> HASHES = Set.of("one_at_a_time", "md5", "crc16", "crc32", "crc32a",
            "fnv1_64", "fnv1a_64", "fnv1_32", "fnv1a_32", "hsieh", "murmur", "jenkins");
    static final Set<String> DISTRIBUTIONS = Set.of("ketama", "modula", "random");

    private static final Set<String> KEYS = Set.of(
            // Twemproxy's keys
            "listen", "hash", "hash_tag", "distribution", "timeout", "backlog", "preconnect", "redis",
            "redis_auth", "redis_db", "server_connections", "client_connections", "auto_eject_hosts",
            "server_retry_timeout", "server_failure_limit", "servers",
            // Shardis' own
            "allow_admin", "max_pipeline", "max_request_bytes", "max_bulk_bytes",
            "sentinels", "sentinel_user", "sentinel_auth", "cluster", "redis_user", "connect_timeout",
            "failover_timeout",
            "max_client_reply_bytes", "users",
            // TLS towards clients, servers and Sentinels (TlsConfigReader)
            "tls", "backend_tls", "sentinel_tls");

    /** Keys that place keys on servers or follow servers: a cluster's slot map does that itself. */
    private static final List<String> NOT_WITH_CLUSTER = List.of("servers", "hash", "hash_tag", "distribution",
            "auto_eject_hosts", "server_retry_timeout", "server_failure_limit", "sentinels", "sentinel_user",
            "sentinel_auth", "sentinel_tls");

    private static final Set<String> CLUSTER_KEYS = Set.of("seeds", "read_from", "refresh_interval");

    private final String source;

    ConfigParser(String source) {
        this.source = source;
    }

    ShardisConfig parse(String yaml) throws ConfigException {
        YAMLConfiguration config = new YAMLConfiguration();
        try {
            config.read(new StringReader(yaml));
        } catch (ConfigurationException | RuntimeException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new ConfigException(source + ": not valid YAML: " + yamlProblem(cause), e);
        }
        ImmutableNode root = config.getNodeModel().getNodeHandler().getRootNode();
        if (root.getChildren().isEmpty()) {
            throw new ConfigException(source + ": no pool defined; expected at least one pool, e.g.\n"
                    + "alpha:\n  listen: 127.0.0.1:22121\n  servers:\n    - 127.0.0.1:6379:1");
        }
        List<PoolConfig> pools = new ArrayList<>();
        Set<String> names = new HashSet<>();
        Set<HostPort> listens = new HashSet<>();
        ProcessConfig process = ProcessConfig.DEFAULTS;
        for (ImmutableNode poolNode : root.getChildren()) {
            String name = poolNode.getNodeName();
            if (name == null) {
                // A key that is only an anchor ("&name:") names nothing.
                throw new ConfigException(source + ": a pool without a name; expected pool names at the top level"
                        + " (alpha: ..., beta: ...)");
            }
            if (name.equals(ProcessConfig.BLOCK)) {
                // The process' own settings (HTTP listener, JMX), not a pool.
                process = ProcessConfig.read(poolNode, source);
                continue;
            }
            if (!names.add(name)) {
                throw new ConfigException(source + ": pool '" + name + "' is defined twice");
            }
            if (name.contains(".")) {
                throw new ConfigException(source + ": pool '" + name + "': pool names may not contain '.'");
            }
            if (name.matches(".*[()\\[\\]].*")) {
                // The configuration library reads them as an index or an attribute of the key.
                throw new ConfigException(source + ": pool '" + name + "': pool names may not contain '(', ')', '[' or ']'");
            }
            if (poolNode.getChildren().isEmpty()) {
                throw new ConfigException(source + ": pool '" + name
                        + "': expected a map of settings (listen, servers, ...), got '" + poolNode.getValue() + "'");
            }
            HierarchicalConfiguration<ImmutableNode> poolConfig;
            try {
                poolConfig = config.configurationAt(name);
            } catch (RuntimeException e) {
                // E.g. a list of maps where the pool's settings should be: the name selects several nodes.
                throw new ConfigException(source + ": pool '" + name
                        + "': expected one map of settings (listen, servers, ...)");
            }
            PoolConfig pool = new PoolReader(name, poolNode, poolConfig).read();
            if (pool.listen().port() != 0 && !listens.add(pool.listen())) {
                throw new ConfigException(source + ": pool '" + name + "': key 'listen': "
                        + pool.listen() + " is already used by another pool");
            }
            HostPort tlsListen = pool.tls().listener() == null ? null : pool.tls().listener().listen();
            if (tlsListen != null && tlsListen.port() != 0
                    && (tlsListen.equals(pool.listen()) || !listens.add(tlsListen))) {
                throw new ConfigException(source + ": pool '" + name + "': key 'tls.listen': "
                        + tlsListen + " is already used by another pool or by this pool's listen");
            }
            pools.add(pool);
        }
        if (pools.isEmpty()) {
            throw new ConfigException(source + ": no pool defined; expected at least one pool besides '"
                    + ProcessConfig.BLOCK + "'");
        }
        return new ShardisConfig(source, pools, process);
    }

    /**
     * SnakeYAML's message quotes the offending line, which may hold a password: only the problem
     * and where it is are told.
     */
    private static String yamlProblem(Throwable cause) {
        if (cause instanceof org.yaml.snakeyaml.error.MarkedYAMLException marked) {
            org.yaml.snakeyaml.error.Mark mark = marked.getProblemMark();
            return (marked.getProblem() != null ? marked.getProblem() : marked.getContext())
                    + (mark != null ? " at line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1) : "");
        }
        if (cause instanceof org.yaml.snakeyaml.reader.ReaderException reader) {
            // A character YAML does not allow (a control character, a lone surrogate...): where, not what.
            return "a character YAML does not allow (code point " + reader.getCodePoint() + ") at offset "
                    + reader.getPosition();
        }
        // The parser's own text may quote the file (a password): say only that it could not be read.
        return "the file cannot be read as YAML";
    }

    /** YAML's and nutcracker's spellings of a boolean (true/yes/on, false/no/off), or null for none. */
    static Boolean booleanValue(String value) {
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on" -> Boolean.TRUE;
            case "false", "no", "off" -> Boolean.FALSE;
            default -> null;
        };
    }

    /** Reads the keys of one pool. */
    private final class PoolReader {
        private final String pool;
        private final ImmutableNode node;
        private final HierarchicalConfiguration<ImmutableNode> config;

        PoolReader(String pool, ImmutableNode node, HierarchicalConfiguration<ImmutableNode> config) {
            this.pool = pool;
            this.node = node;
            this.config = config;
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
                throw error(unknown.iterator().next(), "unknown key; the keys a pool takes are "
                        + new java.util.TreeSet<>(KEYS));
            }
            if (!bool("redis", true)) {
                throw error("redis", "memcached pools (redis: false) are not supported; Shardis proxies Redis");
            }
            HostPort listen = hostPort("listen");
            int listenMode = listenMode();
            if (node.getChildren().stream().anyMatch(child -> child.getNodeName().equals("cluster"))) {
                return readCluster(listen, listenMode);
            }
            String hash = choice("hash", HASHES, "fnv1a_64");
            String distribution = choice("distribution", DISTRIBUTIONS, "ketama");
            String hashTag = string("hash_tag", null);
            if (hashTag != null && hashTag.length() != 2) {
                throw error("hash_tag", "expected two characters such as \"{}\", got '" + hashTag + "'");
            }
            List<ServerConfig> servers = servers();
            checkPlacement(hash, hashTag, distribution, servers);
            return new PoolConfig(pool, listen, hash, hashTag, distribution,
                    integer("timeout", 0, 1, Integer.MAX_VALUE),
                    integer("backlog", 512, 1, 65535),
                    bool("preconnect", false),
                    string("redis_auth", null),
                    integer("redis_db", 0, 0, 1 << 20),
                    integer("server_connections", 1, 1, 1024),
                    integer("client_connections", 0, 0, Integer.MAX_VALUE),
                    bool("auto_eject_hosts", false),
                    integer("server_retry_timeout", 30000, 1, Integer.MAX_VALUE),
                    integer("server_failure_limit", 2, 1, Integer.MAX_VALUE),
                    bool("allow_admin", false),
                    integer("max_pipeline", 16384, 1, 1 << 24),
                    size("max_request_bytes", 576L << 20),
                    size("max_bulk_bytes", 512L << 20),
                    servers, listenMode, sentinels(servers), string("sentinel_user", null), string("sentinel_auth", null),
                    null, redisUser(), integer("connect_timeout", 0, 1, Integer.MAX_VALUE), failoverTimeout(),
                    clientReplyLimit(), users(), tls());
        }

        /** A pool in front of a Redis Cluster: no servers, no placement; the cluster's slot map places keys. */
        private PoolConfig readCluster(HostPort listen, int listenMode) throws ConfigException {
            for (String key : NOT_WITH_CLUSTER) {
                if (node.getChildren().stream().anyMatch(child -> child.getNodeName().equals(key))) {
                    throw error(key, "not allowed with 'cluster': the cluster's slot map says where keys are"
                            + " and follows its failovers");
                }
            }
            if (integer("redis_db", 0, 0, 1 << 20) != 0) {
                throw error("redis_db", "a Redis Cluster has only database 0");
            }
            ImmutableNode clusterNode = node.getChildren().stream()
                    .filter(child -> child.getNodeName().equals("cluster")).findFirst().orElseThrow();
            if (clusterNode.getChildren().isEmpty()) {
                throw error("cluster", "expected a map such as { seeds: [10.0.0.1:7000, 10.0.0.2:7000] }");
            }
            for (ImmutableNode child : clusterNode.getChildren()) {
                if (!CLUSTER_KEYS.contains(child.getNodeName())) {
                    throw error("cluster." + child.getNodeName(), "unknown key; 'cluster' takes "
                            + new java.util.TreeSet<>(CLUSTER_KEYS));
                }
            }
            List<HostPort> seeds = new ArrayList<>();
            for (String text : config.getList(String.class, "cluster.seeds", List.of())) {
                HostPort seed = text == null ? null : HostPort.parse(text.trim());
                if (seed == null || seed.port() == 0) {
                    throw error("cluster.seeds", "expected a list of host:port such as [10.0.0.1:7000], got '"
                            + text + "'");
                }
                seeds.add(seed);
            }
            if (seeds.isEmpty()) {
                throw error("cluster.seeds", "missing; expected a list of host:port such as [10.0.0.1:7000, 10.0.0.2:7000]");
            }
            String readFromText = string("cluster.read_from", ReadFrom.MASTER.configName());
            ReadFrom readFrom = ReadFrom.fromConfigName(readFromText);
            if (readFrom == null) {
                throw error("cluster.read_from", "expected one of master, replica_preferred, replica; got '"
                        + readFromText + "'");
            }
            int refresh = integer("cluster.refresh_interval", ClusterConfig.DEFAULT_REFRESH_INTERVAL_MILLIS,
                    100, Integer.MAX_VALUE);
            return new PoolConfig(pool, listen, "fnv1a_64", null, "ketama",
                    integer("timeout", 0, 1, Integer.MAX_VALUE),
                    integer("backlog", 512, 1, 65535),
                    bool("preconnect", false),
                    string("redis_auth", null),
                    0,
                    integer("server_connections", 1, 1, 1024),
                    integer("client_connections", 0, 0, Integer.MAX_VALUE),
                    false, 30000, 2,
                    bool("allow_admin", false),
                    integer("max_pipeline", 16384, 1, 1 << 24),
                    size("max_request_bytes", 576L << 20),
                    size("max_bulk_bytes", 512L << 20),
                    List.of(), listenMode, List.of(), null, null,
                    new ClusterConfig(seeds, readFrom, refresh), redisUser(),
                    integer("connect_timeout", 0, 1, Integer.MAX_VALUE), failoverTimeout(),
                    clientReplyLimit(), users(), tls());
        }

        private List<ServerConfig> servers() throws ConfigException {
            if (!config.containsKey("servers")) {
                throw error("servers", "missing; expected a list of 'host:port:weight [name]'"
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
                ShardRing.build(HashFunction.fromConfigName(hash), HashTag.parse(hashTag),
                        Distribution.fromConfigName(distribution), ring);
            } catch (IllegalArgumentException e) {
                throw error("servers", e.getMessage());
            }
        }

        /**
         * The pool's Sentinels. With them, each server's name is its Sentinel master name (so
         * ketama, which hashes the name, moves no key on failover) and its address a first guess.
         */
        /** Only cluster and Sentinel pools have a failover to wait for; elsewhere the key is refused. */
        private int failoverTimeout() throws ConfigException {
            boolean followsFailovers = config.containsKey("sentinels") || node.getChildren().stream()
                    .anyMatch(child -> child.getNodeName().equals("cluster"));
            if (!followsFailovers && config.containsKey("failover_timeout")) {
                throw error("failover_timeout", "only pools with 'sentinels' or 'cluster' have failovers to wait for");
            }
            return integer("failover_timeout", PoolConfig.DEFAULT_FAILOVER_TIMEOUT_MILLIS, 0, Integer.MAX_VALUE);
        }

        private List<HostPort> sentinels(List<ServerConfig> servers) throws ConfigException {
            if (!config.containsKey("sentinels")) {
                return List.of();
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
                    throw error("servers", "with sentinels, every server needs its Sentinel master name after"
                            + " the address ('host:port:weight name'); '" + server.address() + "' has none");
                }
            }
            return sentinels;
        }

        /** One {@code servers} entry, split from the end exactly as nutcracker splits it. */
        private ServerConfig server(String line) throws ConfigException {
            ShardServer server;
            try {
                server = ShardServer.parse(line);
            } catch (IllegalArgumentException e) {
                throw error("servers", "expected 'host:port:weight [name]' or '/path/to/socket:weight [name]': "
                        + e.getMessage());
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
                throw error("listen", "expected host:port, or a socket path and an octal mode such as"
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
                    .filter(child -> child.getNodeName().equals("users")).findFirst().orElse(null);
            if (usersNode == null) {
                return Map.of();
            }
            if (usersNode.getChildren().isEmpty()) {
                throw error("users", "expected a map of user names to ACL rules, such as"
                        + " { app: \"on >password ~cache:* +@read\" }");
            }
            Map<String, List<String>> users = new LinkedHashMap<>();
            for (ImmutableNode user : usersNode.getChildren()) {
                String name = user.getNodeName();
                if (!user.getChildren().isEmpty() || user.getValue() == null) {
                    throw error("users." + name, "expected the user's ACL rules as one string,"
                            + " such as \"on >password ~cache:* +@read\"");
                }
                // A YAML list of rules comes as several nodes of the user's name: one rule each.
                // YAML reads a bare on/off as a boolean.
                String text = user.getValue() instanceof Boolean on ? (on ? "on" : "off") : user.getValue().toString();
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
            if (config.containsKey("sentinel_tls") || node.getChildren().stream()
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

        private String string(String key, String fallback) {
            Object value = config.getProperty(key);
            return value == null ? fallback : value.toString();
        }

        private String choice(String key, Set<String> allowed, String fallback) throws ConfigException {
            String value = string(key, fallback).toLowerCase(Locale.ROOT);
            if (!allowed.contains(value)) {
                throw error(key, "expected one of " + new java.util.TreeSet<>(allowed) + ", got '" + value + "'");
            }
            return value;
        }

        private boolean bool(String key, boolean fallback) throws ConfigException {
            String value = string(key, null);
            if (value == null) {
                return fallback;
            }
            Boolean parsed = booleanValue(value);
            if (parsed == null) {
                throw error(key, "expected true or false, got '" + value + "'");
            }
            return parsed;
        }

        private int integer(String key, int fallback, int min, int max) throws ConfigException {
            String value = string(key, null);
            if (value == null) {
                return fallback;
            }
            try {
                long parsed = Long.parseLong(value.trim());
                if (parsed < min || parsed > max) {
                    throw error(key, "expected an integer in " + min + ".." + max + ", got " + parsed);
                }
                return (int) parsed;
            } catch (NumberFormatException e) {
                throw error(key, "expected an integer, got '" + value + "'");
            }
        }

        /**
         * {@code max_client_reply_bytes}: "HARD [SOFT [SECONDS]]" as Redis' client-output-buffer-limit
         * writes it; SOFT defaults to a quarter of HARD, SECONDS to 60; "0" turns the limit off.
         */
        private ClientReplyLimit clientReplyLimit() throws ConfigException {
            String key = "max_client_reply_bytes";
            String value = string(key, null);
            if (value == null) {
                return ClientReplyLimit.DEFAULT;
            }
            String[] words = value.trim().split("\\s+");
            if (words.length > 3 || words[0].isEmpty()) {
                throw error(key, "expected 'HARD [SOFT [SECONDS]]' such as '32m 8m 60', got '" + value + "'");
            }
            if (words.length == 1 && words[0].equals("0")) {
                return ClientReplyLimit.NONE;
            }
            long hard = sizeValue(key, words[0]);
            long soft = words.length > 1 ? sizeValue(key, words[1]) : hard / 4;
            int seconds = 60;
            if (words.length > 2) {
                try {
                    seconds = Integer.parseInt(words[2]);
                } catch (NumberFormatException e) {
                    seconds = -1;
                }
                if (seconds < 0) {
                    throw error(key, "expected the soft limit's seconds as a whole number >= 0, got '" + words[2] + "'");
                }
            }
            if (soft > hard) {
                throw error(key, "the soft limit (" + words[1] + ") is above the hard limit (" + words[0] + ")");
            }
            return new ClientReplyLimit(hard, soft, seconds);
        }

        /** A byte count: a plain integer or one with a k/m/g suffix (powers of 1024). */
        private long size(String key, long fallback) throws ConfigException {
            String value = string(key, null);
            if (value == null) {
                return fallback;
            }
            return sizeValue(key, value);
        }

        private long sizeValue(String key, String value) throws ConfigException {
            String text = value.trim().toLowerCase(Locale.ROOT).replace("ib", "").replace("b", "");
            long unit = 1;
            if (text.endsWith("k")) {
                unit = 1L << 10;
            } else if (text.endsWith("m")) {
                unit = 1L << 20;
            } else if (text.endsWith("g")) {
                unit = 1L << 30;
            }
            if (unit > 1) {
                text = text.substring(0, text.length() - 1).trim();
            }
            try {
                long bytes = Long.parseLong(text) * unit;
                if (bytes < 1024 || bytes > Integer.MAX_VALUE - 1024) {
                    throw error(key, "expected a size between 1k and 2g, got '" + value + "'");
                }
                return bytes;
            } catch (NumberFormatException e) {
                throw error(key, "expected a size such as 512m, got '" + value + "'");
            }
        }

        private ConfigException error(String key, String problem) {
            return new ConfigException(source + ": pool '" + pool + "': key '" + key + "': " + problem);
        }
    }
}
