package io.shardis.proxy.session;

import static io.shardis.proxy.session.ReplyBytes.Verdict.DROP_BUDGET;
import static io.shardis.proxy.session.ReplyBytes.Verdict.DROP_HARD;
import static io.shardis.proxy.session.ReplyBytes.Verdict.DROP_SOFT_TOO_LONG;
import static io.shardis.proxy.session.ReplyBytes.Verdict.PAUSE;
import static io.shardis.proxy.session.ReplyBytes.Verdict.READ;
import static org.assertj.core.api.Assertions.assertThat;

import io.shardis.proxy.config.ClientReplyLimit;
import org.junit.jupiter.api.Test;

/** The rules of max_client_reply_bytes, as decisions on numbers: soft, hard, seconds, replies in flight, budget. */
class ReplyBytesTest {

    private static final long KB = 1024;
    private static final long SECOND = 1_000_000_000L;
    /** hard 1m, soft 256k, 10 s. */
    private static final ClientReplyLimit LIMIT = new ClientReplyLimit(1024 * KB, 256 * KB, 10);

    private final ReplyBudget budget = new ReplyBudget(1L << 40);

    @Test
    void underTheSoftLimitTheClientIsReadPastItNotPastTheHardOneItIsDropped() {
        ReplyBytes bytes = new ReplyBytes(LIMIT, budget);
        bytes.replyArrived(10);
        assertThat(bytes.judge(100 * KB, 10, 0, 0)).isEqualTo(READ);
        assertThat(bytes.judge(300 * KB, 10, 0, SECOND)).isEqualTo(PAUSE);
        assertThat(bytes.judge(1000 * KB, 10, 0, 2 * SECOND)).isEqualTo(PAUSE);
        assertThat(bytes.judge(1025 * KB, 10, 0, 3 * SECOND)).isEqualTo(DROP_HARD);
    }

    @Test
    void pastTheSoftLimitForItsSecondsInARowTheClientIsDropped() {
        ReplyBytes bytes = new ReplyBytes(LIMIT, budget);
        assertThat(bytes.judge(300 * KB, 0, 0, 0)).isEqualTo(PAUSE);
        assertThat(bytes.nanosUntilSoftExpiry(4 * SECOND)).isEqualTo(6 * SECOND);
        assertThat(bytes.judge(300 * KB, 0, 0, 9 * SECOND)).isEqualTo(PAUSE);
        assertThat(bytes.judge(300 * KB, 0, 0, 10 * SECOND)).isEqualTo(DROP_SOFT_TOO_LONG);
    }

    @Test
    void goingBackUnderTheSoftLimitStartsItsSecondsOver() {
        ReplyBytes bytes = new ReplyBytes(LIMIT, budget);
        assertThat(bytes.judge(300 * KB, 0, 0, 0)).isEqualTo(PAUSE);
        assertThat(bytes.judge(0, 0, 0, 8 * SECOND)).isEqualTo(READ);
        assertThat(bytes.nanosUntilSoftExpiry(8 * SECOND)).isEqualTo(-1);
        assertThat(bytes.judge(300 * KB, 0, 0, 9 * SECOND)).isEqualTo(PAUSE);
        assertThat(bytes.judge(300 * KB, 0, 0, 18 * SECOND)).isEqualTo(PAUSE);
        assertThat(bytes.judge(300 * KB, 0, 0, 19 * SECOND)).isEqualTo(DROP_SOFT_TOO_LONG);
    }

    @Test
    void softSecondsZeroOnlyStopsReading() {
        ReplyBytes bytes = new ReplyBytes(new ClientReplyLimit(1024 * KB, 256 * KB, 0), budget);
        assertThat(bytes.judge(300 * KB, 0, 0, 0)).isEqualTo(PAUSE);
        assertThat(bytes.judge(300 * KB, 0, 0, 3600 * SECOND)).isEqualTo(PAUSE);
    }

    @Test
    void repliesInFlightCountAtTheSizeOfTheClientsRecentReplies() {
        ReplyBytes bytes = new ReplyBytes(LIMIT, budget);
        // Before any reply: a sixteenth of the soft limit each, so 16 commands go out, not more.
        assertThat(bytes.judge(0, 0, 15, 0)).isEqualTo(READ);
        assertThat(bytes.judge(0, 0, 16, 0)).isEqualTo(PAUSE);
        // Small replies: a deep pipeline is fine.
        for (int i = 0; i < 100; i++) {
            bytes.replyArrived(20);
        }
        assertThat(bytes.judge(0, 0, 10_000, 0)).isEqualTo(READ);
        // One large reply and the window closes at once: 10 KB each, 256 KB soft.
        bytes.replyArrived(10 * KB);
        assertThat(bytes.judge(10 * KB, 10 * KB, 25, 0)).isEqualTo(PAUSE);
        assertThat(bytes.judge(10 * KB, 10 * KB, 20, 0)).isEqualTo(READ);
    }

    @Test
    void aSingleReplyLargerThanTheHardLimitReachesAClientThatHeldLittleElse() {
        ReplyBytes bytes = new ReplyBytes(LIMIT, budget);
        bytes.replyArrived(5000 * KB);
        // Netty counts ~100 bytes of bookkeeping per buffered write; a few small replies may wait too.
        assertThat(bytes.judge(5000 * KB + 96, 5000 * KB, 0, 0)).isEqualTo(PAUSE);
        // While it is being written, a small reply (a PING's) may follow it.
        assertThat(bytes.judge(3000 * KB + 200, 7, 0, 0)).isEqualTo(PAUSE);
        // More than a little on top of it, and the client is past the hard limit after all.
        assertThat(bytes.judge(5100 * KB, 100 * KB, 0, 0)).isEqualTo(DROP_HARD);
    }

    @Test
    void whileTheSharedBudgetIsSpentAClientPastItsSoftLimitIsDroppedAndOthersAreNot() {
        ReplyBudget small = new ReplyBudget(450 * KB);
        ReplyBytes greedy = new ReplyBytes(LIMIT, small);
        ReplyBytes modest = new ReplyBytes(LIMIT, small);
        assertThat(greedy.judge(300 * KB, 0, 0, 0)).isEqualTo(PAUSE);
        assertThat(small.isSpent()).isFalse();
        assertThat(modest.judge(200 * KB, 0, 0, 0)).isEqualTo(READ);
        assertThat(small.held()).isEqualTo(500 * KB);
        assertThat(small.isSpent()).isTrue();
        assertThat(modest.judge(210 * KB, 0, 0, 0)).isEqualTo(READ);
        assertThat(greedy.judge(300 * KB, 0, 0, 0)).isEqualTo(DROP_BUDGET);
        greedy.release();
        assertThat(small.held()).isEqualTo(200 * KB);
    }

    @Test
    void withoutALimitNothingIsDroppedButTheBudgetStillCounts() {
        ReplyBytes bytes = new ReplyBytes(ClientReplyLimit.NONE, budget);
        assertThat(bytes.judge(10_000 * KB, 10 * KB, 100_000, 0)).isEqualTo(READ);
        assertThat(budget.held()).isEqualTo(10_000 * KB);
        bytes.release();
        assertThat(budget.held()).isZero();
    }
}
