package io.shardis.it.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where the Redis (and Twemproxy) executables the end-to-end tests run are.
 *
 * <p>Looked up on {@code PATH} and in the usual install directories. When no {@code redis-server}
 * is installed, the Linux x86-64 binary shipped inside the {@code embedded-redis} test dependency
 * is extracted into a cache directory ({@code -Dshardis.it.cache-dir}, set by the build to
 * {@code target/}, else {@code ~/.cache/shardis}). {@code -Dshardis.it.redis-server=PATH} picks a
 * binary explicitly; {@code -Dshardis.it.redis-server=embedded} forces the shipped one.
 *
 * <p>A Testcontainers-backed source (a {@code redis:7} container per fixture) would plug in here,
 * as another way to obtain a server address, for machines that have a container engine; the
 * default path needs none.
 */
public final class RedisBinaries {

    private static final String EMBEDDED_RESOURCE = "redis-server-6.2.6-v5-linux-amd64";
    private static final List<Path> WELL_KNOWN_DIRS =
            List.of(Path.of("/usr/local/bin"), Path.of("/usr/bin"), Path.of("/usr/local/sbin"), Path.of("/usr/sbin"));
    private static final Pattern VERSION = Pattern.compile("v=(\\d+)\\.(\\d+)\\.(\\d+)");

    private static volatile RedisBinaries instance;

    private final Path redisServer;
    private final String serverVersion;

    private RedisBinaries(Path redisServer) {
        this.redisServer = redisServer;
        this.serverVersion = versionOf(redisServer);
    }

    /** The binaries of this machine, located once per JVM. */
    public static RedisBinaries get() {
        RedisBinaries found = instance;
        if (found == null) {
            synchronized (RedisBinaries.class) {
                found = instance;
                if (found == null) {
                    found = new RedisBinaries(locateServer());
                    instance = found;
                }
            }
        }
        return found;
    }

    public Path redisServer() {
        return redisServer;
    }

    /** The server's version, e.g. {@code 7.0.15}. */
    public String serverVersion() {
        return serverVersion;
    }

    /** Whether the server is at least {@code major.minor}: tests of newer commands check this. */
    public boolean serverAtLeast(int major, int minor) {
        String[] parts = serverVersion.split("\\.");
        int actualMajor = Integer.parseInt(parts[0]);
        int actualMinor = Integer.parseInt(parts[1]);
        return actualMajor > major || (actualMajor == major && actualMinor >= minor);
    }

    public Optional<Path> redisCli() {
        return onPath("redis-cli");
    }

    public Optional<Path> redisBenchmark() {
        return onPath("redis-benchmark");
    }

    public Optional<Path> redisSentinel() {
        return onPath("redis-sentinel");
    }

    public Optional<Path> nutcracker() {
        return onPath("nutcracker");
    }

    @Override
    public String toString() {
        return "redis-server " + serverVersion + " at " + redisServer;
    }

    private static Path locateServer() {
        String chosen = System.getProperty("shardis.it.redis-server", "").trim();
        if (chosen.equals("embedded")) {
            return extractEmbedded()
                    .orElseThrow(() -> missing("the embedded redis-server binary is not on the classpath"));
        }
        if (!chosen.isEmpty()) {
            Path path = Path.of(chosen);
            if (!Files.isExecutable(path)) {
                throw missing("-Dshardis.it.redis-server=" + chosen + " is not an executable file");
            }
            return path;
        }
        return onPath("redis-server")
                .or(RedisBinaries::extractEmbedded)
                .orElseThrow(() -> missing("no redis-server on PATH and no embedded binary for this platform"));
    }

    /** Looks {@code name} up on PATH, then in the usual directories (sbin is often not on PATH). */
    static Optional<Path> onPath(String name) {
        Set<Path> dirs = new LinkedHashSet<>();
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(java.io.File.pathSeparator)) {
                if (!dir.isBlank()) {
                    dirs.add(Path.of(dir));
                }
            }
        }
        dirs.addAll(WELL_KNOWN_DIRS);
        return dirs.stream()
                .map(dir -> dir.resolve(name))
                .filter(candidate -> Files.isRegularFile(candidate) && Files.isExecutable(candidate))
                .findFirst();
    }

    /**
     * The {@code redis-server} shipped in the embedded-redis jar, extracted to the cache directory;
     * empty on platforms it has no binary for.
     */
    public static Optional<Path> extractEmbedded() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        if (!os.contains("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            return Optional.empty();
        }
        try (InputStream binary = RedisBinaries.class.getClassLoader().getResourceAsStream(EMBEDDED_RESOURCE)) {
            if (binary == null) {
                return Optional.empty();
            }
            Path dir = cacheDir();
            Files.createDirectories(dir);
            Path target = dir.resolve(EMBEDDED_RESOURCE);
            if (!Files.isExecutable(target)) {
                // Written aside and moved into place, so two JVMs extracting at once never run a half-written file.
                Path partial = Files.createTempFile(dir, EMBEDDED_RESOURCE, ".partial");
                Files.copy(binary, partial, StandardCopyOption.REPLACE_EXISTING);
                if (!partial.toFile().setExecutable(true, true)) {
                    throw new IOException("cannot make " + partial + " executable");
                }
                Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
            return Optional.of(target);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract the embedded redis-server", e);
        }
    }

    private static Path cacheDir() {
        String configured = System.getProperty("shardis.it.cache-dir", "").trim();
        if (!configured.isEmpty()) {
            return Path.of(configured);
        }
        return Path.of(System.getProperty("user.home"), ".cache", "shardis");
    }

    /** The version a {@code redis-server} executable reports, e.g. {@code 6.2.6}. */
    public static String versionOf(Path server) {
        Commands.Result result = Commands.run(List.of(server.toString(), "--version"), Duration.ofSeconds(30));
        Matcher matcher = VERSION.matcher(result.output());
        if (result.exitCode() != 0 || !matcher.find()) {
            throw new IllegalStateException(
                    "cannot read a version from `" + server + " --version`: " + result.output());
        }
        return matcher.group(1) + "." + matcher.group(2) + "." + matcher.group(3);
    }

    private static IllegalStateException missing(String why) {
        return new IllegalStateException("The end-to-end tests need a Redis server: " + why + ". "
                + "Install one (Debian/Ubuntu: `apt-get install redis-server`, macOS: `brew install redis`) "
                + "or point -Dshardis.it.redis-server at a redis-server executable.");
    }
}
