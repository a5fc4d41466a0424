package io.shardis.proxy.metrics;

import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;

/**
 * The latency histograms of every pool, kept by the Prometheus client (classic buckets, no
 * exemplars, so an observation is a bucket search and three striped adds, with no allocation):
 * <ul>
 *   <li>{@code shardis_command_duration_seconds{pool}}: from the moment Shardis read a command to
 *       the moment its reply was ready for the client (queued behind earlier replies or written);</li>
 *   <li>{@code shardis_added_latency_seconds{pool}}: the same minus the backend's round trip (the
 *       longest of its parts' for a split command): routing, connecting, holding for a failover,
 *       following redirections, merging;</li>
 *   <li>{@code shardis_backend_round_trip_seconds{pool}}: from writing a request to a backend to
 *       reading its reply, one per backend reply (a split command counts one per part).</li>
 * </ul>
 */
public final class LatencyHistograms {

    /** 50 µs to 1 s, about three buckets a decade. */
    static final double[] BUCKETS = {
        0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0};

    private final Histogram duration;
    private final Histogram added;
    private final Histogram backend;

    LatencyHistograms(PrometheusRegistry registry) {
        this.duration = histogram("shardis_command_duration_seconds",
                "Time from reading a client command to its reply being ready for the client", registry);
        this.added = histogram("shardis_added_latency_seconds",
                "Latency Shardis added to a client command: its duration minus the backend round trip", registry);
        this.backend = histogram("shardis_backend_round_trip_seconds",
                "Time from writing a request to a backend to reading its reply", registry);
    }

    private static Histogram histogram(String name, String help, PrometheusRegistry registry) {
        return Histogram.builder()
                .name(name)
                .help(help)
                .unit(Unit.SECONDS)
                .labelNames("pool")
                .classicOnly()
                .classicUpperBounds(BUCKETS)
                .withoutExemplars()
                .register(registry);
    }

    /** The data points of one pool, to record into from the event loops. */
    record Pool(DistributionDataPoint duration, DistributionDataPoint added, DistributionDataPoint backend) {
    }

    Pool forPool(String pool) {
        return new Pool(duration.labelValues(pool), added.labelValues(pool), backend.labelValues(pool));
    }

    /** A pool removed by a reload leaves the histograms. */
    void remove(String pool) {
        duration.remove(pool);
        added.remove(pool);
        backend.remove(pool);
    }
}
