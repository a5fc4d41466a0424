package io.shardis.sentinel;

import io.shardis.sentinel.SentinelMajority.Undecided;
import io.shardis.sentinel.SentinelMajority.Verdict;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One question about one master to every Sentinel at once. It ends as soon as the answers decide
 * (a majority agrees, or none can any more), so a slow or partitioned Sentinel costs nothing when
 * the others agree; otherwise at the timeout, with the silent ones counted as failures.
 *
 * <p>Confined to the watcher's thread: answers are handed to it before they are counted.
 */
final class AgreementRound {

    private final String masterName;
    private final long sequence;
    private final String how;
    private final int configured;
    private final List<SentinelAnswer> answers = new ArrayList<>();
    private final CompletableFuture<AgreementRound> done = new CompletableFuture<>();
    private Verdict verdict = new Undecided();
    private ScheduledFuture<?> deadline;
    /** Told every answer, those that come after the round was decided too. */
    private final Consumer<SentinelAnswer> heard;

    /**
     * @param sequence rounds of one master are numbered in the order they start, so an answer
     *                 older than one already adopted can be recognised and dropped
     * @param how      why the round was started, passed on to the listener with any change
     */
    AgreementRound(String masterName, long sequence, String how, int configured) {
        this(masterName, sequence, how, configured, answer -> {});
    }

    /** @param heard told every answer as it comes, on the worker, also after the round was decided */
    AgreementRound(String masterName, long sequence, String how, int configured, Consumer<SentinelAnswer> heard) {
        this.heard = heard;
        this.masterName = masterName;
        this.sequence = sequence;
        this.how = how;
        this.configured = configured;
    }

    /** Asks every link; {@code worker} is the watcher's thread, where answers are counted. */
    CompletableFuture<AgreementRound> start(
            List<SentinelLink> links, ScheduledExecutorService worker, Duration timeout) {
        try {
            deadline = worker.schedule(() -> expire(links, timeout), timeout.toNanos(), TimeUnit.NANOSECONDS);
            for (SentinelLink link : links) {
                link.ask(masterName).thenAcceptAsync(this::record, worker);
            }
        } catch (RejectedExecutionException closing) {
            done.cancel(false);
        }
        return done;
    }

    String masterName() {
        return masterName;
    }

    long sequence() {
        return sequence;
    }

    String how() {
        return how;
    }

    Verdict verdict() {
        return verdict;
    }

    List<SentinelAnswer> answers() {
        return List.copyOf(answers);
    }

    private void record(SentinelAnswer answer) {
        heard.accept(answer);
        if (done.isDone()) {
            return;
        }
        answers.add(answer);
        verdict = SentinelMajority.decide(configured, answers);
        if (!(verdict instanceof Undecided)) {
            finish();
        }
    }

    private void expire(List<SentinelLink> links, Duration timeout) {
        if (done.isDone()) {
            return;
        }
        for (SentinelLink link : links) {
            if (answers.stream().noneMatch(answer -> answer.sentinel().equals(link.address()))) {
                answers.add(
                        SentinelAnswer.failure(link.address(), "did not answer within " + timeout.toMillis() + " ms"));
            }
        }
        verdict = SentinelMajority.decide(configured, answers);
        finish();
    }

    private void finish() {
        if (deadline != null) {
            deadline.cancel(false);
        }
        done.complete(this);
    }
}
