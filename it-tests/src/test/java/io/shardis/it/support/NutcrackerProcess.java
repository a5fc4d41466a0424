package io.shardis.it.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import redis.clients.jedis.ClientSetInfoConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

/**
 * Twemproxy ({@code nutcracker}) as a child process on 127.0.0.1, for side-by-side tests:
 * {@code nutcracker -c FILE -s STATS_PORT -a 127.0.0.1 -o LOG} on a YAML template, stopped by PID.
 *
 * <p>Placeholders {@code ${port.NAME}} in the YAML get free ports, like {@link ShardisProcess};
 * the process is waited on until every pool's {@code listen} port and the stats port accept
 * connections. A test calling {@link #start} is skipped (a JUnit assumption) when nutcracker is not
 * installed.
 *
 * <pre>{@code
 * try (NutcrackerProcess twemproxy = NutcrackerProcess.start("""
 *         alpha:
 *           listen: 127.0.0.1:${port.alpha}
 *           redis: true
 *           servers:
 *             - ${redis}:1
 *         """, Map.of("redis", redis.address()))) {
 *     try (Jedis jedis = twemproxy.jedis("alpha")) { ... }
 * }
 * }</pre>
 */
public final class NutcrackerProcess implements AutoCloseable, ChildProcesses.Stoppable {

    public static final String HOST = "127.0.0.1";

    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(20);
    private static final int START_ATTEMPTS = 3;
    private static final int CLIENT_TIMEOUT_MILLIS = 10_000;
    /** A pool: an unindented {@code name:} line. Its listen address: an indented {@code listen: host:port}. */
    private static final Pattern POOL_LINE = Pattern.compile("^([^\\s#][^:]*):\\s*(#.*)?$");

    private static final Pattern LISTEN_LINE = Pattern.compile("^\\s+listen:\\s*\"?([^\"\\s#]+)\"?");

    private final Process process;
    private final Path dir;
    private final String config;
    private final Map<String, Integer> listenPorts;
    private final Map<String, Integer> ports;
    private final int statsPort;

    private NutcrackerProcess(
            Process process,
            Path dir,
            String config,
            Map<String, Integer> listenPorts,
            Map<String, Integer> ports,
            int statsPort) {
        this.process = process;
        this.dir = dir;
        this.config = config;
        this.listenPorts = listenPorts;
        this.ports = ports;
        this.statsPort = statsPort;
    }

    /** Whether nutcracker is installed on this machine. */
    public static boolean installed() {
        return RedisBinaries.onPath("nutcracker").isPresent();
    }

    /**
     * Starts nutcracker on {@code yamlTemplate} rendered with {@code values} and a free port for each
     * {@code ${port.NAME}}, plus any {@code extraArgs} (e.g. {@code "-i", "100"} for a stats
     * interval of 100 ms instead of 30 s). Skips the calling test when nutcracker is not installed.
     */
    public static NutcrackerProcess start(String yamlTemplate, Map<String, ?> values, String... extraArgs) {
        Prerequisites.need(
                installed(),
                "nutcracker (Twemproxy) is not installed on this machine; "
                        + "install it to run this test (Debian/Ubuntu: `apt-get install nutcracker`)");
        Path binary = RedisBinaries.onPath("nutcracker").orElseThrow();
        IllegalStateException last = null;
        for (int attempt = 0; attempt < START_ATTEMPTS; attempt++) {
            Map<String, Integer> ports = PortPlaceholders.allocate(yamlTemplate);
            String yaml = Template.render(yamlTemplate, PortPlaceholders.withPorts(values, ports));
            Map<String, Integer> listenPorts = listenPorts(yaml);
            int statsPort = FreePorts.next();
            Path dir = WorkDirs.newDir("nutcracker-");
            Path file = dir.resolve("nutcracker.yml");
            try {
                Files.writeString(file, yaml);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            List<String> command = new ArrayList<>(List.of(
                    binary.toString(),
                    "-c",
                    file.toString(),
                    "-s",
                    Integer.toString(statsPort),
                    "-a",
                    HOST,
                    "-o",
                    dir.resolve("nutcracker.log").toString()));
            command.addAll(List.of(extraArgs));
            Process process = ChildProcesses.launch(command, dir);
            NutcrackerProcess nutcracker =
                    new NutcrackerProcess(process, dir, yaml, Map.copyOf(listenPorts), Map.copyOf(ports), statsPort);
            ChildProcesses.register(nutcracker);
            boolean ready = Poll.until(STARTUP_TIMEOUT, nutcracker::acceptsOnAllPorts, () -> !process.isAlive());
            if (ready) {
                return nutcracker;
            }
            String log = nutcracker.log();
            boolean alive = process.isAlive();
            nutcracker.stop();
            last = new IllegalStateException("nutcracker did not accept connections on " + listenPorts.values()
                    + " and stats port " + statsPort + " within " + STARTUP_TIMEOUT.toSeconds() + "s (alive: "
                    + alive + "); command: " + String.join(" ", command) + "\n" + yaml + "\n" + log);
            if (!log.contains("Address already in use")) {
                throw last;
            }
        }
        throw last;
    }

    /** The port {@code pool} listens on, from its {@code listen:} line. */
    public int listenPort(String pool) {
        Integer port = listenPorts.get(pool);
        if (port == null) {
            throw new IllegalArgumentException(
                    "no pool '" + pool + "' with a TCP listen address; have " + listenPorts.keySet());
        }
        return port;
    }

    /** Every pool's listen port, by pool name. */
    public Map<String, Integer> listenPorts() {
        return listenPorts;
    }

    /** The port a {@code ${port.NAME}} placeholder got. */
    public int port(String name) {
        return PortPlaceholders.lookup(ports, name);
    }

    public int statsPort() {
        return statsPort;
    }

    /**
     * A new Jedis connection to {@code pool}; the caller closes it. It skips the {@code CLIENT SETINFO}
     * Jedis sends on connect by default: nutcracker does not know {@code CLIENT} and closes the
     * connection on it.
     */
    public Jedis jedis(String pool) {
        return new Jedis(
                new HostAndPort(HOST, listenPort(pool)),
                DefaultJedisClientConfig.builder()
                        .timeoutMillis(CLIENT_TIMEOUT_MILLIS)
                        .clientSetInfoConfig(ClientSetInfoConfig.DISABLED)
                        .build());
    }

    /** The stats JSON nutcracker writes to whoever connects to its stats port, read until it closes. */
    public String stats() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), statsPort), CLIENT_TIMEOUT_MILLIS);
            socket.setSoTimeout(CLIENT_TIMEOUT_MILLIS);
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read nutcracker's stats on port " + statsPort, e);
        }
    }

    /** The YAML nutcracker runs on, after placeholders were filled. */
    public String config() {
        return config;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The end of nutcracker's log and console output, for failure messages. */
    public String log() {
        return LogFiles.tail(dir.resolve("nutcracker.log")) + "\n" + LogFiles.tail(dir.resolve("console.log"));
    }

    /** SIGTERM, a bounded wait, then SIGKILL. */
    @Override
    public void stop() {
        ChildProcesses.terminate(process);
        ChildProcesses.unregister(this);
    }

    @Override
    public void close() {
        stop();
    }

    @Override
    public String toString() {
        return "nutcracker pid " + process.pid() + " pools " + listenPorts + " stats " + statsPort;
    }

    private boolean acceptsOnAllPorts() {
        List<Integer> all = new ArrayList<>(listenPorts.values());
        all.add(statsPort);
        return acceptsOn(all);
    }

    private static boolean acceptsOn(Collection<Integer> ports) {
        for (int port : ports) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1_000);
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }

    /** Pool name to TCP listen port, read from the YAML's lines (Unix-socket pools are left out). */
    static Map<String, Integer> listenPorts(String yaml) {
        Map<String, Integer> result = new LinkedHashMap<>();
        String pool = null;
        for (String line : yaml.split("\n")) {
            Matcher poolLine = POOL_LINE.matcher(line);
            if (poolLine.matches()) {
                pool = poolLine.group(1).trim();
                continue;
            }
            Matcher listen = LISTEN_LINE.matcher(line);
            if (pool != null && listen.find() && !listen.group(1).startsWith("/")) {
                String address = listen.group(1);
                result.put(pool, Integer.parseInt(address.substring(address.lastIndexOf(':') + 1)));
            }
        }
        if (result.isEmpty()) {
            throw new IllegalArgumentException("no pool with a 'listen: host:port' in:\n" + yaml);
        }
        return result;
    }
}
