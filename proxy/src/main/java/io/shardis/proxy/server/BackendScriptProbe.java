package io.shardis.proxy.server;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.protocol.ProtocolVersion;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.shardis.proxy.command.CommandFlag;
import io.shardis.proxy.command.CommandSpec;
import io.shardis.proxy.command.CommandTable;
import io.shardis.proxy.config.HostPort;
import io.shardis.proxy.config.PoolConfig;
import io.shardis.proxy.config.ServerConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The admin gate's back door: a pool without {@code allow_admin} refuses FLUSHALL, but
 * {@code EVAL "return redis.call('flushall')" 0} runs inside Redis, where only Redis' own ACL
 * binds it. This asks each backend, as the user Shardis connects as ({@code redis_user} /
 * {@code redis_auth}), whether a script could run the commands the pool refuses: Redis 7's
 * {@code redis.acl_check_cmd} answers for that very user without running anything and without
 * needing admin rights (which {@code ACL DRYRUN} and {@code ACL GETUSER} would). Blocking: call it
 * off the event loops.
 */
public final class BackendScriptProbe {

    /** Asks {@code redis.acl_check_cmd} about each command in ARGV ({@code "memory|purge"} as two words). */
    static final String SCRIPT = """
            if redis.acl_check_cmd == nil then
              return redis.error_reply('ERR redis.acl_check_cmd needs Redis 7.0 or later')
            end
            local open = {}
            for i = 1, #ARGV do
              local parts = {}
              for part in string.gmatch(ARGV[i], '[^|]+') do parts[#parts + 1] = part end
              local ok, allowed = pcall(redis.acl_check_cmd, unpack(parts))
              if ok and allowed then open[#open + 1] = ARGV[i] end
            end
            return open
            """;

    /** What one backend said. */
    public record Finding(String server, Outcome outcome, List<String> open, String reason) {}

    public enum Outcome {
        /** The backend user can run none of the commands the pool refuses, from a script. */
        CLOSED,
        /** A script run by the backend user can run {@link Finding#open}. */
        OPEN,
        /** The backend could not be asked (unreachable, older than Redis 7.0, EVAL refused...). */
        UNKNOWN
    }

    private BackendScriptProbe() {}

    /**
     * The commands a pool without allow_admin refuses that Redis lets a script run (not
     * {@code noscript}); those that write (FLUSHALL, FLUSHDB) first, as the warning names the first few.
     */
    static List<String> gatedCommands(CommandTable table) {
        List<String> writes = new ArrayList<>();
        List<String> others = new ArrayList<>();
        for (CommandSpec spec : table.all()) {
            if (spec.has(CommandFlag.DANGEROUS) && !spec.has(CommandFlag.NOSCRIPT)) {
                (spec.has(CommandFlag.WRITE) ? writes : others).add(spec.name());
            }
        }
        writes.addAll(others);
        return writes;
    }

    /** Asks every backend of {@code pool} (its servers, or its cluster's seeds); empty when the pool allows admin commands. */
    public static List<Finding> probe(PoolConfig pool, CommandTable table, Duration timeout) {
        if (pool.allowAdmin()) {
            return List.of();
        }
        List<HostPort> backends = new ArrayList<>();
        if (pool.isCluster()) {
            backends.addAll(pool.cluster().seeds());
        } else {
            for (ServerConfig server : pool.sharding().servers()) {
                backends.add(server.address());
            }
        }
        String[] gated = gatedCommands(table).toArray(new String[0]);
        List<Finding> findings = new ArrayList<>();
        ClientResources resources = DefaultClientResources.builder()
                .ioThreadPoolSize(1)
                .computationThreadPoolSize(2)
                .build();
        RedisClient client = RedisClient.create(resources);
        client.setOptions(ClientOptions.builder()
                .protocolVersion(ProtocolVersion.RESP2)
                .autoReconnect(false)
                .socketOptions(SocketOptions.builder().connectTimeout(timeout).build())
                .timeoutOptions(TimeoutOptions.enabled(timeout))
                .build());
        try {
            for (HostPort backend : backends) {
                findings.add(ask(client, pool, backend, gated, timeout));
            }
        } finally {
            client.shutdown(0, 2, TimeUnit.SECONDS);
            resources.shutdown(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        return findings;
    }

    private static Finding ask(
            RedisClient client, PoolConfig pool, HostPort backend, String[] gated, Duration timeout) {
        RedisURI.Builder uri = backend.isUnix()
                ? RedisURI.Builder.socket(backend.host())
                : RedisURI.Builder.redis(backend.host(), backend.port());
        uri.withTimeout(timeout);
        if (pool.auth().redisAuth() != null) {
            if (pool.auth().redisUser() != null) {
                uri.withAuthentication(
                        pool.auth().redisUser(), pool.auth().redisAuth().toCharArray());
            } else {
                uri.withPassword(pool.auth().redisAuth().toCharArray());
            }
        }
        try (StatefulRedisConnection<String, String> connection = client.connect(uri.build())) {
            List<String> open = connection.sync().eval(SCRIPT, ScriptOutputType.MULTI, new String[0], gated);
            return new Finding(
                    backend.toString(), open.isEmpty() ? Outcome.CLOSED : Outcome.OPEN, List.copyOf(open), null);
        } catch (RuntimeException e) {
            String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            return new Finding(backend.toString(), Outcome.UNKNOWN, List.of(), reason);
        }
    }

    /** The sentence for a finding worth a warning, or null for {@link Outcome#CLOSED}. */
    public static String warning(PoolConfig pool, Finding finding) {
        String user = pool.auth().redisUser() != null ? "user '" + pool.auth().redisUser() + "'" : "the default user";
        return switch (finding.outcome()) {
            case CLOSED -> null;
            case OPEN ->
                "pool '" + pool.name() + "' refuses admin commands (allow_admin: false), but on "
                        + finding.server() + " its backend " + user + " can run them from a script ("
                        + String.join(
                                ", ",
                                finding.open()
                                        .subList(0, Math.min(6, finding.open().size())))
                        + (finding.open().size() > 6 ? ", ..." : "") + "): EVAL \"return redis.call('flushall')\" 0"
                        + " gets through. Give Shardis a backend ACL user without them (redis_user; see"
                        + " conf/backend-acl.conf)";
            case UNKNOWN ->
                "pool '" + pool.name() + "': could not check whether scripts on " + finding.server()
                        + " can run the admin commands the pool refuses (" + finding.reason() + ")";
        };
    }
}
