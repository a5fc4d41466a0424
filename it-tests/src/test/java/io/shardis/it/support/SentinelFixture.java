package io.shardis.it.support;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Masters named {@code shard1}, {@code shard2}, ..., each with one replica, watched by three real
 * Sentinels ({@code redis-server --sentinel}) with quorum 2 and a 1 s down-after, so a killed
 * master fails over in a few seconds. Every process runs on 127.0.0.1 and is stopped by PID.
 *
 * <pre>{@code
 * try (SentinelFixture sentinels = SentinelFixture.builder().masters(2).start()) {
 *     long killedAt = sentinels.killMaster("shard1");
 *     RedisProcess promoted = sentinels.awaitFailover("shard1");
 * }
 * }</pre>
 */
public final class SentinelFixture implements AutoCloseable {

    public static final int SENTINELS = 3;
    public static final int QUORUM = 2;
    // 2 s rather than 1: on a loaded 2-core machine a new master can stall past 1 s and be failed back.
    public static final Duration DOWN_AFTER = Duration.ofMillis(2_000);
    public static final Duration FAILOVER_TIMEOUT = Duration.ofMillis(3_000);

    private static final Duration CONVERGENCE = Duration.ofSeconds(30);
    // A Sentinel whose timer ran 2 s late (a stalled machine) enters TILT mode and acts on nothing
    // for 30 s, so a failover may come that much later than down-after and the election suggest.
    private static final Duration FAILOVER_WAIT = Duration.ofSeconds(60);
    private static final int CLIENT_TIMEOUT_MILLIS = 2_000;

    private final Builder options;
    private final Map<String, List<RedisProcess>> servers = new LinkedHashMap<>();
    private final Map<String, RedisProcess> killed = new HashMap<>();
    private final List<RedisProcess> sentinels = new ArrayList<>();

    private SentinelFixture(Builder options) {
        this.options = options;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** {@code shard1}, {@code shard2}, ...: the Sentinel master names. */
    public List<String> masterNames() {
        return List.copyOf(servers.keySet());
    }

    /** The password of the Sentinels' default user, or {@code null}. */
    public String password() {
        return options.password;
    }

    /** The Sentinels' extra ACL user, or {@code null}. */
    public String aclUser() {
        return options.aclUser;
    }

    /** The password of {@link #aclUser()}. */
    public String aclPassword() {
        return options.aclPassword;
    }

    /** The Sentinels, in the order of {@link #sentinelAddresses()}. */
    public synchronized List<InetSocketAddress> sentinelAddresses() {
        return sentinels.stream().map(RedisProcess::socketAddress).toList();
    }

    /** Sentinel {@code i} (0-based): {@code stop()} it, and {@code restart()} it on the same port with its own config. */
    public synchronized RedisProcess sentinel(int i) {
        return sentinels.get(i);
    }

    /** The current master of {@code name}, as a majority of the configured Sentinels report it. */
    public synchronized RedisProcess master(String name) {
        InetSocketAddress address = agreedMaster(name);
        if (address == null) {
            throw new IllegalStateException("no majority of the Sentinels reports a master for " + name);
        }
        return serverAt(name, address);
    }

    /** Every server of {@code name} other than its current master, running or not. */
    public synchronized List<RedisProcess> replicas(String name) {
        RedisProcess master = master(name);
        return servers.get(name).stream().filter(server -> server != master).toList();
    }

    /** SIGKILL of the current master of {@code name}; returns {@link System#nanoTime()} right after it died. */
    public synchronized long killMaster(String name) {
        RedisProcess master = master(name);
        killed.put(name, master);
        master.kill();
        return System.nanoTime();
    }

    /**
     * Waits (bounded) until a majority of the configured Sentinels report a master of {@code name}
     * other than the one {@link #killMaster} killed, and that server says it is a master.
     */
    public RedisProcess awaitFailover(String name) {
        RedisProcess old;
        synchronized (this) {
            old = Objects.requireNonNull(killed.get(name), "no master of " + name + " was killed");
        }
        RedisProcess[] promoted = new RedisProcess[1];
        boolean done = Poll.until(
                FAILOVER_WAIT,
                () -> {
                    InetSocketAddress agreed = agreedMaster(name);
                    if (agreed == null || agreed.equals(old.socketAddress())) {
                        return false;
                    }
                    RedisProcess candidate = serverAt(name, agreed);
                    promoted[0] = candidate;
                    return isMaster(candidate);
                },
                () -> false);
        if (!done) {
            throw new IllegalStateException("no failover of " + name + " within " + FAILOVER_WAIT.toSeconds()
                    + " s; Sentinels say " + answers(name) + "\n" + sentinelLogs());
        }
        return promoted[0];
    }

    /**
     * Waits (bounded) until every running Sentinel reports the same master for every name, e.g.
     * after a Sentinel that missed a failover was started again and has yet to hear of it.
     */
    public void awaitAgreement() {
        boolean agreed = Poll.until(
                CONVERGENCE,
                () -> masterNames().stream().allMatch(name -> {
                    List<InetSocketAddress> answers = new ArrayList<>();
                    for (int i = 0; i < SENTINELS; i++) {
                        if (sentinel(i).isAlive()) {
                            answers.add(answerOf(i, name));
                        }
                    }
                    return !answers.contains(null)
                            && answers.stream().distinct().count() == 1;
                }),
                () -> false);
        if (!agreed) {
            throw new IllegalStateException("the running Sentinels do not agree on every master within "
                    + CONVERGENCE.toSeconds() + " s\n" + sentinelLogs());
        }
    }

    /** Starts a stopped or killed server again on its port; a former master comes back as a replica once Sentinel reconfigures it. */
    public void restart(RedisProcess process) {
        process.restart();
    }

    /**
     * Starts a killed former master of {@code name} again and makes it a replica of the master the
     * Sentinels agree on, as an operator would with {@code REPLICAOF}, instead of waiting the ten
     * seconds or so Sentinel takes to notice it came back and reconfigure it ({@link #restart} is
     * that path).
     */
    public void restartAsReplica(String name, RedisProcess process) {
        // The Sentinels must have named another master first: a failover that came late (or not
        // at all, in a test that failed) must not make the server a replica of itself.
        InetSocketAddress[] current = new InetSocketAddress[1];
        boolean named = Poll.until(
                FAILOVER_WAIT,
                () -> {
                    current[0] = agreedMaster(name);
                    return current[0] != null && !current[0].equals(process.socketAddress());
                },
                () -> false);
        if (!named) {
            throw new IllegalStateException("the Sentinels named no master of " + name + " other than " + process
                    + " within " + FAILOVER_WAIT.toSeconds() + " s; they say " + answers(name) + "\n"
                    + sentinelLogs());
        }
        process.restart();
        try (Jedis direct = process.client()) {
            direct.replicaof(current[0].getHostString(), current[0].getPort());
        }
    }

    /** A Jedis connection to Sentinel {@code i}, authenticated if the Sentinels need it; the caller closes it. */
    public Jedis sentinelClient(int i) {
        Jedis jedis = sentinel(i).client();
        if (options.password != null) {
            jedis.auth(options.password);
        }
        return jedis;
    }

    /**
     * Every Sentinel forgets {@code name}'s master and monitors {@code master} instead, with the
     * fixture's quorum, down-after and failover timeout; no event is published (a switchover by hand).
     */
    public void monitorOn(String name, RedisProcess master) {
        for (int i = 0; i < SENTINELS; i++) {
            try (Jedis sentinel = sentinelClient(i)) {
                sentinel.sentinelRemove(name);
                sentinel.sentinelMonitor(name, master.host(), master.port(), QUORUM);
                sentinel.sentinelSet(
                        name,
                        Map.of(
                                "down-after-milliseconds", Long.toString(DOWN_AFTER.toMillis()),
                                "failover-timeout", Long.toString(FAILOVER_TIMEOUT.toMillis())));
            }
        }
    }

    /** The end of every Sentinel's log, for failure messages. */
    public synchronized String sentinelLogs() {
        StringBuilder logs = new StringBuilder();
        sentinels.forEach(sentinel -> logs.append(sentinel.log()).append('\n'));
        return logs.toString();
    }

    @Override
    public synchronized void close() {
        List<RedisProcess> all = new ArrayList<>(sentinels);
        servers.values().forEach(all::addAll);
        RuntimeException first = null;
        for (RedisProcess process : all) {
            try {
                process.close();
            } catch (RuntimeException e) {
                if (first == null) {
                    first = new IllegalStateException("could not stop every process of the fixture", e);
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    private void start() {
        try {
            for (int i = 1; i <= options.masters; i++) {
                RedisProcess master = server().start();
                RedisProcess replica = server().args("--replicaof", master.host(), Integer.toString(master.port()))
                        .start();
                servers.put("shard" + i, List.of(master, replica));
            }
            String config = sentinelConfig();
            for (int i = 0; i < SENTINELS; i++) {
                sentinels.add(server().config(config).sentinel().start());
            }
            awaitConvergence();
        } catch (RuntimeException e) {
            try {
                close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** A server of the fixture: over TLS only (replication and Sentinel links too) with {@link Builder#tls}. */
    private RedisProcess.Builder server() {
        RedisProcess.Builder builder = RedisProcess.builder();
        if (options.tls != null) {
            builder.tls(options.tls, "optional").args("--tls-replication", "yes");
        }
        return builder;
    }

    private String sentinelConfig() {
        StringBuilder config = new StringBuilder();
        servers.forEach((name, shard) -> {
            RedisProcess master = shard.get(0);
            config.append("sentinel monitor ")
                    .append(name)
                    .append(' ')
                    .append(master.host())
                    .append(' ')
                    .append(master.port())
                    .append(' ')
                    .append(QUORUM)
                    .append('\n')
                    .append("sentinel down-after-milliseconds ")
                    .append(name)
                    .append(' ')
                    .append(DOWN_AFTER.toMillis())
                    .append('\n')
                    .append("sentinel failover-timeout ")
                    .append(name)
                    .append(' ')
                    .append(FAILOVER_TIMEOUT.toMillis())
                    .append('\n')
                    .append("sentinel parallel-syncs ")
                    .append(name)
                    .append(" 1\n");
        });
        if (options.password != null) {
            // Sentinels also use it to authenticate to each other.
            config.append("requirepass ").append(options.password).append('\n');
        }
        if (options.aclUser != null) {
            config.append("user ")
                    .append(options.aclUser)
                    .append(" on >")
                    .append(options.aclPassword)
                    .append(" allchannels +@all\n");
        }
        return config.toString();
    }

    /** Until every Sentinel knows every master, its replica with a working link, and the other Sentinels. */
    private void awaitConvergence() {
        boolean converged = Poll.until(
                CONVERGENCE,
                () -> {
                    for (int i = 0; i < SENTINELS; i++) {
                        try (Jedis sentinel = sentinelClient(i)) {
                            for (String name : servers.keySet()) {
                                List<Map<String, String>> replicas = sentinel.sentinelReplicas(name);
                                boolean replicaReady = replicas.size() == 1
                                        && "ok".equals(replicas.get(0).get("master-link-status"))
                                        && !replicas.get(0)
                                                .getOrDefault("flags", "")
                                                .contains("down");
                                if (!replicaReady
                                        || sentinel.sentinelSentinels(name).size() != SENTINELS - 1) {
                                    return false;
                                }
                            }
                        } catch (JedisException e) {
                            return false;
                        }
                    }
                    return true;
                },
                () -> false);
        if (!converged) {
            throw new IllegalStateException("the Sentinels did not learn every master, replica and each other within "
                    + CONVERGENCE.toSeconds() + " s\n" + sentinelLogs());
        }
    }

    /** What a majority of the configured Sentinels report as master of {@code name}, or {@code null}. */
    private InetSocketAddress agreedMaster(String name) {
        Map<InetSocketAddress, Integer> votes = new HashMap<>();
        for (InetSocketAddress answer : answers(name)) {
            if (answer != null && votes.merge(answer, 1, Integer::sum) >= SENTINELS / 2 + 1) {
                return answer;
            }
        }
        return null;
    }

    private List<InetSocketAddress> answers(String name) {
        List<InetSocketAddress> answers = new ArrayList<>();
        for (int i = 0; i < SENTINELS; i++) {
            answers.add(sentinel(i).isAlive() ? answerOf(i, name) : null);
        }
        return answers;
    }

    /** What Sentinel {@code i} reports as master of {@code name}, or {@code null} if nothing. */
    private InetSocketAddress answerOf(int i, String name) {
        try (Jedis sentinel = sentinelClient(i)) {
            List<String> hostPort = sentinel.sentinelGetMasterAddrByName(name);
            return hostPort == null || hostPort.size() != 2
                    ? null
                    : new InetSocketAddress(hostPort.get(0), Integer.parseInt(hostPort.get(1)));
        } catch (JedisException e) {
            return null;
        }
    }

    private synchronized RedisProcess serverAt(String name, InetSocketAddress address) {
        List<RedisProcess> shard = servers.get(name);
        if (shard == null) {
            throw new IllegalArgumentException("no Sentinel master " + name + "; masters are " + servers.keySet());
        }
        return shard.stream()
                .filter(server -> server.socketAddress().equals(address))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException(
                        "Sentinels report " + address + " for " + name + ", which is none of its servers " + shard));
    }

    private static boolean isMaster(RedisProcess server) {
        try (Jedis jedis = server.tls() != null
                ? server.client()
                : new Jedis(server.host(), server.port(), CLIENT_TIMEOUT_MILLIS)) {
            return jedis.info("replication").contains("role:master");
        } catch (JedisException e) {
            return false;
        }
    }

    /** Options of a fixture to start. */
    public static final class Builder {
        private int masters = 1;
        private String password;
        private String aclUser;
        private String aclPassword;
        private TestCertificates tls;

        private Builder() {}

        /** Every server and Sentinel speaks TLS only, with {@code certs}' server certificate. */
        public Builder tls(TestCertificates certs) {
            this.tls = Objects.requireNonNull(certs);
            return this;
        }

        /** How many masters ({@code shard1..shardN}), each with one replica; 1 by default. */
        public Builder masters(int count) {
            if (count < 1) {
                throw new IllegalArgumentException("at least one master");
            }
            this.masters = count;
            return this;
        }

        /** The Sentinels require this password ({@code requirepass}). */
        public Builder password(String password) {
            this.password = Objects.requireNonNull(password);
            return this;
        }

        /** The Sentinels also accept this ACL user; needs {@link #password} for the Sentinels' own use. */
        public Builder aclUser(String user, String password) {
            this.aclUser = Objects.requireNonNull(user);
            this.aclPassword = Objects.requireNonNull(password);
            return this;
        }

        public SentinelFixture start() {
            SentinelFixture fixture = new SentinelFixture(this);
            fixture.start();
            return fixture;
        }
    }
}
