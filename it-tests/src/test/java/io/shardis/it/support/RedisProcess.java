package io.shardis.it.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import redis.clients.jedis.Jedis;

/**
 * A {@code redis-server} child process on 127.0.0.1 and a free port, in a temporary directory of
 * its own, without persistence. Started and stopped by PID; a JVM shutdown hook and
 * {@link StopChildProcesses} stop it if a test does not.
 *
 * <pre>{@code
 * try (RedisProcess redis = RedisProcess.start()) { ... }
 * RedisProcess replica = RedisProcess.builder().args("--replicaof", "127.0.0.1", "6379").start();
 * RedisProcess sentinel = RedisProcess.builder().config("sentinel monitor m 127.0.0.1 6379 1").sentinel().start();
 * }</pre>
 */
public final class RedisProcess implements AutoCloseable, ChildProcesses.Stoppable {

    public static final String HOST = "127.0.0.1";

    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(20);
    private static final int START_ATTEMPTS = 5;
    private static final int CLIENT_TIMEOUT_MILLIS = 10_000;

    private final Builder options;
    private final Path dir;
    private final int port;
    private Process process;
    private boolean frozen;

    private RedisProcess(Builder options, Path dir, int port) {
        this.options = options;
        this.dir = dir;
        this.port = port;
    }

    /** A plain standalone server. */
    public static RedisProcess start() {
        return builder().start();
    }

    /** A standalone server with extra command-line arguments, e.g. {@code "--maxmemory", "10mb"}. */
    public static RedisProcess start(String... extraArgs) {
        return builder().args(extraArgs).start();
    }

    public static Builder builder() {
        return new Builder();
    }

    public int port() {
        return port;
    }

    public String host() {
        return HOST;
    }

    /** {@code 127.0.0.1:PORT}, as configuration files write a server. */
    public String address() {
        return HOST + ":" + port;
    }

    public InetSocketAddress socketAddress() {
        return new InetSocketAddress(HOST, port);
    }

    /** A new Jedis connection straight to this server, for assertions; the caller closes it. */
    public Jedis client() {
        if (options.tls != null) {
            return new Jedis(
                    new redis.clients.jedis.HostAndPort(HOST, port),
                    redis.clients.jedis.DefaultJedisClientConfig.builder()
                            .ssl(true)
                            .sslSocketFactory(options.tls.socketFactory(options.tls.client()))
                            .timeoutMillis(CLIENT_TIMEOUT_MILLIS)
                            .build());
        }
        return new Jedis(HOST, port, CLIENT_TIMEOUT_MILLIS);
    }

    /** The CA of a TLS-only server ({@link Builder#tls}), or null for a plain one. */
    public TestCertificates tls() {
        return options.tls;
    }

    /** Empties every database of the server. */
    public void flushAll() {
        try (Jedis jedis = client()) {
            jedis.flushAll();
        }
    }

    /** How many clients wait in a blocking command ({@code blocked_clients} of {@code INFO clients}). */
    public long blockedClients() {
        try (Jedis jedis = client()) {
            return jedis.info("clients")
                    .lines()
                    .filter(line -> line.startsWith("blocked_clients:"))
                    .mapToLong(line -> Long.parseLong(
                            line.substring("blocked_clients:".length()).trim()))
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException("no blocked_clients in INFO clients of " + this));
        }
    }

    public synchronized long pid() {
        return process.pid();
    }

    public synchronized boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** The server's own directory: its log, config and any files it writes. */
    public Path dir() {
        return dir;
    }

    /** The end of the server's log and console output, for failure messages. */
    public String log() {
        return LogFiles.tail(dir.resolve("redis.log")) + "\n" + LogFiles.tail(dir.resolve("console.log"));
    }

    /** SIGKILL: the server dies at once, as in a crash or a lost machine. */
    public synchronized void kill() {
        if (process != null) {
            ChildProcesses.kill(process);
        }
        ChildProcesses.unregister(this);
    }

    /**
     * SIGSTOP: the server stays connected but answers nothing, like a hung or overloaded backend,
     * until {@link #thaw()}.
     */
    public synchronized void freeze() {
        signal("-STOP");
        frozen = true;
    }

    /** SIGCONT after {@link #freeze()}. */
    public synchronized void thaw() {
        if (frozen) {
            signal("-CONT");
            frozen = false;
        }
    }

    /** SIGTERM, a bounded wait, then SIGKILL. */
    @Override
    public synchronized void stop() {
        if (process != null && process.isAlive()) {
            thaw();
        }
        if (process != null) {
            ChildProcesses.terminate(process);
        }
        ChildProcesses.unregister(this);
    }

    /** Stops the server if it runs and starts it again on the same port, same directory and arguments. */
    public synchronized void restart() {
        stop();
        // After a kill the port is free at once (redis-server binds with SO_REUSEADDR); retry briefly anyway.
        IllegalStateException last = null;
        for (int attempt = 0; attempt < START_ATTEMPTS; attempt++) {
            try {
                launch();
                return;
            } catch (PortClash clash) {
                last = clash;
                Poll.until(Duration.ofSeconds(2), () -> FreePorts.isFree(port), () -> false);
            }
        }
        throw new IllegalStateException("cannot restart redis-server on port " + port, last);
    }

    @Override
    public void close() {
        stop();
    }

    @Override
    public String toString() {
        Process current = process;
        return "redis-server " + address() + (current == null ? "" : " pid " + current.pid());
    }

    private synchronized void launch() {
        frozen = false;
        List<String> command = new ArrayList<>();
        command.add(
                (options.binary != null ? options.binary : RedisBinaries.get().redisServer()).toString());
        if (options.config != null) {
            command.add(dir.resolve("redis.conf").toString());
        }
        command.addAll(List.of(
                "--port", Integer.toString(port),
                "--bind", HOST,
                "--dir", dir.toString(),
                "--logfile", dir.resolve("redis.log").toString(),
                "--save", "",
                "--appendonly", "no",
                "--daemonize", "no",
                "--protected-mode", "no",
                // Replicas sync at once instead of after the default 5 s wait for more replicas.
                "--repl-diskless-sync-delay", "0"));
        if (options.tls != null) {
            command.addAll(options.tls.redisArgs(port, options.tlsAuthClients));
        }
        command.addAll(options.args);
        if (options.sentinel) {
            command.add("--sentinel");
        }
        process = ChildProcesses.launch(command, dir);
        ChildProcesses.register(this);
        Process started = process;
        boolean ready = Poll.until(STARTUP_TIMEOUT, this::answersPing, () -> !started.isAlive());
        if (ready) {
            return;
        }
        boolean clash = !started.isAlive()
                && (LogFiles.contains(dir.resolve("redis.log"), "Address already in use")
                        || LogFiles.contains(dir.resolve("console.log"), "Address already in use"));
        stop();
        String why = clash
                ? "port " + port + " is taken"
                : "redis-server did not answer PING on " + address() + " within " + STARTUP_TIMEOUT.toSeconds() + "s";
        String message = why + "; command: " + String.join(" ", command) + "\n" + log();
        throw clash ? new PortClash(message) : new IllegalStateException(message);
    }

    private void signal(String signal) {
        try {
            Process kill = new ProcessBuilder("kill", signal, Long.toString(pid()))
                    .redirectErrorStream(true)
                    .start();
            if (!kill.waitFor(10, java.util.concurrent.TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill " + signal + " " + pid() + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Whether the server answers PING; {@code -LOADING} means not yet, any other answer (even -NOAUTH) means up. */
    private boolean answersPing() {
        try (Socket plain = new Socket()) {
            plain.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1_000);
            plain.setSoTimeout(1_000);
            Socket socket = options.tls == null
                    ? plain
                    : options.tls.socketFactory(options.tls.client()).createSocket(plain, HOST, port, true);
            OutputStream out = socket.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            StringBuilder line = new StringBuilder();
            int b;
            while ((b = in.read()) != -1 && b != '\n') {
                line.append((char) b);
            }
            String reply = line.toString().trim();
            return !reply.isEmpty() && !reply.startsWith("-LOADING");
        } catch (IOException e) {
            return false;
        }
    }

    /** Options of a server to start. */
    public static final class Builder {
        private final List<String> args = new ArrayList<>();
        private String config;
        private boolean sentinel;
        private int port;
        private Path binary;
        private TestCertificates tls;
        private String tlsAuthClients;

        private Builder() {}

        /**
         * TLS only ({@code --port 0 --tls-port PORT}) with {@code certs}' server certificate;
         * {@code authClients} ({@code yes}, {@code optional}, {@code no}) says whether clients must
         * present a certificate of that CA. {@link #client()} and the start-up check then use TLS.
         */
        public Builder tls(TestCertificates certs, String authClients) {
            this.tls = Objects.requireNonNull(certs);
            this.tlsAuthClients = Objects.requireNonNull(authClients);
            return this;
        }

        /** Extra command-line arguments, after the defaults (so they override them). */
        public Builder args(String... extra) {
            args.addAll(List.of(extra));
            return this;
        }

        /** Configuration file text, written to {@code redis.conf} in the server's directory (Sentinel rewrites it). */
        public Builder config(String text) {
            this.config = Objects.requireNonNull(text);
            return this;
        }

        /** Runs the server as a Sentinel ({@code redis-server redis.conf --sentinel}); needs {@link #config}. */
        public Builder sentinel() {
            this.sentinel = true;
            if (config == null) {
                config = "";
            }
            return this;
        }

        /** A fixed port (e.g. one from {@link FreePorts#nextWithCompanion}); by default a free one is picked. */
        public Builder port(int fixed) {
            this.port = fixed;
            return this;
        }

        /** Another {@code redis-server} than this machine's, e.g. an older version from {@link RedisBinaries#extractEmbedded()}. */
        public Builder binary(Path server) {
            this.binary = Objects.requireNonNull(server);
            return this;
        }

        public RedisProcess start() {
            IllegalStateException last = null;
            int attempts = port == 0 ? START_ATTEMPTS : 1;
            for (int attempt = 0; attempt < attempts; attempt++) {
                RedisProcess redis = new RedisProcess(this, newDir(), port == 0 ? FreePorts.next() : port);
                try {
                    if (config != null) {
                        Files.writeString(redis.dir.resolve("redis.conf"), config + "\n");
                    }
                    redis.launch();
                    return redis;
                } catch (PortClash clash) {
                    last = clash;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            throw new IllegalStateException("cannot start redis-server after " + attempts + " attempts", last);
        }

        private static Path newDir() {
            return WorkDirs.newDir("redis-");
        }
    }

    private static final class PortClash extends IllegalStateException {
        PortClash(String message) {
            super(message);
        }
    }
}
