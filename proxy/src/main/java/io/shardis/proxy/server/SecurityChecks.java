package io.shardis.proxy.server;

import io.shardis.proxy.auth.AclUser;
import io.shardis.proxy.auth.PoolAccess;
import io.shardis.proxy.command.AclCategory;
import io.shardis.proxy.command.CommandFlag;
import io.shardis.proxy.command.CommandSpec;
import io.shardis.proxy.command.CommandTable;
import io.shardis.proxy.config.HostPort;
import io.shardis.proxy.config.PoolConfig;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a demanding operator wants to hear about a pool's configuration before it takes clients:
 * {@code -t} prints these warnings and the start-up log repeats them. Pure: reads the
 * configuration only (the backends' own ACLs are {@link BackendScriptProbe}'s part).
 */
public final class SecurityChecks {

    private SecurityChecks() {}

    /** The warnings for {@code pool}, each a sentence naming the pool; empty when there is nothing to say. */
    public static List<String> warnings(PoolConfig pool, CommandTable table) {
        List<String> warnings = new ArrayList<>();
        PoolAccess access = PoolAccess.of(
                pool.name(), pool.auth().redisAuth(), pool.auth().users(), table, PoolAccess.AuthEvents.NONE);
        if (!access.requiresAuthentication() && !isLoopback(pool.listen().address())) {
            warnings.add(
                    "pool '" + pool.name() + "' listens on " + pool.listen().address() + ", beyond loopback, without"
                            + " authentication: whoever reaches the port runs every command the pool forwards"
                            + " (set redis_auth or users, or listen on 127.0.0.1 or a Unix socket)");
        }
        List<CommandSpec> scripting = table.all().stream()
                // Those that run a script on keys they declare: EVAL, EVALSHA, FCALL and their _RO forms.
                .filter(spec -> spec.in(AclCategory.SCRIPTING) && spec.has(CommandFlag.MOVABLE_KEYS))
                .toList();
        for (AclUser user : access.users().values()) {
            if (!user.enabled() || !user.limitedKeys()) {
                continue;
            }
            List<String> scripts = scripting.stream()
                    .filter(user::allows)
                    .map(CommandSpec::name)
                    .toList();
            if (!scripts.isEmpty()) {
                warnings.add("pool '" + pool.name() + "': user '" + user.name() + "' has key patterns but may run "
                        + String.join(", ", scripts).toUpperCase(Locale.ROOT) + ": Shardis checks the keys a script"
                        + " declares, but the script itself can reach any key (allow @scripting only to users"
                        + " trusted with every key)");
            }
        }
        return warnings;
    }

    /** Whether clients can only reach the listener from this machine: a loopback address or a Unix socket. */
    static boolean isLoopback(HostPort listen) {
        if (listen.isUnix()) {
            return true;
        }
        String host = listen.host();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (host.equalsIgnoreCase("localhost")) {
            return true;
        }
        try {
            InetAddress address = InetAddress.getByName(host);
            return address.isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
