package io.shardis.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardis.it.support.Commands;
import io.shardis.it.support.Prerequisites;
import io.shardis.it.support.RedisBinaries;
import io.shardis.it.support.RedisProcess;
import io.shardis.it.support.ShardisProcess;
import io.shardis.it.support.StopChildProcesses;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;

/** The distribution's {@code bin/shardis} as an operator runs it. */
@ExtendWith(StopChildProcesses.class)
@Timeout(180)
class LauncherIT {

    private static RedisProcess redis;

    @BeforeAll
    static void start() {
        assertThat(ShardisProcess.launcher())
                .as("a built distribution with bin/shardis (mvn -pl proxy -am package)")
                .isPresent();
        redis = RedisProcess.start();
    }

    @AfterAll
    static void stop() {
        if (redis != null) {
            redis.stop();
        }
    }

    @Test
    void testModeAcceptsAGoodConfigurationWithExitCodeZero() {
        Path config = ShardisProcess.writeConfig("""
                alpha:
                  listen: 127.0.0.1:22121
                  redis: true
                  servers:
                    - 127.0.0.1:6379:1
                """);
        ShardisProcess.Result result = ShardisProcess.run("-t", "-c", config.toString());
        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("syntax is ok");
    }

    @Test
    void testModeAcceptsATwemproxyConfigurationAsItIs() {
        Path config = ShardisProcess.writeConfig("""
                alpha:
                  listen: 127.0.0.1:22121
                  hash: fnv1a_64
                  hash_tag: "{}"
                  distribution: ketama
                  auto_eject_hosts: true
                  timeout: 400
                  redis: true
                  server_retry_timeout: 2000
                  server_failure_limit: 1
                  preconnect: true
                  backlog: 1024
                  server_connections: 1
                  servers:
                   - 127.0.0.1:6379:1 server1
                """);
        ShardisProcess.Result result = ShardisProcess.run("-t", "-c", config.toString());
        assertThat(result.exitCode()).as(result.output()).isZero();
    }

    @Test
    void testModeRefusesABadConfigurationNamingTheKey() {
        Path config = ShardisProcess.writeConfig("""
                alpha:
                  listen: 127.0.0.1:22121
                  timeout: soon
                  servers:
                    - 127.0.0.1:6379:1
                """);
        ShardisProcess.Result result = ShardisProcess.run("-t", "-c", config.toString());
        assertThat(result.exitCode()).as(result.output()).isNotZero();
        assertThat(result.output())
                .contains("timeout")
                .contains("alpha")
                .contains(config.getFileName().toString());
    }

    @Test
    void anUnknownKeyIsRefusedByName() {
        Path config = ShardisProcess.writeConfig("""
                alpha:
                  listen: 127.0.0.1:22121
                  servres:
                    - 127.0.0.1:6379:1
                """);
        ShardisProcess.Result result = ShardisProcess.run("-t", "-c", config.toString());
        assertThat(result.exitCode()).as(result.output()).isNotZero();
        assertThat(result.output()).contains("servres");
    }

    @Test
    void startsAndServesRedisCli() {
        Path redisCli = RedisBinaries.get().redisCli().orElse(null);
        Prerequisites.need(redisCli != null, "redis-cli is not installed");
        try (ShardisProcess shardis =
                ShardisProcess.start("""
                alpha:
                  listen: 127.0.0.1:${port.alpha}
                  redis: true
                  timeout: 2000
                  servers:
                    - ${redis}:1
                """, Map.of("redis", redis.address()), "-s", "${port.stats}")) {
            int port = shardis.port("alpha");
            assertThat(redisCli(redisCli, port, "ping")).isEqualTo("PONG");
            assertThat(redisCli(redisCli, port, "set", "launched", "yes")).isEqualTo("OK");
            assertThat(redisCli(redisCli, port, "get", "launched")).isEqualTo("yes");
            try (var direct = redis.client()) {
                assertThat(direct.get("launched")).isEqualTo("yes");
            }
            long pid = shardis.pid();
            shardis.stop();
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
                    .isFalse();
        }
    }

    @Test
    void jvmDefaultsAreMeasuredChoicesThatJavaOptsOverrides() throws Exception {
        String pool = """
                alpha:
                  listen: 127.0.0.1:${port.alpha}
                  servers:
                    - ${redis}:1
                """;
        try (ShardisProcess shardis = ShardisProcess.start(pool, Map.of("redis", redis.address()), "-s", "0")) {
            assertThat(jvmFlags(shardis))
                    .contains(
                            "-XX:+UseParallelGC",
                            "-Dio.netty.leakDetection.level=disabled",
                            "-XX:+ExitOnOutOfMemoryError");
        }
        try (ShardisProcess shardis = ShardisProcess.startWithJavaOpts(
                "-XX:+UseSerialGC -Dio.netty.leakDetection.level=simple",
                pool,
                Map.of("redis", redis.address()),
                "-s",
                "0")) {
            assertThat(jvmFlags(shardis))
                    .contains("-XX:+UseSerialGC", "-Dio.netty.leakDetection.level=simple")
                    .doesNotContain("-XX:+UseParallelGC", "-Dio.netty.leakDetection.level=disabled");
        }
    }

    /**
     * On Java 24 and later Netty runs without {@code sun.misc.Unsafe} while its direct buffers still
     * have addresses: the codec and the merge, which read and copy through addresses where they
     * may, must fall back there. Pipelined writes, reads split in every way a socket splits them, and
     * an MGET split over two servers and merged, through a Shardis run by such a Java when one is
     * installed (under /usr/lib/jvm, or -Dshardis.it.newer-java=JAVA_HOME).
     */
    @Test
    void servesOnAJavaWhereNettyHasNoUnsafe() throws Exception {
        Optional<Path> newer = newerJava();
        Assumptions.assumeTrue(newer.isPresent(), "no Java 24 or later installed beside the tests' Java");
        RedisProcess second = RedisProcess.start();
        try (ShardisProcess shardis = ShardisProcess.startWithJava(
                newer.get(), null, """
                alpha:
                  listen: 127.0.0.1:${port.alpha}
                  servers:
                    - ${one}:1
                    - ${two}:1
                """, Map.of("one", redis.address(), "two", second.address()), "-s", "0")) {
            assertThat(jvmFlags(shardis).get(0)).startsWith(newer.get().toString());
            try (Jedis jedis = new Jedis("127.0.0.1", shardis.port("alpha"))) {
                Pipeline pipeline = jedis.pipelined();
                List<String> keys = new ArrayList<>();
                for (int i = 0; i < 300; i++) {
                    keys.add("newer-java:" + i);
                    pipeline.set("newer-java:" + i, "v".repeat(i % 200) + i);
                }
                pipeline.sync();
                List<String> values = jedis.mget(keys.toArray(String[]::new));
                for (int i = 0; i < 300; i++) {
                    assertThat(values.get(i)).as(keys.get(i)).isEqualTo("v".repeat(i % 200) + i);
                }
                assertThat(jedis.del(keys.toArray(String[]::new))).isEqualTo(300);
            }
            assertThat(shardis.log()).doesNotContain("unexpected error", "Exception");
        } finally {
            second.stop();
        }
    }

    /** A Java of release 24 or later: -Dshardis.it.newer-java, else the newest under /usr/lib/jvm. */
    private static Optional<Path> newerJava() throws IOException {
        String given = System.getProperty("shardis.it.newer-java");
        if (given != null) {
            return Optional.of(Path.of(given));
        }
        Path jvms = Path.of("/usr/lib/jvm");
        if (!Files.isDirectory(jvms)) {
            return Optional.empty();
        }
        Pattern version = Pattern.compile("^JAVA_VERSION=\"(\\d+)", Pattern.MULTILINE);
        try (Stream<Path> homes = Files.list(jvms)) {
            return homes.filter(home -> Files.isExecutable(home.resolve("bin/java")))
                    .filter(home -> {
                        try {
                            Matcher m = version.matcher(Files.readString(home.resolve("release")));
                            return m.find() && Integer.parseInt(m.group(1)) >= 24;
                        } catch (IOException e) {
                            return false;
                        }
                    })
                    .sorted()
                    .reduce((first, last) -> last);
        }
    }

    /** The command line of the JVM the launcher ran (it execs java: the same PID). */
    private static List<String> jvmFlags(ShardisProcess shardis) throws java.io.IOException {
        byte[] cmdline = java.nio.file.Files.readAllBytes(Path.of("/proc", Long.toString(shardis.pid()), "cmdline"));
        return List.of(new String(cmdline, java.nio.charset.StandardCharsets.UTF_8).split("\0"));
    }

    private static String redisCli(Path redisCli, int port, String... args) {
        List<String> command =
                new ArrayList<>(List.of(redisCli.toString(), "-h", "127.0.0.1", "-p", Integer.toString(port)));
        command.addAll(List.of(args));
        Commands.Result result = Commands.run(command, Duration.ofSeconds(30));
        assertThat(result.exitCode()).as(result.output()).isZero();
        return result.output().trim();
    }
}
