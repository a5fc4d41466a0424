package io.shardis.sentinel;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class HostPortTest {

    @Test
    void anIpLiteralIsResolvedWithoutALookupAndEqualsTheUsualAddress() {
        InetSocketAddress address = HostPort.of("127.0.0.1", 7000);
        assertThat(address.isUnresolved()).isFalse();
        assertThat(address).isEqualTo(new InetSocketAddress("127.0.0.1", 7000));
        assertThat(HostPort.format(address)).isEqualTo("127.0.0.1:7000");
    }

    @Test
    void anIpv6LiteralIsResolvedToo() {
        InetSocketAddress address = HostPort.of("::1", 7000);
        assertThat(address.isUnresolved()).isFalse();
        assertThat(address.getAddress().isLoopbackAddress()).isTrue();
    }

    @Test
    void aHostNameIsLeftForTheConnectorToResolve() {
        InetSocketAddress address = HostPort.of("redis-1.example.internal", 6379);
        assertThat(address.isUnresolved()).isTrue();
        assertThat(HostPort.format(address)).isEqualTo("redis-1.example.internal:6379");
    }
}
