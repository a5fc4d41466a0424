package io.shardis.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Shardis as an operator runs it: the distribution's {@code bin/shardis -c FILE} as a child
 * process, stopped by PID (with any JVM the script forked).
 *
 * <p>The distribution is the proxy module's {@code target/shardis-VERSION/} (built by
 * {@code mvn package}), or the {@code bin/shardis} of {@code -Dshardis.it.dist=DIR}.
 * Placeholders {@code ${port.NAME}} in the configuration get free ports, which the process is
 * waited on to accept connections and which {@link #port(String)} returns.
 */
public final class ShardisProcess implements AutoCloseable, ChildProcesses.Stoppable {

    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);
    private static final int START_ATTEMPTS = 3;

    private final Process process;
    private final Path dir;
    private final Map<String, Integer> listenPorts;
    private final Map<String, Integer> ports;

    private ShardisProcess(Process process, Path dir, Map<String, Integer> listenPorts, Map<String, Integer> ports) {
        this.process = process;
        this.dir = dir;
        this.listenPorts = listenPorts;
        this.ports = ports;
    }

    /** What a finished launcher run printed and how it exited. */
    public record Result(int exitCode, String output) {}

    /** The launcher script of the built distribution, if it is there. */
    public static Optional<Path> launcher() {
        String configured = System.getProperty("shardis.it.dist", "").trim();
        if (!configured.isEmpty()) {
            return executable(Path.of(configured).resolve("bin").resolve("shardis"));
        }
        Path target = repoRoot().resolve("proxy").resolve("target");
        if (!Files.isDirectory(target)) {
            return Optional.empty();
        }
        try (Stream<Path> found = Files.find(
                target,
                4,
                (path, attributes) -> path.getFileName().toString().equals("shardis")
                        && path.getParent().getFileName().toString().equals("bin")
                        && Files.isDirectory(path.getParent().resolveSibling("lib")))) {
            return found.filter(Files::isExecutable).findFirst();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot search " + target, e);
        }
    }

    /** The repository's root: {@code -Dshardis.it.repo-root}, set by the build, else the parent of the working directory. */
    public static Path repoRoot() {
        String configured = System.getProperty("shardis.it.repo-root", "").trim();
        return configured.isEmpty()
                ? Path.of("").toAbsolutePath().getParent()
                : Path.of(configured).toAbsolutePath();
    }

    /** Writes {@code yaml} to a file in a fresh directory and returns its path, for {@code -c} and {@code -t}. */
    public static Path writeConfig(String yaml) {
        Path file = WorkDirs.newDir("shardis-").resolve("shardis.yml");
        try {
            Files.writeString(file, yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /**
     * Starts {@code bin/shardis demo} with its output in {@code output}; stopped (TERM, then KILL)
     * when the test ends, if it has not ended by then. The caller reads the ports it prints.
     */
    public static Process demo(Path output) {
        Path script = launcher().orElseThrow(() -> new IllegalStateException("no built distribution with bin/shardis"));
        ProcessBuilder builder = new ProcessBuilder(script.toString(), "demo")
                .directory(output.getParent().toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()));
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        try {
            Process process = builder.start();
            ChildProcesses.register(() -> ChildProcesses.terminate(process));
            return process;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + script + " demo", e);
        }
    }

    /** Runs the launcher with {@code args} to completion (e.g. {@code -t -c FILE}), bounded in time. */
    public static Result run(String... args) {
        Path dir = WorkDirs.newDir("shardis-run-");
        Path output = dir.resolve("output.log");
        Process process = launch(List.of(args), dir, output, null, null);
        ChildProcesses.Stoppable stopper = () -> ChildProcesses.terminate(process);
        ChildProcesses.register(stopper);
        try {
            if (!process.waitFor(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("bin/shardis " + String.join(" ", args) + " did not finish within "
                        + COMMAND_TIMEOUT.toSeconds() + "s\n" + LogFiles.tail(output));
            }
            return new Result(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            stopper.stop();
            ChildProcesses.unregister(stopper);
        }
    }

    /**
     * Starts {@code bin/shardis -c FILE extraArgs...} on {@code yamlTemplate} rendered with
     * {@code values} plus a free port for each {@code ${port.NAME}} (in the YAML or in
     * {@code extraArgs}), and waits until every such port of the YAML accepts connections.
     */
    public static ShardisProcess start(String yamlTemplate, Map<String, ?> values, String... extraArgs) {
        return startWithJavaOpts(null, yamlTemplate, values, extraArgs);
    }

    /** As {@link #start}, with {@code JAVA_OPTS} set to {@code javaOpts} (null: inherited) for the launcher. */
    public static ShardisProcess startWithJavaOpts(
            String javaOpts, String yamlTemplate, Map<String, ?> values, String... extraArgs) {
        return startWithJava(null, javaOpts, yamlTemplate, values, extraArgs);
    }

    /**
     * As {@link #startWithJavaOpts}, run by the Java under {@code javaHome} (null: the tests' own) as
     * the launcher's {@code JAVA_HOME}.
     */
    public static ShardisProcess startWithJava(
            Path javaHome, String javaOpts, String yamlTemplate, Map<String, ?> values, String... extraArgs) {
        IllegalStateException last = null;
        for (int attempt = 0; attempt < START_ATTEMPTS; attempt++) {
            Map<String, Integer> ports = PortPlaceholders.allocate(yamlTemplate);
            // Ports named on the command line (--http ${port.http}, -s ${port.stats}) are listened on too: waited on
            // like the pools' so a test's first request to them never races the process' start.
            Map<String, Integer> allPorts = new LinkedHashMap<>(ports);
            for (String arg : extraArgs) {
                PortPlaceholders.allocate(arg).forEach(allPorts::putIfAbsent);
            }
            Map<String, Object> all = PortPlaceholders.withPorts(values, allPorts);
            Path config = writeConfig(Template.render(yamlTemplate, all));
            List<String> args = new ArrayList<>(List.of("-c", config.toString()));
            for (String arg : extraArgs) {
                args.add(Template.render(arg, all));
            }
            Path dir = config.getParent();
            Process process = launch(args, dir, dir.resolve("output.log"), javaHome, javaOpts);
            ShardisProcess shardis = new ShardisProcess(process, dir, Map.copyOf(allPorts), Map.copyOf(allPorts));
            ChildProcesses.register(shardis);
            boolean ready = Poll.until(STARTUP_TIMEOUT, shardis::acceptsOnAllPorts, () -> !process.isAlive());
            if (ready) {
                return shardis;
            }
            String log = shardis.log();
            shardis.stop();
            last = new IllegalStateException("Shardis did not accept connections on " + ports + " within "
                    + STARTUP_TIMEOUT.toSeconds() + "s (alive: " + process.isAlive() + ")\n" + log);
            if (!log.contains("Address already in use")) {
                throw last;
            }
        }
        throw last;
    }

    public int port(String name) {
        return PortPlaceholders.lookup(ports, name);
    }

    public long pid() {
        return process.pid();
    }

    /** The process' resident set size in bytes ({@code VmRSS} of /proc; the launcher execs the JVM, so the PID is the JVM's). */
    public long residentBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("no VmRSS for pid " + process.pid());
    }

    /** Sends {@code signal} ("TERM", "HUP") to the JVM (the launcher execs it, so it has the launcher's PID). */
    public void signal(String signal) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + signal + " " + process.pid() + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The configuration file it was started with, to rewrite before a reload. */
    public Path configFile() {
        return dir.resolve("shardis.yml");
    }

    /** Sends SIGTERM, as an operator's {@code kill PID} or systemd's stop does, and returns at once. */
    public void sigterm() {
        process.destroy();
    }

    /** The exit code once the process has ended within {@code timeout}; empty if it still runs. */
    public Optional<Integer> awaitExit(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)
                ? Optional.of(process.exitValue())
                : Optional.empty();
    }

    /** The end of what the launcher printed. */
    public String log() {
        return LogFiles.tail(dir.resolve("output.log"));
    }

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
        return "bin/shardis pid " + process.pid() + " ports " + ports;
    }

    private boolean acceptsOnAllPorts() {
        for (int port : listenPorts.values()) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1_000);
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }

    private static Process launch(List<String> args, Path dir, Path output, Path javaHome, String javaOpts) {
        Path script = launcher()
                .orElseThrow(() -> new IllegalStateException("no built distribution with bin/shardis under "
                        + repoRoot().resolve("proxy/target")
                        + "; build it with `mvn -pl proxy -am package` or set -Dshardis.it.dist=DIR"));
        List<String> command = new ArrayList<>();
        command.add(script.toString());
        command.addAll(args);
        if (args.stream().noneMatch(arg -> arg.startsWith("--http"))) {
            // Not the default 127.0.0.1:22223, which concurrent runs would fight over; ask with --http.
            command.add("--http=off");
        }
        boolean runs = args.stream().noneMatch(arg -> arg.equals("-t") || arg.equals("-h") || arg.equals("-V"));
        if (runs && args.stream().noneMatch(arg -> arg.equals("-s") || arg.startsWith("--stats-port"))) {
            // Nor the default stats port 22222: any free one.
            command.add("-s");
            command.add("0");
        }
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()));
        // The launcher runs the same Java as these tests, unless told another.
        builder.environment()
                .put("JAVA_HOME", javaHome != null ? javaHome.toString() : System.getProperty("java.home"));
        if (javaOpts != null) {
            builder.environment().put("JAVA_OPTS", javaOpts);
        }
        try {
            return builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command, e);
        }
    }

    private static Optional<Path> executable(Path path) {
        return Files.isExecutable(path) ? Optional.of(path) : Optional.empty();
    }
}
