package io.shardis.proxy.metrics;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.shardis.proxy.command.CommandGroup;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Shardis' Dropwizard registry ({@link ShardisMetrics}) as Prometheus metric families, read when
 * scraped: nutcracker's counters under Prometheus names with {@code pool} and {@code server}
 * labels, plus what the stats document has no place for (command groups, redirections, slot map
 * changes, held commands, client bytes). The exposition format itself is the Prometheus client's.
 *
 * <p>Every family is listed here, with its help, in one table: {@code README.md} and the Grafana
 * dashboard name these.
 */
final class PrometheusExport implements MultiCollector {

    private final ShardisMetrics metrics;

    PrometheusExport(ShardisMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public MetricSnapshots collect() {
        StatsSnapshot stats = metrics.snapshot();
        Families f = new Families();
        f.info("shardis_build", "Shardis' version", Labels.of("version", stats.version()));
        f.counter(
                "shardis_connections_opened",
                "Connections opened since start: listeners, clients, backends",
                Labels.EMPTY,
                stats.totalConnections());
        f.gauge(
                "shardis_connections",
                "Connections open now: listeners, clients, backends",
                Labels.EMPTY,
                stats.currConnections());
        metrics.reloads()
                .forEach((outcome, count) -> f.counter(
                        "shardis_config_reloads",
                        "Configuration reloads (SIGHUP, POST /reload) by outcome: applied, unchanged, refused (a bad file),"
                                + " failed (a pool could not start)",
                        Labels.of("outcome", outcome),
                        count));
        for (PoolMetrics pool : metrics.pools()) {
            Labels p = Labels.of("pool", pool.name());
            f.gauge(
                    "shardis_client_connections",
                    "Client connections open now",
                    p,
                    pool.stat(PoolStat.CLIENT_CONNECTIONS));
            f.counter(
                    "shardis_client_closed",
                    "Client connections closed, by how: eof (FIN or QUIT) or err",
                    p.add("how", "eof"),
                    pool.stat(PoolStat.CLIENT_EOF));
            f.counter("shardis_client_closed", null, p.add("how", "err"), pool.stat(PoolStat.CLIENT_ERR));
            f.counter("shardis_client_received_bytes", "Bytes of commands read from clients", p, pool.clientBytesIn());
            f.counter("shardis_client_sent_bytes", "Bytes of replies written to clients", p, pool.clientBytesOut());
            for (CommandGroup group : CommandGroup.all()) {
                if (group != CommandGroup.PROXY) {
                    f.counter(
                            "shardis_commands",
                            "Client commands read, by group",
                            p.add("command_group", group.label()),
                            pool.commands(group));
                }
            }
            f.counter(
                    "shardis_forward_errors",
                    "Commands answered with an error because their backend failed or"
                            + " could not be reached (nutcracker's forward_error)",
                    p,
                    pool.stat(PoolStat.FORWARD_ERROR));
            f.counter(
                    "shardis_fragments", "Sub-commands of split multi-key commands", p, pool.stat(PoolStat.FRAGMENTS));
            f.counter(
                    "shardis_server_ejections",
                    "Servers taken out of the pool's distribution (auto_eject_hosts)",
                    p,
                    pool.stat(PoolStat.SERVER_EJECTS));
            for (int k = 0; k < PoolMetrics.REDIRECTION_KINDS.length; k++) {
                f.counter(
                        "shardis_redirections",
                        "Commands sent again after MOVED, ASK, TRYAGAIN, CLUSTERDOWN," + " LOADING or MASTERDOWN",
                        p.add("kind", PoolMetrics.REDIRECTION_KINDS[k]),
                        pool.redirections(k));
            }
            f.counter(
                    "shardis_slot_map_fetches",
                    "Slot map fetches of a cluster pool, periodic and on demand",
                    p,
                    pool.slotMapFetches());
            f.counter("shardis_slot_map_changes", "New slot maps a cluster pool adopted", p, pool.slotMapChanges());
            f.counter(
                    "shardis_held_commands",
                    "Commands that waited for an unreachable master's successor",
                    p,
                    pool.held());
            f.counter(
                    "shardis_held_commands_failed",
                    "Held commands whose failover_timeout passed (their client" + " got an error)",
                    p,
                    pool.heldFailed());
            f.gauge(
                    "shardis_commands_held",
                    "Commands held right now for an unreachable master's successor",
                    p,
                    pool.heldNow());
            f.gauge("shardis_tracking_clients", "Clients with CLIENT TRACKING on", p, pool.trackingClients());
            f.gauge(
                    "shardis_tracking_keys",
                    "Keys remembered for tracking clients (default mode), over every event loop",
                    p,
                    pool.trackingKeys());
            f.gauge(
                    "shardis_tracking_connections",
                    "Connections to the servers that hear their writes for tracking clients",
                    p,
                    pool.trackingConnections());
            f.counter(
                    "shardis_invalidations",
                    "Invalidation messages sent to tracking clients (or their redirection targets)",
                    p,
                    pool.invalidations());
            f.counter(
                    "shardis_tracking_flushes",
                    "Times every tracking client of an event loop was told to forget everything"
                            + " (a tracking connection lost, back or refused)",
                    p,
                    pool.trackingFlushes());
            PoolState state = pool.state();
            for (ServerMetrics server : pool.listedServers()) {
                StatsSnapshot.Server s = server.snapshot();
                Labels ps = p.add("server", server.name());
                String now = state.serverState(server.name());
                if (now != null) {
                    for (String possible : PoolState.SERVER_STATES) {
                        f.gauge(
                                "shardis_server_state",
                                "1 for the server's state now: in_ring, ejected (after failures)"
                                        + " or maintenance (POST .../eject)",
                                ps.add("state", possible),
                                possible.equals(now) ? 1 : 0);
                    }
                }
                if (state.sentinels() > 0) {
                    int agreeing = state.sentinelsAgreeing(server.name());
                    f.gauge(
                            "shardis_sentinels_agreeing",
                            "Sentinels whose last answer names the master address in use",
                            ps,
                            agreeing);
                    f.gauge(
                            "shardis_sentinel_disagreement",
                            "Sentinels whose last answer names another address, none,"
                                    + " or that did not answer lately",
                            ps,
                            state.sentinels() - agreeing);
                }
                for (CommandGroup group : CommandGroup.all()) {
                    f.counter(
                            "shardis_requests",
                            "Requests forwarded to a backend, by the group of the client"
                                    + " command they carry (proxy: Shardis' own)",
                            ps.add("command_group", group.label()),
                            server.requests(group));
                }
                f.counter(
                        "shardis_request_bytes",
                        "Bytes of requests forwarded to a backend",
                        ps,
                        s.value(ServerStat.REQUEST_BYTES));
                f.counter("shardis_responses", "Replies read from a backend", ps, s.value(ServerStat.RESPONSES));
                f.counter(
                        "shardis_response_bytes",
                        "Bytes of replies read from a backend",
                        ps,
                        s.value(ServerStat.RESPONSE_BYTES));
                f.gauge(
                        "shardis_server_connections",
                        "Backend connections open now",
                        ps,
                        s.value(ServerStat.SERVER_CONNECTIONS));
                f.counter(
                        "shardis_server_closed",
                        "Backend connections ended, by how: eof (the server closed it)"
                                + " or err (refused, reset, unreadable)",
                        ps.add("how", "eof"),
                        s.value(ServerStat.SERVER_EOF));
                f.counter("shardis_server_closed", null, ps.add("how", "err"), s.value(ServerStat.SERVER_ERR));
                f.counter(
                        "shardis_server_timeouts",
                        "Requests that passed the pool's timeout",
                        ps,
                        s.value(ServerStat.SERVER_TIMEDOUT));
                f.gauge(
                        "shardis_server_ejected_at_seconds",
                        "When the server was last ejected (0: never)",
                        ps,
                        s.value(ServerStat.SERVER_EJECTED_AT) / 1e6);
                f.gauge(
                        "shardis_in_queue",
                        "Requests waiting for their backend connection to open",
                        ps,
                        s.value(ServerStat.IN_QUEUE));
                f.gauge(
                        "shardis_in_queue_bytes",
                        "Bytes of requests waiting for their connection to open",
                        ps,
                        s.value(ServerStat.IN_QUEUE_BYTES));
                f.gauge(
                        "shardis_out_queue",
                        "Requests sent and awaiting their reply",
                        ps,
                        s.value(ServerStat.OUT_QUEUE));
                f.gauge(
                        "shardis_out_queue_bytes",
                        "Bytes of requests sent and awaiting their reply",
                        ps,
                        s.value(ServerStat.OUT_QUEUE_BYTES));
                f.counter(
                        "shardis_failovers",
                        "Times Sentinel named another master for this server",
                        ps,
                        server.failovers());
            }
        }
        return f.build();
    }

    /** Data points gathered by family name, in first-seen order. */
    private static final class Families {
        private final Map<String, Family> families = new LinkedHashMap<>();

        private Family family(String name, String help, char kind) {
            return families.computeIfAbsent(name, n -> new Family(n, help, kind));
        }

        void counter(String name, String help, Labels labels, double value) {
            family(name, help, 'c')
                    .counter
                    .add(CounterDataPointSnapshot.builder()
                            .labels(labels)
                            .value(value)
                            .build());
        }

        void gauge(String name, String help, Labels labels, double value) {
            family(name, help, 'g')
                    .gauge
                    .add(GaugeDataPointSnapshot.builder()
                            .labels(labels)
                            .value(value)
                            .build());
        }

        void info(String name, String help, Labels labels) {
            family(name, help, 'i').info = InfoSnapshot.builder()
                    .name(name)
                    .help(help)
                    .dataPoint(InfoSnapshot.InfoDataPointSnapshot.builder()
                            .labels(labels)
                            .build())
                    .build();
        }

        MetricSnapshots build() {
            List<MetricSnapshot> built = new ArrayList<>(families.size());
            for (Family family : families.values()) {
                built.add(family.build());
            }
            return new MetricSnapshots(built);
        }
    }

    private static final class Family {
        final String name;
        final String help;
        final char kind;
        final List<CounterDataPointSnapshot> counter = new ArrayList<>();
        final List<GaugeDataPointSnapshot> gauge = new ArrayList<>();
        InfoSnapshot info;

        Family(String name, String help, char kind) {
            this.name = name;
            this.help = help;
            this.kind = kind;
        }

        MetricSnapshot build() {
            switch (kind) {
                case 'c' -> {
                    CounterSnapshot.Builder b =
                            CounterSnapshot.builder().name(name).help(help);
                    counter.forEach(b::dataPoint);
                    return b.build();
                }
                case 'g' -> {
                    GaugeSnapshot.Builder b = GaugeSnapshot.builder().name(name).help(help);
                    gauge.forEach(b::dataPoint);
                    return b.build();
                }
                default -> {
                    return info;
                }
            }
        }
    }
}
