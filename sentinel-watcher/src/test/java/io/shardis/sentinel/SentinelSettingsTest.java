package io.shardis.sentinel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class SentinelSettingsTest {

    private static final InetSocketAddress A = new InetSocketAddress("127.0.0.1", 26379);
    private static final InetSocketAddress B = new InetSocketAddress("127.0.0.1", 26380);
    private static final InetSocketAddress C = new InetSocketAddress("127.0.0.1", 26381);
    private static final Duration SECOND = Duration.ofSeconds(1);

    @Test
    void theMajorityIsMoreThanHalfOfTheConfiguredSentinels() {
        assertThat(SentinelSettings.of(List.of(A), SECOND, SECOND).majority()).isEqualTo(1);
        assertThat(SentinelSettings.of(List.of(A, B), SECOND, SECOND).majority())
                .isEqualTo(2);
        assertThat(SentinelSettings.of(List.of(A, B, C), SECOND, SECOND).majority())
                .isEqualTo(2);
    }

    @Test
    void aSentinelListedTwiceIsRefusedBecauseItWouldVoteTwice() {
        assertThatThrownBy(() ->
                        SentinelSettings.of(List.of(A, B, new InetSocketAddress("127.0.0.1", 26379)), SECOND, SECOND))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("more than once");
    }

    @Test
    void refusesNoSentinelsAUserWithoutPasswordAndNonPositiveDurations() {
        assertThatThrownBy(() -> SentinelSettings.of(List.of(), SECOND, SECOND))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SentinelSettings(List.of(A), "watcher", null, SECOND, SECOND))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SentinelSettings.of(List.of(A), Duration.ZERO, SECOND))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("timeout");
        assertThatThrownBy(() -> SentinelSettings.of(List.of(A), SECOND, Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("recheckInterval");
    }

    @Test
    void thePasswordStaysOutOfTheDescription() {
        SentinelSettings settings = new SentinelSettings(List.of(A), "watcher", "s3cret", SECOND, SECOND);
        assertThat(settings.toString()).doesNotContain("s3cret").contains("watcher");
    }
}
