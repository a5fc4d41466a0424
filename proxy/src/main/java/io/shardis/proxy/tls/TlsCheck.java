package io.shardis.proxy.tls;

import io.shardis.proxy.config.PoolConfig;
import io.shardis.proxy.config.ShardisConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code -t} checks beyond the file's syntax: that every {@code tls} and {@code backend_tls}
 * block's files make a context (a certificate that matches its key, a CA that parses, an engine
 * that loads), as the start would, without starting anything.
 */
public final class TlsCheck {

    private TlsCheck() {}

    /** One line per block that cannot make a context, naming the file, pool and key; empty when all can. */
    public static List<String> problems(ShardisConfig config) {
        List<String> problems = new ArrayList<>();
        for (PoolConfig pool : config.pools()) {
            try {
                if (pool.tls().listener() != null) {
                    ServerTls.load(pool.name(), pool.tls().listener());
                }
                BackendTls.load(pool.name(), pool.tls().backend());
                if (pool.tls().sentinel() != null) {
                    TlsContexts.client(pool.tls().sentinel());
                }
            } catch (IllegalStateException e) {
                problems.add(config.source() + ": " + e.getMessage());
            } catch (TlsSetupException e) {
                problems.add(config.source() + ": pool '" + pool.name() + "': key 'sentinel_tls." + e.key() + "': "
                        + e.getMessage());
            }
        }
        return problems;
    }
}
