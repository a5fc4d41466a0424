package io.shardis.topology.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClusterSourceSettingsTest {

    @Test
    void writesIpv6HostsInBrackets() {
        assertThat(new NodeAddress("::1", 7000)).hasToString("[::1]:7000");
        assertThat(new NodeAddress("10.0.0.1", 7000)).hasToString("10.0.0.1:7000");
    }

    @Test
    void refusesAddressesWithoutAHostOrAUsablePort() {
        assertThatThrownBy(() -> new NodeAddress("", 7000)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new NodeAddress("10.0.0.1", 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new NodeAddress("10.0.0.1", 70000)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void needsASeedAndPositiveTimeoutsAndNeverPrintsThePassword() {
        List<NodeAddress> seeds = List.of(new NodeAddress("10.0.0.1", 7000));
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
