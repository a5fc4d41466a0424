package io.shardis.topology.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClusterSourceSettingsTest {

    @Test
    void parsesSeedAddresses() {
        assertThat(NodeAddress.parse("10.0.0.1:7000")).isEqualTo(new NodeAddress("10.0.0.1", 7000));
        assertThat(NodeAddress.parse(" redis-1.example:6379 ")).isEqualTo(new NodeAddress("redis-1.example", 6379));
        assertThat(NodeAddress.parse("[::1]:7000")).isEqualTo(new NodeAddress("::1", 7000));
        assertThat(new NodeAddress("::1", 7000)).hasToString("[::1]:7000");
    }

    @Test
    void refusesAddressesWithoutAUsablePort() {
        for (String bad : List.of("10.0.0.1", "10.0.0.1:", ":7000", "10.0.0.1:x", "10.0.0.1:0", "10.0.0.1:70000", "::1:7000")) {
            assertThatThrownBy(() -> NodeAddress.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void needsASeedAndPositiveTimeoutsAndNeverPrintsThePassword() {
        List<NodeAddress> seeds = List.of(NodeAddress.parse("10.0.0.1:7000"));
        ClusterSourceSettings settings = ClusterSourceSettings.of(seeds).withCredentials("proxy", "s3cret");
        assertThat(settings.toString()).contains("user=proxy", "password=***").doesNotContain("s3cret");
        assertThat(settings.command()).isEqualTo(ClusterSourceSettings.TopologyCommand.SHARDS);
        assertThatThrownBy(() -> ClusterSourceSettings.of(List.of())).hasMessageContaining("seed");
        assertThatThrownBy(() -> ClusterSourceSettings.of(seeds).withTimeouts(Duration.ZERO, Duration.ofSeconds(1)))
                .hasMessageContaining("connectTimeout");
        assertThatThrownBy(() -> ClusterSourceSettings.of(seeds).withCredentials("proxy", null))
                .hasMessageContaining("password");
    }
}
