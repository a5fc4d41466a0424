package io.shardis.proxy.metrics;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The latency histograms of every pool, as Prometheus classic histograms (no exemplars):
 * <ul>
 *   <li>{@code shardis_command_duration_seconds{pool}}: from the moment Shardis read a command to
 *       the moment its reply was ready for the client (queued behind earlier replies or written);</li>
 *   <li>{@code shardis_added_latency_seconds{pool}}: the same minus the backend's round trip (the
 *       longest of its parts' for a split command): routing, connecting, holding for a failover,
 *       following redirections, merging;</li>
 *   <li>{@code shardis_backend_round_trip_seconds{pool}}: from writing a request to a backend to
 *       reading its reply, one per backend reply (a split command counts one per part).</li>
 * </ul>
 *
 * <p>Observed three times per command, so kept per event loop in {@link LoopCounters} (a bucket
 * search and two plain adds each, in nanoseconds) and turned into histogram snapshots when
 * scraped. The Prometheus client's own histograms cost a shared atomic counter and several striped
 * adds per observation, which the event loops of a busy proxy contend on.
 */
public final class LatencyHistograms implements MultiCollector {

    /** 50 µs to 1 s, about three buckets a decade. */
    static final double[] BUCKETS = {
        0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0
    };

    private static final long[] BOUNDS_NANOS = new long[BUCKETS.length];
    /** The buckets' upper bounds with +Inf, as the snapshot wants them. */
    private static final double[] UPPER_BOUNDS = new double[BUCKETS.length + 1];

    static {
        for (int b = 0; b < BUCKETS.length; b++) {
            BOUNDS_NANOS[b] = Math.round(BUCKETS[b] * 1e9);
            UPPER_BOUNDS[b] = BUCKETS[b];
        }
        UPPER_BOUNDS[BUCKETS.length] = Double.POSITIVE_INFINITY;
    }

    /** Per histogram: a count per bucket (+Inf last), then the sum of the observations in nanoseconds. */
    private static final int SLOTS = BUCKETS.length + 2;

    private static final int SUM = SLOTS - 1;
    private static final int DURATION = 0;
    private static final int ADDED = 1;
    private static final int BACKEND = 2;

    private static final MetricMetadata[] FAMILIES = {
        new MetricMetadata(
                "shardis_command_duration_seconds",
                "Time from reading a client command to its reply being ready for the client",
                Unit.SECONDS),
        new MetricMetadata(
                "shardis_added_latency_seconds",
                "Latency Shardis added to a client command: its duration minus the backend round trip",
                Unit.SECONDS),
        new MetricMetadata(
                "shardis_backend_round_trip_seconds",
                "Time from writing a request to a backend to reading its reply",
                Unit.SECONDS),
    };

    private final Map<String, Pool> pools = new LinkedHashMap<>();

    LatencyHistograms(PrometheusRegistry registry) {
        registry.register(this);
    }

    /** The histograms of one pool, to record into from the event loops. */
    static final class Pool {
        private final LoopCounters counters = new LoopCounters(FAMILIES.length * SLOTS);
        private final long createdMillis = System.currentTimeMillis();

        /** A command was answered {@code totalNanos} after it was read, {@code backendNanos} of which its backend took. */
        void commandAnswered(long totalNanos, long backendNanos) {
            long[] mine = counters.mine();
            observe(mine, DURATION, totalNanos);
            observe(mine, ADDED, totalNanos - backendNanos);
        }

        void backendReplied(long roundTripNanos) {
            observe(counters.mine(), BACKEND, roundTripNanos);
        }

        private static void observe(long[] mine, int histogram, long nanos) {
            long value = Math.max(0, nanos);
            int bucket = 0;
            while (bucket < BOUNDS_NANOS.length && value > BOUNDS_NANOS[bucket]) {
                bucket++;
            }
            int base = histogram * SLOTS;
            LoopCounters.add(mine, base + bucket, 1);
            LoopCounters.add(mine, base + SUM, value);
        }

        private HistogramDataPointSnapshot snapshot(int histogram, Labels labels) {
            long[] slots = new long[SLOTS];
            counters.sum(histogram * SLOTS, slots);
            long[] buckets = java.util.Arrays.copyOf(slots, UPPER_BOUNDS.length);
            return HistogramDataPointSnapshot.builder()
                    .classicHistogramBuckets(ClassicHistogramBuckets.of(UPPER_BOUNDS, buckets))
                    .sum(slots[SUM] / 1e9)
                    .labels(labels)
                    .createdTimestampMillis(createdMillis)
                    .build();
        }
    }

    synchronized Pool forPool(String pool) {
        return pools.computeIfAbsent(pool, p -> new Pool());
    }

    /** A pool removed by a reload leaves the histograms. */
    synchronized void remove(String pool) {
        pools.remove(pool);
    }

    @Override
    public MetricSnapshots collect() {
        Map<String, Pool> now;
        synchronized (this) {
            now = new LinkedHashMap<>(pools);
        }
        List<MetricSnapshot> families = new ArrayList<>(FAMILIES.length);
        for (int h = 0; h < FAMILIES.length; h++) {
            List<HistogramDataPointSnapshot> points = new ArrayList<>(now.size());
            for (Map.Entry<String, Pool> pool : now.entrySet()) {
                points.add(pool.getValue().snapshot(h, Labels.of("pool", pool.getKey())));
            }
            families.add(new HistogramSnapshot(FAMILIES[h], points));
        }
        return new MetricSnapshots(families);
    }

    @Override
    @SuppressWarnings("deprecation") // still how the registry checks names for clashes on register
    public List<String> getPrometheusNames() {
        List<String> names = new ArrayList<>(FAMILIES.length);
        for (MetricMetadata family : FAMILIES) {
            names.add(family.getPrometheusName());
        }
        return names;
    }
}
