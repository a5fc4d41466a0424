package io.shardis.sentinel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shardis.sentinel.SentinelMajority.Agreed;
import io.shardis.sentinel.SentinelMajority.NoMajority;
import io.shardis.sentinel.SentinelMajority.Undecided;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class SentinelMajorityTest {

    private static final InetSocketAddress S1 = HostPort.of("10.0.0.5", 26379);
    private static final InetSocketAddress S2 = HostPort.of("10.0.0.6", 26379);
    private static final InetSocketAddress S3 = HostPort.of("10.0.0.7", 26379);
    private static final InetSocketAddress S4 = HostPort.of("10.0.0.8", 26379);
    private static final InetSocketAddress S5 = HostPort.of("10.0.0.9", 26379);
    private static final InetSocketAddress OLD = HostPort.of("10.0.0.1", 6379);
    private static final InetSocketAddress NEW = HostPort.of("10.0.0.2", 6379);

    @Test
    void twoOfThreeAgreeingIsEnoughWithoutWaitingForTheThird() {
        assertThat(SentinelMajority.decide(3, List.of(said(S1, NEW), said(S2, NEW))))
                .isEqualTo(new Agreed(NEW));
    }

    @Test
    void oneStaleSentinelOutOfThreeCannotMoveTraffic() {
        assertThat(SentinelMajority.decide(3, List.of(said(S1, NEW), said(S2, OLD), said(S3, OLD))))
                .isEqualTo(new Agreed(OLD));
    }

    @Test
    void aLoneSentinelIsNotAMajorityOfThreeEvenIfTheOthersAreDown() {
        assertThat(SentinelMajority.decide(3, List.of(said(S1, NEW), failed(S2), failed(S3))))
                .isEqualTo(new NoMajority());
    }

    @Test
    void waitsWhileTheSentinelsStillToAnswerCouldMakeAMajority() {
        assertThat(SentinelMajority.decide(3, List.of(said(S1, NEW)))).isEqualTo(new Undecided());
        assertThat(SentinelMajority.decide(3, List.of(said(S1, NEW), said(S2, OLD))))
                .isEqualTo(new Undecided());
        assertThat(SentinelMajority.decide(3, List.of())).isEqualTo(new Undecided());
    }

    @Test
    void givesUpAsSoonAsNoAddressCanReachAMajority() {
        assertThat(SentinelMajority.decide(3, List.of(failed(S1), failed(S2)))).isEqualTo(new NoMajority());
        assertThat(SentinelMajority.decide(5, List.of(said(S1, NEW), said(S2, OLD), failed(S3), failed(S4))))
                .isEqualTo(new NoMajority());
    }

    @Test
    void theMajorityCountsConfiguredSentinelsNotTheOnesThatAnswered() {
        // Two of five answered alike: a majority of those who answered, not of the deployment.
        assertThat(SentinelMajority.decide(5, List.of(said(S1, NEW), said(S2, NEW), failed(S3), failed(S4))))
                .isEqualTo(new Undecided());
        assertThat(SentinelMajority.decide(
                        5, List.of(said(S1, NEW), said(S2, NEW), failed(S3), failed(S4), failed(S5))))
                .isEqualTo(new NoMajority());
        assertThat(SentinelMajority.decide(5, List.of(said(S1, NEW), said(S2, NEW), said(S3, NEW))))
                .isEqualTo(new Agreed(NEW));
    }

    @Test
    void anEvenSplitOfFourIsNoMajority() {
        assertThat(SentinelMajority.decide(4, List.of(said(S1, NEW), said(S2, NEW), said(S3, OLD), said(S4, OLD))))
                .isEqualTo(new NoMajority());
        assertThat(SentinelMajority.decide(4, List.of(said(S1, NEW), said(S2, NEW), said(S3, NEW))))
                .isEqualTo(new Agreed(NEW));
    }

    @Test
    void aSingleConfiguredSentinelDecidesAlone() {
        assertThat(SentinelMajority.decide(1, List.of(said(S1, NEW)))).isEqualTo(new Agreed(NEW));
        assertThat(SentinelMajority.decide(1, List.of(failed(S1)))).isEqualTo(new NoMajority());
    }

    @Test
    void sentinelsThatDoNotKnowTheMasterDoNotVote() {
        SentinelAnswer unknown = SentinelAnswer.failure(S3, "does not know master 'shard1'");
        assertThat(SentinelMajority.decide(3, List.of(said(S1, NEW), unknown, said(S2, NEW))))
                .isEqualTo(new Agreed(NEW));
        assertThat(SentinelMajority.decide(3, List.of(said(S1, NEW), unknown, said(S2, OLD))))
                .isEqualTo(new NoMajority());
    }

    @Test
    void theSameAddressWrittenTheSameWayCountsAsOneCandidate() {
        assertThat(SentinelMajority.decide(
                        3, List.of(said(S1, HostPort.of("10.0.0.2", 6379)), said(S2, HostPort.of("10.0.0.2", 6379)))))
                .isEqualTo(new Agreed(NEW));
        assertThat(SentinelMajority.decide(
                        3, List.of(said(S1, HostPort.of("10.0.0.2", 6379)), said(S2, HostPort.of("10.0.0.2", 6380)))))
                .isEqualTo(new Undecided());
    }

    @Test
    void refusesMoreAnswersThanSentinels() {
        assertThatThrownBy(() -> SentinelMajority.decide(1, List.of(said(S1, NEW), said(S2, NEW))))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static SentinelAnswer said(InetSocketAddress sentinel, InetSocketAddress master) {
        return SentinelAnswer.address(sentinel, master);
    }

    private static SentinelAnswer failed(InetSocketAddress sentinel) {
        return SentinelAnswer.failure(sentinel, "failed: Connection refused");
    }
}
