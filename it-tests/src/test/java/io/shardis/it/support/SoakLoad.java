package io.shardis.it.support;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Transaction;

/**
 * A bounded load generator for soak tests: Jedis writers (SET, GET, INCR, MGET, MSET,
 * MULTI/EXEC), Lettuce writers (SET, GET, MSET, MGET) and a publisher with a Lettuce subscriber,
 * each writer on keys of its own recorded in an {@link IntegrityLedger}. Writers keep going through
 * errors (counted, the connection opened again). Lettuce runs without auto-reconnect: a command it
 * would resend after a reconnect could run twice. {@link #pauseWrites} holds the writers between
 * two commands while a chaos step makes sure what they were told is done survives what it does.
 */
public final class SoakLoad implements AutoCloseable {

    private static final int GROUPS = 8;
    private static final int KEYS_PER_GROUP = 16;
    private static final int CLIENT_TIMEOUT_MILLIS = 20_000;
    private static final String CHANNEL = "soak:news";

    private final InetSocketAddress address;
    /** Writers hold it shared for each command; {@link #pauseWrites} takes it exclusively. */
    private final ReentrantReadWriteLock gate = new ReentrantReadWriteLock();

    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();
    private final List<IntegrityLedger> ledgers = new ArrayList<>();
    private final AtomicLong operations = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final Map<String, AtomicLong> errorTexts = new ConcurrentHashMap<>();
    private final AtomicLong published = new AtomicLong();
    private final ConcurrentLinkedQueue<Long> received = new ConcurrentLinkedQueue<>();
    private final RedisClient lettuce;
    private volatile StatefulRedisPubSubConnection<String, String> subscriber;

    private SoakLoad(InetSocketAddress address) {
        this.address = address;
        this.lettuce = RedisClient.create();
        lettuce.setOptions(ClientOptions.builder().autoReconnect(false).build());
    }

    /** Starts {@code jedisWriters} plus {@code lettuceWriters} writers, a publisher and a subscriber. */
    public static SoakLoad start(InetSocketAddress address, int jedisWriters, int lettuceWriters) {
        SoakLoad load = new SoakLoad(address);
        for (int i = 0; i < jedisWriters; i++) {
            int id = i;
            IntegrityLedger ledger = new IntegrityLedger("j" + i);
            load.ledgers.add(ledger);
            load.spawn("soak-jedis-" + i, () -> load.jedisWriter(id, ledger));
        }
        for (int i = 0; i < lettuceWriters; i++) {
            int id = i;
            IntegrityLedger ledger = new IntegrityLedger("l" + i);
            load.ledgers.add(ledger);
            load.spawn("soak-lettuce-" + i, () -> load.lettuceWriter(id, ledger));
        }
        load.subscribe();
        load.spawn("soak-publisher", load::publisher);
        return load;
    }

    /** A step of chaos run while no writer has a command outstanding. */
    public interface Paused {
        void run() throws Exception;
    }

    /**
     * Waits until no writer has a command outstanding, runs {@code step} while they wait, and lets
     * them go on. A step that kills a master first checks that its replica has every write (a
     * direct write then {@code WAIT}): then an acknowledged write can only be lost by Shardis.
     */
    public void pauseWrites(Paused step) throws Exception {
        gate.writeLock().lock();
        try {
            step.run();
        } finally {
            gate.writeLock().unlock();
        }
    }

    /** Stops every writer and waits for them (bounded by the clients' timeouts). */
    public void stop() throws InterruptedException {
        running.set(false);
        for (Thread thread : threads) {
            thread.join(2L * CLIENT_TIMEOUT_MILLIS + 5_000);
            if (thread.isAlive()) {
                throw new IllegalStateException(thread.getName() + " did not stop");
            }
        }
    }

    /** Every writer's keys read back with {@code get}: the violations found during and after the run. */
    public List<String> check(Function<String, String> get) {
        List<String> violations = new ArrayList<>();
        for (IntegrityLedger ledger : ledgers) {
            violations.addAll(ledger.check(get));
        }
        List<Long> messages = new ArrayList<>(received);
        long lastPublished = published.get();
        for (int i = 0; i < messages.size(); i++) {
            long message = messages.get(i);
            if (message < 1 || message > lastPublished) {
                violations.add("message " + message + " received, never published (" + lastPublished + " were)");
            } else if (i > 0 && message <= messages.get(i - 1)) {
                violations.add("message " + message + " received after " + messages.get(i - 1));
            }
        }
        return violations;
    }

    public long operations() {
        return operations.get();
    }

    public long errors() {
        return errors.get();
    }

    /** Each distinct error text (digits folded) and how often it came. */
    public Map<String, AtomicLong> errorTexts() {
        return errorTexts;
    }

    public long acknowledgedWrites() {
        return ledgers.stream().mapToLong(IntegrityLedger::acknowledgedWrites).sum();
    }

    public long keys() {
        return ledgers.stream().mapToLong(IntegrityLedger::keys).sum();
    }

    public long published() {
        return published.get();
    }

    public long received() {
        return received.size();
    }

    @Override
    public void close() {
        running.set(false);
        try {
            stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (subscriber != null) {
                subscriber.close();
            }
            lettuce.shutdown(Duration.ZERO, Duration.ofSeconds(5));
        }
    }

    private void spawn(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        threads.add(thread);
        thread.start();
    }

    private static String key(String writer, int group, int index) {
        return "soak:{" + writer + "g" + group + "}:" + index;
    }

    private static String counter(String writer, int group) {
        return "soak:{" + writer + "g" + group + "}:ctr";
    }

    private void jedisWriter(int id, IntegrityLedger ledger) {
        String writer = "j" + id;
        SplittableRandom random = new SplittableRandom(id);
        Jedis jedis = null;
        while (running.get()) {
            boolean failed = false;
            gate.readLock().lock();
            try {
                if (jedis == null) {
                    jedis = new Jedis(address.getHostString(), address.getPort(), CLIENT_TIMEOUT_MILLIS);
                }
                int group = random.nextInt(GROUPS);
                String a = key(writer, group, random.nextInt(KEYS_PER_GROUP));
                String b =
                        key(writer, (group + 1 + random.nextInt(GROUPS - 1)) % GROUPS, random.nextInt(KEYS_PER_GROUP));
                switch (random.nextInt(6)) {
                    case 0 -> {
                        String value = ledger.nextValue(a);
                        jedis.set(a, value);
                        ledger.acknowledged(a, value);
                    }
                    case 1 -> ledger.read(a, jedis.get(a));
                    case 2 -> {
                        String c = counter(writer, group);
                        ledger.incrementAttempted(c);
                        ledger.incrementAcknowledged(c, jedis.incr(c));
                    }
                    case 3 -> {
                        String va = ledger.nextValue(a);
                        String vb = ledger.nextValue(b);
                        jedis.mset(a, va, b, vb);
                        ledger.acknowledged(a, va);
                        ledger.acknowledged(b, vb);
                    }
                    case 4 -> {
                        List<String> both = jedis.mget(a, b);
                        ledger.read(a, both.get(0));
                        ledger.read(b, both.get(1));
                    }
                    default -> {
                        // Same group: one hash tag, one server, one slot.
                        String c = counter(writer, group);
                        String a2 = key(writer, group, (a.hashCode() & 0xff) % KEYS_PER_GROUP);
                        String va = ledger.nextValue(a);
                        ledger.incrementAttempted(c);
                        Transaction multi = jedis.multi();
                        multi.set(a, va);
                        multi.get(a2);
                        multi.incr(c);
                        List<Object> replies = multi.exec();
                        if (replies == null) {
                            throw new IllegalStateException("EXEC aborted without WATCH");
                        }
                        ledger.acknowledged(a, va);
                        ledger.incrementAcknowledged(c, (Long) replies.get(2));
                    }
                }
                operations.incrementAndGet();
            } catch (RuntimeException e) {
                jedis = failed(jedis, e);
                failed = true;
            } finally {
                gate.readLock().unlock();
            }
            if (failed) {
                pause();
            }
        }
        if (jedis != null) {
            jedis.close();
        }
    }

    private Jedis failed(Jedis jedis, RuntimeException e) {
        counted(e);
        if (jedis != null) {
            try {
                jedis.close();
            } catch (RuntimeException ignored) {
                // A broken connection.
            }
        }
        return null;
    }

    private void counted(RuntimeException e) {
        errors.incrementAndGet();
        String text = String.valueOf(e.getMessage()).replaceAll("[0-9]+", "N");
        errorTexts
                .computeIfAbsent(e.getClass().getSimpleName() + ": " + text, k -> new AtomicLong())
                .incrementAndGet();
    }

    private void lettuceWriter(int id, IntegrityLedger ledger) {
        String writer = "l" + id;
        SplittableRandom random = new SplittableRandom(1_000 + id);
        StatefulRedisConnection<String, String> connection = null;
        while (running.get()) {
            boolean failed = false;
            gate.readLock().lock();
            try {
                if (connection == null) {
                    RedisURI uri = RedisURI.create(address.getHostString(), address.getPort());
                    uri.setTimeout(Duration.ofMillis(CLIENT_TIMEOUT_MILLIS));
                    connection = lettuce.connect(uri);
                }
                RedisCommands<String, String> sync = connection.sync();
                int group = random.nextInt(GROUPS);
                String a = key(writer, group, random.nextInt(KEYS_PER_GROUP));
                String b = key(writer, (group + 3) % GROUPS, random.nextInt(KEYS_PER_GROUP));
                switch (random.nextInt(4)) {
                    case 0 -> {
                        String value = ledger.nextValue(a);
                        sync.set(a, value);
                        ledger.acknowledged(a, value);
                    }
                    case 1 -> ledger.read(a, sync.get(a));
                    case 2 -> {
                        String va = ledger.nextValue(a);
                        String vb = ledger.nextValue(b);
                        sync.mset(Map.of(a, va, b, vb));
                        ledger.acknowledged(a, va);
                        ledger.acknowledged(b, vb);
                    }
                    default -> sync.mget(a, b).forEach(kv -> ledger.read(kv.getKey(), kv.getValueOrElse(null)));
                }
                operations.incrementAndGet();
            } catch (RuntimeException e) {
                counted(e);
                if (connection != null) {
                    connection.close();
                    connection = null;
                }
                failed = true;
            } finally {
                gate.readLock().unlock();
            }
            if (failed) {
                pause();
            }
        }
        if (connection != null) {
            connection.close();
        }
    }

    private void subscribe() {
        RedisURI uri = RedisURI.create(address.getHostString(), address.getPort());
        uri.setTimeout(Duration.ofMillis(CLIENT_TIMEOUT_MILLIS));
        StatefulRedisPubSubConnection<String, String> connection = lettuce.connectPubSub(uri);
        connection.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, String message) {
                received.add(Long.parseLong(message));
            }
        });
        connection.sync().subscribe(CHANNEL);
        subscriber = connection;
    }

    /** Publishes 1, 2, 3... every 10 ms; resubscribes the subscriber when its connection was closed. */
    private void publisher() {
        Jedis jedis = null;
        while (running.get()) {
            try {
                if (jedis == null) {
                    jedis = new Jedis(address.getHostString(), address.getPort(), CLIENT_TIMEOUT_MILLIS);
                }
                if (!subscriber.isOpen()) {
                    subscriber.close();
                    subscribe();
                }
                // Counted before it is sent: a PUBLISH whose reply is lost may still have been delivered.
                long next = published.incrementAndGet();
                jedis.publish(CHANNEL, Long.toString(next));
                operations.incrementAndGet();
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                jedis = failed(jedis, e);
                pause();
            }
        }
        if (jedis != null) {
            jedis.close();
        }
    }

    private static void pause() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
