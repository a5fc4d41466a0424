package io.shardis.proxy;

import io.shardis.proxy.config.ConfigException;
import io.shardis.proxy.config.HostPort;
import io.shardis.proxy.config.ProcessConfig;
import io.shardis.proxy.config.ShardisConfig;
import io.shardis.proxy.config.Version;
import io.shardis.proxy.tls.TlsCheck;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code shardis -c conf/shardis.yml}: starts Shardis in the foreground until it is signalled to stop. */
public final class Main {

    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        Flags line;
        try {
            line = Flags.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("shardis: " + e.getMessage());
            System.err.print(Flags.usage());
            return 2;
        }
        if (line.help()) {
            System.out.print(Flags.usage());
            return 0;
        }
        if (line.version()) {
            System.out.println("This is shardis-" + Version.current());
            return 0;
        }
        if (line.demo()) {
            System.err.println("shardis: 'demo' is run by the bin/shardis launcher, which starts a redis-server:"
                    + " bin/shardis demo");
            return 2;
        }
        ShardisConfig config;
        try {
            config = ShardisConfig.load(line.configFile());
        } catch (ConfigException e) {
            System.err.println("shardis: configuration file '" + line.configFile() + "' syntax is invalid");
            System.err.println("shardis: " + e.getMessage());
            return 1;
        }
        if (line.http() != null && ProcessConfig.parseHttp(line.http()) == null) {
            System.err.println("shardis: option '--http' takes host:port, or 0 or off, got '" + line.http() + "'");
            return 2;
        }
        if (line.testConfig()) {
            List<String> tlsProblems = TlsCheck.problems(config);
            if (!tlsProblems.isEmpty()) {
                System.err.println(
                        "shardis: configuration file '" + line.configFile() + "' has TLS files that cannot be used");
                tlsProblems.forEach(problem -> System.err.println("shardis: " + problem));
                return 1;
            }
            System.out.println("shardis: configuration file '" + line.configFile() + "' syntax is ok");
            for (String warning : SecurityReport.warnings(config)) {
                System.err.println("shardis: warning: " + warning);
            }
            return 0;
        }
        Logging.apply(line.verbosity(), line.logFile());
        Logger log = LoggerFactory.getLogger(Main.class);
        log.info(
                "shardis-{} starting, configuration {}, pid {}",
                Version.current(),
                line.configFile(),
                ProcessHandle.current().pid());
        ShardisServer server;
        try {
            writePidFile(line.pidFile());
            if (line.transport() != null) {
                config = new ShardisConfig(
                        config.source(), config.pools(), config.process().withTransport(line.transport()));
            }
            server = ShardisServer.start(
                    config,
                    line.workers(),
                    new InetSocketAddress(line.statsAddress(), line.statsPort()),
                    httpAddress(line, config));
        } catch (Exception e) {
            log.error("shardis could not start: {}", e.getMessage(), e);
            deletePidFile(line.pidFile());
            return 1;
        }
        server.reloadsFrom(line.configFile());
        server.transportFlag(line.transport());
        server.drainGrace(line.drainGraceMillis());
        reloadOnHangup(server, log);
        int watchMillis = config.process().watchMillis();
        ConfigWatch watch = watchMillis > 0 && line.configFile() != null
                ? ConfigWatch.start(line.configFile(), watchMillis, server::reloadConfiguration)
                : null;
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            log.info("shardis stopping");
                            if (watch != null) {
                                watch.close();
                            }
                            server.close();
                            deletePidFile(line.pidFile());
                            stopped.countDown();
                        },
                        "shardis-shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    /**
     * SIGHUP (systemd's reload, {@code kill -HUP}) reloads the configuration file, TLS
     * certificates and keys included ({@link ShardisServer#reloadConfiguration()}), off the
     * signal's thread.
     */
    private static void reloadOnHangup(ShardisServer server, Logger log) {
        try {
            HangupSignal.onHangup(() -> {
                log.info("SIGHUP received: reloading the configuration");
                Thread reload = new Thread(server::reloadConfiguration, "shardis-reload");
                reload.setDaemon(true);
                reload.start();
            });
        } catch (UnsupportedOperationException e) {
            log.debug("SIGHUP cannot be handled on this platform: {}", e.getMessage());
        }
    }

    /** Where the HTTP listener goes: {@code --http} when given, else the configuration's; null for none. */
    static InetSocketAddress httpAddress(Flags line, ShardisConfig config) {
        HostPort http = line.http() != null
                ? ProcessConfig.parseHttp(line.http()).address()
                : config.process().http();
        return http == null ? null : new InetSocketAddress(http.host(), http.port());
    }

    private static void writePidFile(Path pidFile) throws IOException {
        if (pidFile != null) {
            Files.writeString(pidFile, ProcessHandle.current().pid() + "\n", StandardCharsets.US_ASCII);
        }
    }

    private static void deletePidFile(Path pidFile) {
        if (pidFile != null) {
            try {
                Files.deleteIfExists(pidFile);
            } catch (IOException ignored) {
                // Nothing more to do on the way out.
            }
        }
    }
}
