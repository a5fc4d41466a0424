package io.shardis.sentinel;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SslOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.protocol.ProtocolVersion;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import io.shardis.sentinel.SentinelMajority.Agreed;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the masters of a Sentinel deployment and tells a {@link MasterListener} where each one
 * is, live: it subscribes to {@code +switch-master} (and related events) on every configured
 * Sentinel, and on each event, every {@code recheckInterval} and on {@link #recheck} asks every
 * Sentinel {@code SENTINEL get-master-addr-by-name}. An address is adopted only when a majority
 * of the configured Sentinels report it.
 *
 * <p>Threads: the watcher's state lives on one thread of its own ({@code shardis-sentinel-watcher});
 * listener calls come from another ({@code shardis-sentinel-listener}); Lettuce's I/O threads
 * only hand results over. Nothing here runs on, or blocks, an event loop of the proxy; only
 * {@link #start} blocks its caller, for at most about {@code settings.timeout()} (or the patience
 * it is given).
 *
 * <p>Past our usual 350 lines because it owns one state machine per master (rounds in flight,
 * the pending round, what each Sentinel last said, the adopted address) and the single thread that
 * serialises it; the pieces that stand alone already live apart ({@link SentinelLink} per
 * Sentinel, {@code AgreementRound} per question, {@link SentinelMajority}). Splitting the per-master
 * state from the thread that guards it would spread one lock-free invariant over two classes.
 */
public final class SentinelWatcher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SentinelWatcher.class);

    /** Rounds of one master in flight at once; more requests wait as one pending round. */
    private static final int MAX_ROUNDS_IN_FLIGHT = 2;
    /** Rechecks the proxy asks for come no closer than this, however often it asks. */
    private static final Duration REQUESTED_RECHECK_SPACING = Duration.ofMillis(100);
    /** Slack over the timeout for start's own wait, for the thread hand-offs. */
    private static final Duration START_SLACK = Duration.ofSeconds(1);

    private static final Duration CLOSE_WAIT = Duration.ofSeconds(2);
    /** Pause between a patient start's rounds of questions. */
    private static final Duration STARTUP_RETRY_PAUSE = Duration.ofMillis(200);

    private final SentinelSettings settings;
    private final MasterListener listener;
    private final ScheduledExecutorService worker;
    private final ExecutorService notifier;
    private final ClientResources resources;
    private final RedisClient client;
    private final List<SentinelLink> links;
    /** Confined to {@link #worker}. */
    private final Map<String, MasterState> masters = new LinkedHashMap<>();
    /** The adopted addresses, for {@link #master} from any thread. */
    private final Map<String, InetSocketAddress> adopted = new ConcurrentHashMap<>();
    /** Every Sentinel's last answer, by master name, for {@link #reports} from any thread. */
    private final Map<String, Map<InetSocketAddress, Heard>> heard = new ConcurrentHashMap<>();

    private final Object closing = new Object();
    private volatile boolean closed;
    /** Set on {@link #worker} once start has learned every master. */
    private boolean running;

    private SentinelWatcher(SentinelSettings settings, Set<String> masterNames, MasterListener listener) {
        this.settings = settings;
        this.listener = listener;
        this.worker = Executors.newSingleThreadScheduledExecutor(daemon("shardis-sentinel-watcher"));
        this.notifier = Executors.newSingleThreadExecutor(daemon("shardis-sentinel-listener"));
        this.resources = DefaultClientResources.builder()
                .ioThreadPoolSize(2)
                .computationThreadPoolSize(2)
                // Lettuce's default backs off to 30 s; a Sentinel that comes back should count again soon.
                .reconnectDelay(
                        Delay.exponential(Duration.ofMillis(100), Duration.ofSeconds(2), 2, TimeUnit.MILLISECONDS))
                .build();
        this.client = RedisClient.create(resources);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                // A question to a disconnected Sentinel fails at once rather than waiting for it.
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .requestQueueSize(1_000)
                .protocolVersion(ProtocolVersion.RESP2)
                .socketOptions(SocketOptions.builder()
                        .connectTimeout(settings.timeout())
                        .keepAlive(true)
                        .build())
                .timeoutOptions(TimeoutOptions.enabled(settings.timeout()))
                .sslOptions(settings.sslOptions() != null ? settings.sslOptions() : SslOptions.create())
                .build());
        List<SentinelLink> created = new ArrayList<>();
        for (InetSocketAddress sentinel : settings.sentinels()) {
            created.add(new SentinelLink(sentinel, client, uri(sentinel), worker, new LinkEvents()));
        }
        this.links = List.copyOf(created);
        for (String name : new TreeSet<>(masterNames)) {
            masters.put(name, new MasterState(name));
        }
    }

    /**
     * Learns every master's address, then watches. Blocks for at most about {@code settings.timeout()};
     * do not call it on an event loop.
     *
     * <p>When it returns, {@link #master} answers for every name, and the listener has been queued
     * one {@link MasterChange} per master with {@code previous == null} and {@code how == "startup"}.
     *
     * @throws IllegalStateException naming each master for which no majority of the configured
     *                               Sentinels reported one address in time, with what each said
     */
    public static SentinelWatcher start(SentinelSettings settings, Set<String> masterNames, MasterListener listener) {
        return start(settings, masterNames, listener, Duration.ZERO);
    }

    /**
     * As {@link #start(SentinelSettings, Set, MasterListener)}, but while the Sentinels have not
     * told every master (no answer in time, no majority yet) they are asked again, every 200 ms,
     * over the same connections, until {@code patience} has passed: a start beside Sentinels that
     * are still starting, or whose first connections are slow, does not fail on the first round.
     */
    public static SentinelWatcher start(
            SentinelSettings settings, Set<String> masterNames, MasterListener listener, Duration patience) {
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(listener, "listener");
        if (masterNames == null || masterNames.isEmpty()) {
            throw new IllegalArgumentException("no Sentinel master names to watch");
        }
        SentinelWatcher watcher = new SentinelWatcher(settings, masterNames, listener);
        try {
            long deadline = System.nanoTime() + patience.toNanos();
            for (int attempt = 1; ; attempt++) {
                try {
                    watcher.learnEveryMaster(attempt == 1);
                    return watcher;
                } catch (IllegalStateException e) {
                    if (System.nanoTime() - deadline >= 0
                            || Thread.currentThread().isInterrupted()) {
                        throw e;
                    }
                    log.warn("{} (attempt {}); asking again", e.getMessage(), attempt);
                    LockSupport.parkNanos(STARTUP_RETRY_PAUSE.toNanos());
                }
            }
        } catch (RuntimeException e) {
            watcher.close();
            throw e;
        }
    }

    /**
     * The address a majority of the Sentinels agreed on last; any thread.
     *
     * @throws IllegalArgumentException if {@code masterName} is not watched
     */
    public InetSocketAddress master(String masterName) {
        InetSocketAddress address = adopted.get(masterName);
        if (address == null) {
            throw new IllegalArgumentException("not a watched Sentinel master: '" + masterName + "'");
        }
        return address;
    }

    /**
     * Asks the Sentinels again now, e.g. because {@code ROLE} on the supposed master said
     * {@code slave}. Returns at once; a change, if any, reaches the listener with
     * {@code how == "recheck requested: " + reason}. Requests closer together than 100 ms are
     * merged into one round; if the Sentinels do not agree, the address stays and a warning is logged.
     *
     * @throws IllegalArgumentException if {@code masterName} is not watched
     */
    public void recheck(String masterName, String reason) {
        master(masterName);
        String how = "recheck requested: " + reason;
        onWorker(() -> masters.get(masterName).requestRecheck(how));
    }

    /**
     * What one configured Sentinel last said of a master: the address it reports ({@code master}),
     * or why there is none ({@code failure}: it does not know the master, did not answer lately...).
     */
    public record SentinelReport(InetSocketAddress sentinel, InetSocketAddress master, String failure) {}

    /** One Sentinel's last answer about one master, and when it came. */
    private record Heard(SentinelAnswer answer, long atNanos) {}

    /**
     * What each configured Sentinel last said of {@code masterName}, in configuration order: every
     * answer counts, those that came after a round was decided too, so a Sentinel that disagrees
     * with the majority shows. An answer older than three rechecks (plus the timeout) counts as
     * none. Any thread.
     */
    public List<SentinelReport> reports(String masterName) {
        Map<InetSocketAddress, Heard> answers = heard.getOrDefault(masterName, Map.of());
        long staleNanos = settings.recheckInterval()
                .multipliedBy(3)
                .plus(settings.timeout())
                .toNanos();
        long now = System.nanoTime();
        List<SentinelReport> reports = new ArrayList<>(links.size());
        for (SentinelLink link : links) {
            Heard last = answers.get(link.address());
            if (last == null) {
                reports.add(new SentinelReport(link.address(), null, "not heard from yet"));
            } else if (now - last.atNanos() > staleNanos) {
                reports.add(new SentinelReport(
                        link.address(),
                        null,
                        "no answer in the last " + TimeUnit.NANOSECONDS.toSeconds(staleNanos) + " s"));
            } else {
                reports.add(new SentinelReport(
                        link.address(), last.answer().master(), last.answer().failure()));
            }
        }
        return reports;
    }

    /** The configured Sentinels whose events reach the watcher right now. */
    public List<InetSocketAddress> subscribedSentinels() {
        return links.stream()
                .filter(SentinelLink::subscribed)
                .map(SentinelLink::address)
                .toList();
    }

    /** Disconnects from every Sentinel and stops the watcher's threads; no listener call starts after it returns. */
    @Override
    public void close() {
        synchronized (closing) {
            if (closed) {
                return;
            }
            closed = true;
        }
        worker.shutdownNow();
        List<CompletableFuture<Void>> closes =
                links.stream().map(SentinelLink::close).toList();
        await(CompletableFuture.allOf(closes.toArray(CompletableFuture[]::new)), CLOSE_WAIT);
        client.shutdown(Duration.ZERO, CLOSE_WAIT);
        try {
            resources.shutdown(0, CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS).await(CLOSE_WAIT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        notifier.shutdownNow();
        try {
            worker.awaitTermination(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            notifier.awaitTermination(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "SentinelWatcher" + masters.keySet() + " on " + settings.sentinels();
    }

    private void learnEveryMaster(boolean connect) {
        CompletableFuture<List<AgreementRound>> learning = CompletableFuture.supplyAsync(
                        () -> {
                            if (connect) {
                                links.forEach(SentinelLink::connect);
                            }
                            return masters.values().stream()
                                    .filter(state -> !adopted.containsKey(state.name))
                                    .map(state -> state.startRound("startup"))
                                    .toList();
                        },
                        worker)
                .thenCompose(rounds -> CompletableFuture.allOf(rounds.toArray(CompletableFuture[]::new))
                        .thenApply(ignored ->
                                rounds.stream().map(CompletableFuture::join).toList()));
        List<AgreementRound> rounds;
        try {
            rounds = learning.get(settings.timeout().plus(START_SLACK).toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            throw new IllegalStateException(
                    "Sentinels " + settings.sentinels() + " gave no answer within "
                            + settings.timeout().toMillis() + " ms about " + masters.keySet(),
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while asking the Sentinels about " + masters.keySet(), e);
        }
        List<String> unknown = new ArrayList<>();
        for (AgreementRound round : rounds) {
            if (!adopted.containsKey(round.masterName())) {
                unknown.add("'" + round.masterName() + "': " + round.answers());
            }
        }
        if (!unknown.isEmpty()) {
            throw new IllegalStateException("no majority of the " + links.size() + " configured Sentinels ("
                    + settings.majority() + " needed) reports an address for Sentinel master "
                    + String.join("; ", unknown));
        }
        await(CompletableFuture.runAsync(this::startWatching, worker), settings.timeout());
    }

    /** On the worker: from now on reconnections trigger rechecks, and the periodic recheck runs. */
    private void startWatching() {
        running = true;
        long interval = settings.recheckInterval().toNanos();
        worker.scheduleWithFixedDelay(
                () -> masters.values().forEach(state -> state.requestRound("periodic recheck")),
                interval,
                interval,
                TimeUnit.NANOSECONDS);
        log.info(
                "Watching Sentinel masters {} through {} ({} of {} subscribed)",
                masters.keySet(),
                settings.sentinels(),
                subscribedSentinels().size(),
                links.size());
    }

    private void onWorker(Runnable task) {
        try {
            worker.execute(task);
        } catch (RejectedExecutionException e) {
            // Closed: nothing left to do.
        }
    }

    private void deliver(MasterChange change) {
        try {
            notifier.execute(() -> {
                try {
                    listener.masterChanged(change);
                } catch (RuntimeException e) {
                    log.error("Sentinel master listener failed on {}", change, e);
                }
            });
        } catch (RejectedExecutionException e) {
            // Closed: the change is not delivered.
        }
    }

    private RedisURI uri(InetSocketAddress sentinel) {
        RedisURI.Builder uri = RedisURI.builder()
                .withHost(sentinel.getHostString())
                .withPort(sentinel.getPort())
                .withTimeout(settings.timeout())
                .withClientName("shardis-sentinel-watcher");
        if (settings.sslOptions() != null) {
            uri.withSsl(true).withVerifyPeer(settings.verifyMode());
        }
        if (settings.username() != null) {
            uri.withAuthentication(settings.username(), settings.password());
        } else if (settings.password() != null) {
            uri.withPassword(settings.password());
        }
        return uri.build();
    }

    private static void await(CompletableFuture<?> future, Duration bound) {
        try {
            future.get(bound.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            log.debug("gave up waiting after {}", bound, e);
        }
    }

    private static ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }

    /** One master's address and its rounds of questions; confined to the worker. */
    private final class MasterState {
        private final String name;
        private InetSocketAddress current;
        private long nextSequence;
        private long adoptedSequence = -1;
        private int inFlight;
        private String pendingHow;
        private long lastRoundNanos = System.nanoTime() - REQUESTED_RECHECK_SPACING.toNanos();
        private ScheduledFuture<?> spacedRecheck;

        MasterState(String name) {
            this.name = name;
        }

        void requestRecheck(String how) {
            long sinceLast = System.nanoTime() - lastRoundNanos;
            long wait = REQUESTED_RECHECK_SPACING.toNanos() - sinceLast;
            if (wait <= 0) {
                requestRound(how);
            } else if (spacedRecheck == null || spacedRecheck.isDone()) {
                spacedRecheck = worker.schedule(() -> requestRound(how), wait, TimeUnit.NANOSECONDS);
            }
        }

        void requestRound(String how) {
            if (inFlight >= MAX_ROUNDS_IN_FLIGHT) {
                if (pendingHow == null) {
                    pendingHow = how;
                }
                return;
            }
            startRound(how);
        }

        CompletableFuture<AgreementRound> startRound(String how) {
            inFlight++;
            lastRoundNanos = System.nanoTime();
            AgreementRound round = new AgreementRound(
                    name,
                    nextSequence++,
                    how,
                    links.size(),
                    answer -> heard.computeIfAbsent(name, n -> new ConcurrentHashMap<>())
                            .put(answer.sentinel(), new Heard(answer, System.nanoTime())));
            CompletableFuture<AgreementRound> done = round.start(links, worker, settings.timeout());
            // Counted on the worker before start() waiters see it, so the startup address is set when they look.
            return done.thenApplyAsync(
                    finished -> {
                        roundDone(finished);
                        return finished;
                    },
                    worker);
        }

        private void roundDone(AgreementRound round) {
            inFlight--;
            if (closed) {
                return;
            }
            if (round.sequence() > adoptedSequence) {
                if (round.verdict() instanceof Agreed agreed) {
                    // Rounds started earlier asked earlier: their answers are older than this one.
                    adoptedSequence = round.sequence();
                    adopt(agreed.master(), round.how());
                } else if (current != null) {
                    log.warn(
                            "Sentinel master '{}': no majority of the {} configured Sentinels ({} needed) reports one"
                                    + " address ({}: {}); keeping {}",
                            name,
                            links.size(),
                            settings.majority(),
                            round.how(),
                            round.answers(),
                            HostPort.format(current));
                }
            }
            if (pendingHow != null && inFlight < MAX_ROUNDS_IN_FLIGHT) {
                String how = pendingHow;
                pendingHow = null;
                startRound(how);
            }
        }

        private void adopt(InetSocketAddress address, String how) {
            if (address.equals(current)) {
                return;
            }
            MasterChange change = new MasterChange(name, current, address, how);
            current = address;
            adopted.put(name, address);
            log.info("Sentinel master {}", change);
            deliver(change);
        }
    }

    /** Hands every link event to the worker. */
    private final class LinkEvents implements SentinelLink.Events {
        @Override
        public void published(SentinelLink link, SentinelEvent event) {
            onWorker(() -> {
                MasterState state = event.masterName() == null ? null : masters.get(event.masterName());
                if (state == null) {
                    return;
                }
                if (event.asksForRecheck()) {
                    log.debug("Sentinel {}: {} {}", link, event.channel(), event.payload());
                    state.requestRound(event.channel() + " from " + link);
                } else if (event.aboutMasterInstance()) {
                    log.info("Sentinel {}: {} {}", link, event.channel(), event.payload());
                } else {
                    log.debug("Sentinel {}: {} {}", link, event.channel(), event.payload());
                }
            });
        }

        @Override
        public void subscribed(SentinelLink link, boolean again) {
            onWorker(() -> {
                if (!running) {
                    // At startup every master is being asked anyway.
                    log.debug("Subscribed to the events of Sentinel {}", link);
                    return;
                }
                log.info(
                        "Subscribed to the events of Sentinel {}{}; asking about every master",
                        link,
                        again ? " again" : "");
                // Events published while it was away are lost: ask instead.
                masters.values().forEach(state -> state.requestRound("Sentinel " + link + " subscribed"));
            });
        }

        @Override
        public void lost(SentinelLink link) {
            onWorker(() -> log.warn("Lost the connection to Sentinel {}; reconnecting", link));
        }
    }
}
