package io.shardis.proxy.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RedirectionTest {

    private static ClusterRedirects.Redirection parse(String reply) {
        ByteBuf buf = Unpooled.copiedBuffer(reply, StandardCharsets.US_ASCII);
        try {
            ClusterRedirects.Redirection parsed = ClusterRedirects.Redirection.parse(buf);
            assertThat(buf.readerIndex()).as("indexes untouched").isZero();
            return parsed;
        } finally {
            buf.release();
        }
    }

    @Test
    void readsMovedAndAskWithTheirTarget() {
        assertThat(parse("-MOVED 3999 127.0.0.1:6381\r\n"))
                .isEqualTo(new ClusterRedirects.Redirection(
                        ClusterRedirects.Redirection.Kind.MOVED, 3999, "127.0.0.1", 6381));
        assertThat(parse("-ASK 12 10.0.0.2:7001\r\n"))
                .isEqualTo(
                        new ClusterRedirects.Redirection(ClusterRedirects.Redirection.Kind.ASK, 12, "10.0.0.2", 7001));
        assertThat(parse("-MOVED 5 [::1]:7000\r\n").host()).isEqualTo("::1");
    }

    @Test
    void readsTheRepliesOfANodeThatCannotServeNow() {
        assertThat(parse("-LOADING Redis is loading the dataset in memory\r\n").kind())
                .isEqualTo(ClusterRedirects.Redirection.Kind.LOADING);
        assertThat(parse("-MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.\r\n")
                        .kind())
                .isEqualTo(ClusterRedirects.Redirection.Kind.MASTERDOWN);
        assertThat(parse("-LOADINGX\r\n").kind())
                .as("a prefix, as Redis' own clients read it")
                .isEqualTo(ClusterRedirects.Redirection.Kind.LOADING);
        assertThat(parse("-ERR LOADING\r\n")).isNull();
    }

    @Test
    void anEmptyHostMeansTheNodeThatAnswered() {
        // Redis 7 says "MOVED 3999 :6380" when it does not know its own preferred endpoint.
        ClusterRedirects.Redirection moved = parse("-MOVED 3999 :6380\r\n");
        assertThat(moved.host()).isEmpty();
        assertThat(moved.port()).isEqualTo(6380);
    }

    @Test
    void readsTransientRefusals() {
        assertThat(parse("-TRYAGAIN Multiple keys request during rehashing of slot\r\n")
                        .kind())
                .isEqualTo(ClusterRedirects.Redirection.Kind.TRYAGAIN);
        assertThat(parse("-CLUSTERDOWN The cluster is down\r\n").kind())
                .isEqualTo(ClusterRedirects.Redirection.Kind.CLUSTERDOWN);
    }

    @Test
    void otherRepliesAreNotRedirections() {
        assertThat(parse("-ERR unknown command\r\n")).isNull();
        assertThat(parse("-CROSSSLOT Keys in request don't hash to the same slot\r\n"))
                .isNull();
        assertThat(parse("-MOVED garbage\r\n")).isNull();
        assertThat(parse("-MOVED x 127.0.0.1:1\r\n")).isNull();
        assertThat(parse("+MOVED 1 127.0.0.1:1\r\n")).isNull();
        assertThat(parse("$5\r\nMOVED\r\n")).isNull();
    }
}
