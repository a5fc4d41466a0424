package io.shardis.it.support;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import redis.clients.jedis.Jedis;

/**
 * Four {@code redis-server} backends behind one Shardis pool {@value #POOL} (md5, ketama, hash
 * tag {@code {}}), plus a fifth server alone as the reference a single Redis would be. Started once
 * per test class; every server is flushed before each test.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final ShardedShardis env = ShardedShardis.withPoolKeys("allow_admin: true");
 * }</pre>
 */
public final class ShardedShardis implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback {

    public static final String POOL = "alpha";
    public static final int SERVERS = 4;

    private final String extraPoolKeys;
    private final List<RedisProcess> backends = new ArrayList<>();
    private volatile RedisProcess reference;
    private volatile ShardisFixture shardis;

    private ShardedShardis(String extraPoolKeys) {
        this.extraPoolKeys = extraPoolKeys;
    }

    /** Further pool keys, one per line, unindented. */
    public static ShardedShardis withPoolKeys(String extraPoolKeys) {
        return new ShardedShardis(extraPoolKeys);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        for (int i = 0; i < SERVERS; i++) {
            backends.add(RedisProcess.start());
        }
        reference = RedisProcess.start();
        shardis = ShardisFixture.start(config(backends, extraPoolKeys), Map.of());
    }

    /** The YAML of a 4-server pool in front of {@code servers}, named s1..s4. */
    public static String config(List<RedisProcess> servers, String extraPoolKeys) {
        StringBuilder yaml = new StringBuilder()
                .append(POOL)
                .append(":\n")
                .append("  listen: 127.0.0.1:0\n")
                .append("  redis: true\n")
                .append("  hash: md5\n")
                .append("  distribution: ketama\n")
                .append("  hash_tag: \"{}\"\n")
                .append("  timeout: 5000\n");
        for (String line : extraPoolKeys.strip().split("\n")) {
            if (!line.isBlank()) {
                yaml.append("  ").append(line.strip()).append('\n');
            }
        }
        yaml.append("  servers:\n");
        for (int i = 0; i < servers.size(); i++) {
            yaml.append("    - ")
                    .append(servers.get(i).address())
                    .append(":1 s")
                    .append(i + 1)
                    .append('\n');
        }
        return yaml.toString();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        for (RedisProcess backend : backends) {
            backend.flushAll();
        }
        reference.flushAll();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        List<AutoCloseable> all = new ArrayList<>(List.of());
        all.add(shardis);
        all.add(reference);
        all.addAll(backends);
        backends.clear();
        Closeables.closeAll(all.toArray(AutoCloseable[]::new));
    }

    public ShardisFixture shardis() {
        return shardis;
    }

    /** A new connection through Shardis; the caller closes it. */
    public Jedis jedis() {
        return shardis.jedis(POOL);
    }

    /** How many times the backends ran {@code command} (lower case, e.g. "get"), all together, from INFO commandstats. */
    public long backendCalls(String command) {
        Pattern calls = Pattern.compile("cmdstat_" + Pattern.quote(command) + ":calls=(\\d+)");
        long total = 0;
        for (RedisProcess backend : backends()) {
            try (Jedis direct = backend.client()) {
                Matcher matcher = calls.matcher(direct.info("commandstats"));
                total += matcher.find() ? Long.parseLong(matcher.group(1)) : 0;
            }
        }
        return total;
    }

    public List<RedisProcess> backends() {
        return backends;
    }

    public RedisProcess reference() {
        return reference;
    }

    /** Which backends hold {@code key}, by index; exactly one if Shardis placed it well. */
    public List<Integer> holders(String key) {
        List<Integer> holders = new ArrayList<>();
        for (int i = 0; i < backends.size(); i++) {
            try (Jedis direct = backends.get(i).client()) {
                if (direct.exists(key)) {
                    holders.add(i);
                }
            }
        }
        return holders;
    }

    /** Keys per backend. */
    public Map<Integer, Long> keyCounts() {
        Map<Integer, Long> counts = new HashMap<>();
        for (int i = 0; i < backends.size(); i++) {
            try (Jedis direct = backends.get(i).client()) {
                counts.put(i, direct.dbSize());
            }
        }
        return counts;
    }
}
