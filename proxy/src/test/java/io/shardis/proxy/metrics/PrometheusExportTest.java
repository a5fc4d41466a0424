package io.shardis.proxy.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.shardis.proxy.command.CommandGroup;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PrometheusExportTest {

    private final ShardisMetrics metrics = ShardisMetrics.create(
            TestConfigs.pools(Map.of("alpha", List.of("127.0.0.1:6379:1 cache-1", "127.0.0.1:6380:1 cache-2"))),
            "0.1.0",
            "vm",
            Clock.systemUTC());

    private String scrape() {
        return PrometheusTextFormatWriter.create()
                .toDebugString(metrics.prometheus().scrape());
    }

    @Test
    void nutcrackerCountersBecomeLabelledFamilies() {
        PoolMetrics alpha = metrics.pool("alpha");
        alpha.server("cache-1").requestForwarded(30, CommandGroup.WRITE);
        alpha.server("cache-1").requestForwarded(20, CommandGroup.READ);
        alpha.server("cache-2").requestForwarded(20, CommandGroup.READ);
        alpha.commandReceived(CommandGroup.READ);
        alpha.redirected("MOVED");
        alpha.clientConnected();

        String text = scrape();

        assertThat(text)
                .contains(
                        "shardis_requests_total{command_group=\"write\",pool=\"alpha\",server=\"cache-1\"} 1.0",
                        "shardis_requests_total{command_group=\"read\",pool=\"alpha\",server=\"cache-2\"} 1.0",
                        "shardis_request_bytes_total{pool=\"alpha\",server=\"cache-1\"} 50.0",
                        "shardis_commands_total{command_group=\"read\",pool=\"alpha\"} 1.0",
                        "shardis_redirections_total{kind=\"moved\",pool=\"alpha\"} 1.0",
                        "shardis_client_connections{pool=\"alpha\"} 1.0",
                        "# TYPE shardis_command_duration_seconds histogram",
                        "jvm_memory_used_bytes");
        // The stats document's counter is the same Dropwizard counter.
        assertThat(metrics.snapshot().pool("alpha").server("cache-1").value(ServerStat.REQUESTS))
                .isEqualTo(2);
    }

    @Test
    void latencyIsObservedInSecondsIntoBucketsFrom50MicrosecondsToOneSecond() {
        PoolMetrics alpha = metrics.pool("alpha");
        alpha.commandAnswered(300_000, 200_000);
        alpha.backendReplied(200_000);

        String text = scrape();

        assertThat(text)
                .contains(
                        "shardis_command_duration_seconds_bucket{pool=\"alpha\",le=\"2.5E-4\"} 0",
                        "shardis_command_duration_seconds_bucket{pool=\"alpha\",le=\"5.0E-4\"} 1",
                        "shardis_added_latency_seconds_bucket{pool=\"alpha\",le=\"1.0E-4\"} 1",
                        "shardis_added_latency_seconds_bucket{pool=\"alpha\",le=\"5.0E-5\"} 0",
                        "shardis_backend_round_trip_seconds_count{pool=\"alpha\"} 1",
                        "shardis_backend_round_trip_seconds_bucket{pool=\"alpha\",le=\"1.0\"} 1");
    }

    @Test
    void aRemovedPoolLeavesEveryFamily() {
        metrics.pool("alpha").commandAnswered(1000, 500);
        metrics.removePool("alpha");

        assertThat(scrape()).doesNotContain("pool=\"alpha\"");
        assertThat(metrics.registry().getNames()).noneMatch(name -> name.startsWith("shardis.pool.alpha."));
    }
}
