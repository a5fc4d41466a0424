package io.shardis.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class HostPortTest {

    @Test
    void readsHostNamesIpsAndBracketedIpv6() {
        assertThat(HostPort.parse("10.0.0.1:7000")).isEqualTo(new HostPort("10.0.0.1", 7000));
        assertThat(HostPort.parse("redis-1.example:6379")).isEqualTo(new HostPort("redis-1.example", 6379));
        assertThat(HostPort.parse("[::1]:7000")).isEqualTo(new HostPort("::1", 7000));
        assertThat(new HostPort("::1", 7000)).hasToString("[::1]:7000");
        assertThat(HostPort.unix("/tmp/redis.sock")).hasToString("/tmp/redis.sock");
    }

    @Test
    void refusesTextWithoutAHostOrAUsablePort() {
        for (String bad : List.of(
                "10.0.0.1", "10.0.0.1:", ":7000", "10.0.0.1:x", "10.0.0.1:70000", "10.0.0.1:-1", "/tmp/redis.sock:1")) {
            assertThat(HostPort.parse(bad)).as(bad).isNull();
        }
    }

    @Test
    void aRedirectMayNameThePortAlone() {
        assertThat(HostPort.parseWithOptionalHost(":6380")).isEqualTo(new HostPort("", 6380));
        assertThat(HostPort.parseWithOptionalHost("10.0.0.1:7001")).isEqualTo(new HostPort("10.0.0.1", 7001));
        assertThat(HostPort.parseWithOptionalHost("6380")).isNull();
    }
}
