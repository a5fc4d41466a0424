package io.shardis.proxy.http;

import io.shardis.proxy.server.PoolStatus;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * {@code /ready}: every pool can reach a backend for every key (see {@link PoolStatus}), and
 * Shardis is not draining. The backends are probed when asked (at most every
 * {@link #REUSE_MILLIS}, however often load balancers ask), so the answer is at most that old
 * plus a probe's timeout: it flips within a second of a change.
 */
public final class ReadinessCheck implements AutoCloseable {

    /** A result younger than this is served again rather than probing anew. */
    static final long REUSE_MILLIS = 200;

    private final Supplier<Map<String, PoolStatus.Needs>> pools;
    private final BooleanSupplier draining;
    private final BackendProbe probe = new BackendProbe();
    private Readiness last;
    private long lastAtNanos;

    /**
     * @param pools    what each running pool needs, by pool name
     * @param draining whether Shardis is stopping
     */
    public ReadinessCheck(Supplier<Map<String, PoolStatus.Needs>> pools, BooleanSupplier draining) {
        this.pools = pools;
        this.draining = draining;
    }

    /** Probes (or reuses a fresh result) and says whether Shardis is ready. */
    public synchronized Readiness check() {
        if (draining.getAsBoolean()) {
            return new Readiness(true, List.of("shardis is stopping: draining its clients"), Map.of());
        }
        long now = System.nanoTime();
        if (last != null && now - lastAtNanos < REUSE_MILLIS * 1_000_000) {
            return last;
        }
        Map<String, PoolStatus.Needs> needs = pools.get();
        List<SocketAddress> addresses = new ArrayList<>();
        needs.values().forEach(n -> n.targets().forEach(t -> addresses.add(t.address())));
        Map<SocketAddress, String> answers = probe.probe(addresses);
        List<String> reasons = new ArrayList<>();
        Map<String, Boolean> ready = new LinkedHashMap<>();
        needs.forEach((pool, need) -> {
            int before = reasons.size();
            for (String problem : need.problems()) {
                reasons.add("pool '" + pool + "': " + problem);
            }
            for (PoolStatus.Target target : need.targets()) {
                String why = answers.get(target.address());
                if (why != null) {
                    String where = describe(target.address());
                    reasons.add("pool '" + pool + "': server " + target.label()
                            + (target.label().equals(where) ? "" : " (" + where + ")") + " " + why);
                }
            }
            ready.put(pool, reasons.size() == before);
        });
        last = new Readiness(false, reasons, ready);
        lastAtNanos = System.nanoTime();
        return last;
    }

    private static String describe(SocketAddress address) {
        return address instanceof java.net.InetSocketAddress inet
                ? inet.getHostString() + ":" + inet.getPort()
                : address.toString();
    }

    @Override
    public void close() {
        probe.close();
    }
}
