package io.shardis.proxy.backend;

import io.netty.channel.EventLoopGroup;
import io.shardis.proxy.channel.Transport;
import io.shardis.proxy.config.PoolConfig;
import io.shardis.proxy.route.RingRouter;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Twemproxy's {@code auto_eject_hosts}: a server that fails {@code server_failure_limit} times in a
 * row leaves the ring, and its keys go to the other servers, for {@code server_retry_timeout}.
 *
 * <p>Unlike Twemproxy, which puts an ejected server back blindly when the timeout passes (and so
 * fails its keys again while it is still down), Shardis first checks that it answers {@code PING};
 * until it does, it stays out and is checked again every {@code server_retry_timeout}.
 *
 * <p>Failures are reported from every event loop; the ring is rebuilt on the control thread. The
 * PING goes over a backend connection like any other ({@link #pingOver}), so AUTH, SELECT, TLS
 * and Unix sockets are as for the pool's own traffic.
 */
public final class PoolHealth {

    private static final Logger log = LoggerFactory.getLogger(PoolHealth.class);

    private final PoolConfig config;
    private final List<BackendSettings> servers;
    private final RingRouter router;
    /** The ring, whether or not servers are ejected automatically: an operator may eject one by hand. */
    private final RingRouter ring;

    private final ScheduledExecutorService control;
    private final Server[] states;
    private final EjectionListener listener;
    private final Pinger pinger;
    private volatile boolean closed;

    /** Asks server {@code index} whether it answers: null when it does, else what went wrong. Never blocks. */
    @FunctionalInterface
    public interface Pinger {
        CompletionStage<String> ping(int server);
    }

    /**
     * PING over Shardis' own backend connections, opened on {@code loops} (see {@link BackendPing});
     * the settings given must carry the server's metrics ({@link BackendSettings#observedBy}).
     */
    public static Function<BackendSettings, CompletionStage<String>> pingOver(
            EventLoopGroup loops, Transport transport, int timeoutMillis) {
        return BackendPing.over(loops, transport, timeoutMillis);
    }

    /** Told of every ejection, for metrics. */
    public interface EjectionListener {
        EjectionListener NONE = server -> {};

        void ejected(int server);
    }

    /**
     * @param router the ring to rebuild on ejection; null when ejection does not apply (a pool of
     *               one server, or {@code auto_eject_hosts: false})
     */
    public PoolHealth(
            PoolConfig config,
            List<BackendSettings> servers,
            RingRouter router,
            ScheduledExecutorService control,
            EjectionListener listener,
            Pinger pinger) {
        this.config = config;
        this.pinger = pinger;
        this.servers = List.copyOf(servers);
        this.router = config.sharding().autoEjectHosts() ? router : null;
        this.ring = router;
        this.control = control;
        this.listener = listener;
        this.states = new Server[servers.size()];
        for (int s = 0; s < states.length; s++) {
            states[s] = new Server(s);
        }
    }

    /** The events of server {@code index}'s connections. */
    public BackendEvents events(int index) {
        return states[index];
    }

    public boolean isEjected(int index) {
        return states[index].ejected;
    }

    /** Whether an operator ejected server {@code index} ({@link #eject}): only {@link #restore} brings it back. */
    public boolean isInMaintenance(int index) {
        return states[index].maintenance;
    }

    /**
     * Takes server {@code index} out of the ring for maintenance: its keys go to the other servers
     * until {@link #restore}; health checks do not bring it back. Returns null, or why it cannot
     * be done. Waits for the control thread.
     */
    public String eject(int index) {
        if (ring == null) {
            return "pool '" + config.name() + "' has one server: there is no other to take its keys";
        }
        return onControl(() -> {
            Server server = states[index];
            if (server.maintenance) {
                return null;
            }
            int live = 0;
            for (Server other : states) {
                live += other.ejected || other == server ? 0 : 1;
            }
            if (live == 0) {
                return "it is the pool's last server in the ring";
            }
            boolean wasEjected = server.ejected;
            server.maintenance = true;
            server.ejected = true;
            rebuild();
            if (!wasEjected) {
                listener.ejected(index);
            }
            log.warn(
                    "{}: ejected by an operator; its keys go to the other servers until it is restored",
                    servers.get(index).describe());
            return null;
        });
    }

    /** Puts back a server {@link #eject ejected} by an operator (or ejected after failures). Waits for the control thread. */
    public String restore(int index) {
        if (ring == null) {
            return "pool '" + config.name() + "' has one server: it is never ejected";
        }
        return onControl(() -> {
            Server server = states[index];
            if (!server.ejected) {
                return null;
            }
            server.maintenance = false;
            server.ejected = false;
            server.failures.set(0);
            rebuild();
            log.info(
                    "{}: restored by an operator; back in the pool",
                    servers.get(index).describe());
            return null;
        });
    }

    private String onControl(Callable<String> action) {
        try {
            return control.submit(action).get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        } catch (ExecutionException | TimeoutException e) {
            return e.toString();
        }
    }

    public void close() {
        closed = true;
    }

    private final class Server implements BackendEvents {
        private final int index;
        private final AtomicInteger failures = new AtomicInteger();
        private volatile boolean ejected;
        /** Ejected by an operator: stays out until restored by one. */
        private volatile boolean maintenance;

        Server(int index) {
            this.index = index;
        }

        @Override
        public void connected() {
            if (failures.get() != 0) {
                failures.set(0);
            }
        }

        @Override
        public void failed(String reason) {
            if (router == null || ejected || closed) {
                return;
            }
            if (failures.incrementAndGet() >= config.sharding().serverFailureLimit()) {
                control.execute(() -> eject(reason));
            }
        }

        /** On the control thread. */
        private void eject(String reason) {
            if (ejected || closed) {
                return;
            }
            ejected = true;
            failures.set(0);
            rebuild();
            listener.ejected(index);
            log.warn(
                    "{}: ejected after {} failure(s) in a row (last: {}); its keys go to the other servers;"
                            + " checked again in {} ms",
                    servers.get(index).describe(),
                    config.sharding().serverFailureLimit(),
                    reason,
                    config.sharding().serverRetryTimeoutMillis());
            scheduleProbe();
        }

        private void scheduleProbe() {
            if (!closed) {
                control.schedule(this::probe, config.sharding().serverRetryTimeoutMillis(), TimeUnit.MILLISECONDS);
            }
        }

        /** On the control thread: a PING over a connection of Shardis' own, answered back on this thread. */
        private void probe() {
            if (closed || maintenance || !ejected) {
                return;
            }
            pinger.ping(index).whenComplete((problem, error) -> {
                if (!closed) {
                    control.execute(() -> probed(error != null ? error.toString() : problem));
                }
            });
        }

        private void probed(String problem) {
            if (closed || maintenance || !ejected) {
                return;
            }
            if (problem == null) {
                ejected = false;
                failures.set(0);
                rebuild();
                log.info(
                        "{}: answers PING again; back in the pool",
                        servers.get(index).describe());
            } else {
                log.debug("{}: still ejected: {}", servers.get(index).describe(), problem);
                scheduleProbe();
            }
        }
    }

    private void rebuild() {
        boolean[] live = new boolean[states.length];
        for (int s = 0; s < states.length; s++) {
            live[s] = !states[s].ejected;
        }
        ring.update(live);
    }
}
