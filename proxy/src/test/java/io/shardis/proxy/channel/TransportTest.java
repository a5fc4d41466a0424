package io.shardis.proxy.channel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringSocketChannel;
import io.shardis.proxy.config.HostPort;
import org.junit.jupiter.api.Test;

class TransportTest {

    @Test
    void nioIsAlwaysThere() {
        Transport nio = Transport.choose("nio");
        assertThat(nio.name()).isEqualTo("nio");
        assertThat(nio.channelClass(new HostPort("127.0.0.1", 1))).isEqualTo(NioSocketChannel.class);
        assertThat(nio.fallback()).isNull();
    }

    @Test
    void autoPrefersIoUringThenEpollThenNioAndSaysWhatItPassedOver() {
        Transport auto = Transport.choose("auto");
        if (IoUring.isAvailable()) {
            assertThat(auto.name()).isEqualTo("io_uring");
            assertThat(auto.socketChannelClass()).isEqualTo(IoUringSocketChannel.class);
            assertThat(auto.fallback()).isNull();
        } else if (Epoll.isAvailable()) {
            assertThat(auto.name()).isEqualTo("epoll");
            assertThat(auto.fallback()).startsWith("io_uring: ");
        } else {
            assertThat(auto.name()).isEqualTo("nio");
            assertThat(auto.fallback()).contains("io_uring: ").contains("epoll: ");
        }
    }

    @Test
    void epollAskedForIsEpollWhereItWorksAndNeverIoUring() {
        Transport epoll = Transport.choose("epoll");
        if (Epoll.isAvailable()) {
            assertThat(epoll.name()).isEqualTo("epoll");
            assertThat(epoll.socketChannelClass()).isEqualTo(EpollSocketChannel.class);
            assertThat(epoll.fallback()).isNull();
        } else {
            assertThat(epoll.name()).isEqualTo("nio");
            assertThat(epoll.fallback()).startsWith("epoll: ");
        }
    }

    @Test
    void anUnknownNameIsRefused() {
        assertThatThrownBy(() -> Transport.choose("kqueue"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown transport 'kqueue': expected one of [auto, io_uring, epoll, nio]");
    }
}
