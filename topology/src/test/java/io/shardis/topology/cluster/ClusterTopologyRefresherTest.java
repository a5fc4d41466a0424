package io.shardis.topology.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ClusterTopologyRefresherTest {

    private static final Duration LONG = Duration.ofHours(1);
    private static final Duration WAIT = Duration.ofSeconds(20);

    private static final SlotMap ONE = map("aaaa");
    private static final SlotMap TWO = map("bbbb");

    /** A source that returns what the test sets, counting calls and noting the calling thread. */
    private static final class ScriptedSource implements ClusterTopologySource {
        final AtomicReference<SlotMap> next = new AtomicReference<>(ONE);
        final AtomicReference<RuntimeException> failure = new AtomicReference<>();
        final AtomicInteger calls = new AtomicInteger();
        final List<String> threads = new CopyOnWriteArrayList<>();

        @Override
        public SlotMap fetch() {
            calls.incrementAndGet();
            threads.add(Thread.currentThread().getName());
            RuntimeException fail = failure.get();
            if (fail != null) {
                throw fail;
            }
            return next.get();
        }
    }

    private final ScriptedSource source = new ScriptedSource();
    private final List<SlotMap> published = new CopyOnWriteArrayList<>();
    private ClusterTopologyRefresher refresher;

    @AfterEach
    void close() {
        if (refresher != null) {
            refresher.close();
        }
    }

    @Test
    void fetchesAtStartAndPublishesTheFirstMap() {
        refresher = new ClusterTopologyRefresher("t", source, LONG, Duration.ofMillis(10), published::add);
        assertThat(refresher.current()).isSameAs(SlotMap.EMPTY);
        refresher.start();
        await(() -> published.size() == 1);
        assertThat(published).containsExactly(ONE);
        assertThat(refresher.current()).isEqualTo(ONE);
        assertThat(source.threads).allSatisfy(name -> assertThat(name).isEqualTo("shardis-cluster-topology-t"));
    }

    @Test
    void publishesOnlyMapsThatChanged() {
        refresher = new ClusterTopologyRefresher("t", source, LONG, Duration.ofMillis(10), published::add);
        refresher.start();
        await(() -> published.size() == 1);
        refreshAndWait();
        refreshAndWait();
        assertThat(published).containsExactly(ONE);

        source.next.set(TWO);
        refreshAndWait();
        // current() changes just before the listener is told: wait for the listener too.
        await(() -> published.size() == 2);
        assertThat(published).containsExactly(ONE, TWO);
        assertThat(refresher.current()).isEqualTo(TWO);
    }

    @Test
    void refreshesPeriodically() {
        refresher =
                new ClusterTopologyRefresher("t", source, Duration.ofMillis(50), Duration.ofMillis(10), published::add);
        refresher.start();
        await(() -> source.calls.get() >= 3);
        source.next.set(TWO);
        await(() -> published.size() == 2);
        assertThat(published).containsExactly(ONE, TWO);
    }

    @Test
    void aStormOfRequestsCostsOneFetchPerMinimumInterval() throws InterruptedException {
        long minIntervalMillis = 400;
        refresher =
                new ClusterTopologyRefresher("t", source, LONG, Duration.ofMillis(minIntervalMillis), published::add);
        refresher.start();
        await(() -> source.calls.get() == 1);

        int threads = 4;
        CountDownLatch done = new CountDownLatch(threads);
        long started = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            Thread storm = new Thread(() -> {
                for (int i = 0; i < 5_000; i++) {
                    refresher.requestRefresh("MOVED " + i);
                }
                done.countDown();
            });
            storm.start();
        }
        assertThat(done.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        long stormMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

        // The storm is answered: a fetch follows it.
        await(() -> source.calls.get() >= 2);
        // Let any fetch still scheduled by the storm run, then count.
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2 * minIntervalMillis + 200));
        long allowed = 1 + 1 + stormMillis / minIntervalMillis + 1;
        assertThat((long) source.calls.get())
                .as("fetches for a %d ms storm of 20000 requests", stormMillis)
                .isLessThanOrEqualTo(allowed);
    }

    @Test
    void aRequestWaitsForTheMinimumIntervalSinceTheLastFetch() {
        long minIntervalMillis = 300;
        refresher =
                new ClusterTopologyRefresher("t", source, LONG, Duration.ofMillis(minIntervalMillis), published::add);
        refresher.start();
        await(() -> source.calls.get() == 1);
        long firstFetchSeen = System.nanoTime();
        refresher.requestRefresh("MOVED");
        await(() -> source.calls.get() == 2);
        // The first fetch started before firstFetchSeen, so this is a lower bound no scheduler delay can break.
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - firstFetchSeen))
                .isGreaterThanOrEqualTo(minIntervalMillis - 20);
    }

    @Test
    void aFailedFetchKeepsTheLastMapAndALaterOneRecovers() {
        refresher = new ClusterTopologyRefresher("t", source, LONG, Duration.ofMillis(10), published::add);
        refresher.start();
        await(() -> published.size() == 1);

        source.failure.set(new ClusterTopologyException("no cluster node gave a slot map"));
        int before = source.calls.get();
        refresher.requestRefresh("connection refused");
        await(() -> source.calls.get() > before);
        assertThat(refresher.current()).isEqualTo(ONE);

        source.failure.set(null);
        source.next.set(TWO);
        await(() -> {
            refresher.requestRefresh("retry");
            return refresher.current().equals(TWO);
        });
        await(() -> published.size() == 2);
        assertThat(published).containsExactly(ONE, TWO);
    }

    @Test
    void aFailingListenerDoesNotStopRefreshing() {
        refresher = new ClusterTopologyRefresher("t", source, LONG, Duration.ofMillis(10), map -> {
            published.add(map);
            throw new IllegalStateException("listener bug");
        });
        refresher.start();
        await(() -> published.size() == 1);
        source.next.set(TWO);
        await(() -> {
            refresher.requestRefresh("again");
            return published.size() == 2;
        });
    }

    @Test
    void requestsAfterCloseAreIgnored() {
        refresher = new ClusterTopologyRefresher("t", source, LONG, Duration.ofMillis(10), published::add);
        refresher.start();
        await(() -> source.calls.get() == 1);
        refresher.close();
        refresher.requestRefresh("late");
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        assertThat(source.calls.get()).isEqualTo(1);
    }

    private void refreshAndWait() {
        int before = source.calls.get();
        await(() -> {
            refresher.requestRefresh("test");
            return source.calls.get() > before;
        });
        // The fetch has started; wait until its result is either published or dropped.
        await(() -> refresher.current().equals(source.next.get()));
    }

    private static void await(BooleanSupplier condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + WAIT.toSeconds() + " s");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    private static SlotMap map(String masterId) {
        return SlotMap.builder()
                .node(ClusterNode.master(masterId, "10.0.0.1", 7000, ClusterNode.Health.ONLINE))
                .assign(0, 16383, masterId)
                .build();
    }
}
