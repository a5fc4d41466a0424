package io.shardis.sentinel;

import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.sentinel.api.StatefulRedisSentinelConnection;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The watcher's two connections to one Sentinel: one to ask it questions, one subscribed to its
 * events (a RESP2 connection in subscribed state can do nothing else).
 *
 * <p>Until both are up the first time, a failed attempt is retried in the background with a
 * growing delay; once up, Lettuce reconnects them itself and subscribes again, and a question
 * asked meanwhile fails at once instead of waiting in a queue. Nothing here blocks.
 */
final class SentinelLink {

    private static final Logger log = LoggerFactory.getLogger(SentinelLink.class);
    private static final Duration FIRST_RETRY = Duration.ofMillis(100);
    private static final Duration LONGEST_RETRY = Duration.ofSeconds(2);

    /** What the link tells the watcher; called on Lettuce's threads, so implementations hand off at once. */
    interface Events {
        void published(SentinelLink link, SentinelEvent event);

        /** The event subscription is in place; {@code again} after a reconnection. */
        void subscribed(SentinelLink link, boolean again);

        void lost(SentinelLink link);
    }

    private final InetSocketAddress address;
    private final String name;
    private final RedisClient client;
    private final RedisURI uri;
    private final ScheduledExecutorService retries;
    private final Events events;

    private volatile CompletableFuture<StatefulRedisSentinelConnection<String, String>> commands;
    private volatile StatefulRedisPubSubConnection<String, String> pubSub;
    private volatile boolean subscribed;
    private volatile boolean everSubscribed;
    private volatile boolean closed;
    private volatile int failedAttempts;

    SentinelLink(
            InetSocketAddress address,
            RedisClient client,
            RedisURI uri,
            ScheduledExecutorService retries,
            Events events) {
        this.address = address;
        this.name = HostPort.format(address);
        this.client = client;
        this.uri = uri;
        this.retries = retries;
        this.events = events;
        this.commands = new CompletableFuture<>();
    }

    InetSocketAddress address() {
        return address;
    }

    /** Whether this Sentinel's events reach the watcher right now. */
    boolean subscribed() {
        return subscribed;
    }

    /** Starts connecting; questions asked meanwhile wait for this first attempt. */
    void connect() {
        attempt(commands);
    }

    /**
     * Asks {@code SENTINEL get-master-addr-by-name}. The future never fails: a connection error,
     * an error reply or an unknown master become a {@link SentinelAnswer#failure}. It completes on
     * a Lettuce thread; the caller bounds the wait.
     */
    CompletableFuture<SentinelAnswer> ask(String masterName) {
        return commands.thenCompose(connection ->
                        connection.async().getMasterAddrByName(masterName).toCompletableFuture())
                .handle((reported, error) -> {
                    if (error != null) {
                        return SentinelAnswer.failure(address, "failed: " + describe(error));
                    }
                    if (!(reported instanceof InetSocketAddress master)) {
                        return SentinelAnswer.failure(address, "does not know master '" + masterName + "'");
                    }
                    return SentinelAnswer.address(address, HostPort.of(master.getHostString(), master.getPort()));
                });
    }

    /** Closes both connections; the returned future completes when they are closed. */
    CompletableFuture<Void> close() {
        closed = true;
        subscribed = false;
        List<CompletableFuture<Void>> closing = new ArrayList<>();
        CompletableFuture<StatefulRedisSentinelConnection<String, String>> current = commands;
        if (current.isDone() && !current.isCompletedExceptionally()) {
            closing.add(current.join().closeAsync());
        } else {
            // A connection still being made is closed when it arrives (see attempt()).
            current.cancel(false);
        }
        StatefulRedisPubSubConnection<String, String> events = pubSub;
        if (events != null) {
            closing.add(events.closeAsync());
        }
        return CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new));
    }

    @Override
    public String toString() {
        return name;
    }

    private void attempt(CompletableFuture<StatefulRedisSentinelConnection<String, String>> published) {
        if (closed) {
            return;
        }
        // Events first: Lettuce logs every failed Sentinel connection at WARN, but not a failed
        // pub/sub one, so a Sentinel that stays down does not fill the log at each retry.
        CompletableFuture<StatefulRedisPubSubConnection<String, String>> listening = client.connectPubSubAsync(
                        StringCodec.UTF8, uri)
                .toCompletableFuture()
                .thenCompose(this::subscribe);
        CompletableFuture<Pair> both = listening.thenCompose(events ->
                client.connectSentinelAsync(StringCodec.UTF8, uri).thenApply(commands -> new Pair(commands, events)));
        both.whenComplete((pair, error) -> {
            if (error == null && !closed) {
                connected(published, pair);
            } else {
                closeQuietly(listening);
                if (pair != null) {
                    pair.commands().closeAsync();
                }
                if (!closed) {
                    failed(published, error);
                }
            }
        });
    }

    private void connected(CompletableFuture<StatefulRedisSentinelConnection<String, String>> published, Pair both) {
        pubSub = both.events();
        if (failedAttempts > 0) {
            log.info("Connected to Sentinel {} after {} failed attempts", name, failedAttempts);
        }
        failedAttempts = 0;
        published.complete(both.commands());
        commands = published;
        if (closed) {
            close();
        }
    }

    private void failed(CompletableFuture<StatefulRedisSentinelConnection<String, String>> published, Throwable error) {
        failedAttempts++;
        long delayMillis =
                Math.min(LONGEST_RETRY.toMillis(), FIRST_RETRY.toMillis() << Math.min(failedAttempts - 1, 16));
        if (failedAttempts == 1) {
            log.warn("Cannot connect to Sentinel {} ({}); retrying in the background", name, describe(error));
        } else {
            log.debug("Still cannot connect to Sentinel {} ({}), attempt {}", name, describe(error), failedAttempts);
        }
        // Questions fail at once until a later attempt succeeds, instead of waiting for it.
        commands = CompletableFuture.failedFuture(new IllegalStateException("not connected: " + describe(error)));
        published.completeExceptionally(new IllegalStateException("not connected: " + describe(error)));
        CompletableFuture<StatefulRedisSentinelConnection<String, String>> next = new CompletableFuture<>();
        try {
            retries.schedule(() -> attempt(next), delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException shuttingDown) {
            // The watcher is closing.
        }
    }

    private CompletableFuture<StatefulRedisPubSubConnection<String, String>> subscribe(
            StatefulRedisPubSubConnection<String, String> connection) {
        connection.addListener(new EventListener());
        connection.addListener(new DisconnectListener());
        return connection
                .async()
                .subscribe(SentinelEvent.CHANNELS.toArray(String[]::new))
                .toCompletableFuture()
                .handle((ignored, error) -> {
                    if (error != null) {
                        connection.closeAsync();
                        throw new CompletionException(error);
                    }
                    return connection;
                });
    }

    private static void closeQuietly(CompletableFuture<? extends io.lettuce.core.api.StatefulConnection<?, ?>> f) {
        f.thenAccept(io.lettuce.core.api.StatefulConnection::closeAsync);
    }

    static String describe(Throwable error) {
        Throwable cause = error;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        // Lettuce wraps the socket error; the innermost message says what went wrong.
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message =
                root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
        return root == cause ? message : cause.getClass().getSimpleName() + ": " + message;
    }

    private record Pair(
            StatefulRedisSentinelConnection<String, String> commands,
            StatefulRedisPubSubConnection<String, String> events) {}

    /** Events, and the confirmation of each (re)subscription, which Lettuce repeats after reconnecting. */
    private final class EventListener extends RedisPubSubAdapter<String, String> {
        @Override
        public void message(String channel, String message) {
            events.published(SentinelLink.this, SentinelEvent.parse(channel, message));
        }

        @Override
        public void subscribed(String channel, long count) {
            if (SentinelEvent.SWITCH_MASTER.equals(channel) && !closed) {
                boolean again = everSubscribed;
                everSubscribed = true;
                subscribed = true;
                events.subscribed(SentinelLink.this, again);
            }
        }
    }

    private final class DisconnectListener implements RedisConnectionStateListener {
        @Override
        public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress socketAddress) {
            // Subscribed again only when Sentinel confirms it; see EventListener.subscribed.
        }

        @Override
        public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
            if (subscribed && !closed) {
                subscribed = false;
                events.lost(SentinelLink.this);
            }
        }
    }
}
