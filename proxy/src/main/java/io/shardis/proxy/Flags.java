package io.shardis.proxy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Unmatched;

/**
 * Shardis' flags: nutcracker's, read as its getopt reads them ({@code -tv7}, {@code -v 7},
 * {@code --verbose=7}, {@code -c FILE}, {@code --conf-file=FILE}), so that a Twemproxy command line
 * keeps working; plus Shardis' own ({@code -w}, {@code --http}) and the launcher's {@code demo}.
 */
@Command(
        name = "shardis",
        sortOptions = false,
        usageHelpWidth = 100,
        separator = "=",
        synopsisHeading = "Usage: ",
        customSynopsis = {
            "shardis [-htdV] [-v verbosity level] [-o output file]",
            "               [-c conf file] [-s stats port] [-a stats addr]",
            "               [-i stats interval] [-p pid file] [-w worker threads]",
            "               [--http=HOST:PORT] [--drain-grace=MS] [--transport=NAME]",
            "       shardis demo [FLAGS...]"
        },
        optionListHeading = "%nOptions:%n",
        commandListHeading = "%nSubcommands of the bin/shardis launcher:%n",
        subcommands = Flags.Demo.class)
final class Flags {

    @Option(
            names = {"-h", "--help"},
            usageHelp = true,
            description = "this help")
    private boolean help;

    @Option(
            names = {"-V", "--version"},
            versionHelp = true,
            description = "show version and exit")
    private boolean version;

    @Option(
            names = {"-t", "--test-conf"},
            description = "test the configuration file for errors and exit")
    private boolean testConfig;

    @Option(
            names = {"-d", "--daemonize"},
            description = "not supported: run under systemd (conf/systemd/shardis.service)")
    private boolean daemonize;

    @Option(
            names = {"-D", "--describe-stats"},
            hidden = true)
    private boolean describeStats;

    @Option(
            names = {"-v", "--verbose"},
            paramLabel = "N",
            description = "log level, 0..11 as nutcracker (default: 5 = notice/info)")
    private int verbosity = 5;

    @Option(
            names = {"-o", "--output"},
            paramLabel = "S",
            description = "log file (default: stderr)")
    private Path logFile;

    @Option(
            names = {"-c", "--conf-file"},
            paramLabel = "S",
            description = "configuration file (default: conf/shardis.yml)")
    private Path configFile = Path.of("conf/shardis.yml");

    @Option(
            names = {"-s", "--stats-port"},
            paramLabel = "N",
            description = "stats port (default: 22222; 0: any free port, logged)")
    private int statsPort = 22222;

    @Option(
            names = {"-a", "--stats-addr"},
            paramLabel = "S",
            description = "stats address (default: 127.0.0.1; nutcracker's is 0.0.0.0)")
    private String statsAddress = "127.0.0.1";

    @Option(
            names = {"-i", "--stats-interval"},
            paramLabel = "N",
            description = "accepted for compatibility; the stats document is always current")
    private int statsIntervalMillis = 30000;

    @Option(
            names = {"-p", "--pid-file"},
            paramLabel = "S",
            description = "pid file (default: off)")
    private Path pidFile;

    @Option(
            names = {"-w", "--workers"},
            paramLabel = "N",
            description = "event-loop threads (default: one per core)")
    private int workers = Runtime.getRuntime().availableProcessors();

    @Option(
            names = "--http",
            paramLabel = "HOST:PORT",
            description = {
                "HTTP listener for /metrics, /health, /ready, /pools (default: the",
                "'shardis: http:' setting, else 127.0.0.1:22223; 0 or off: none)"
            })
    private String http;

    @Option(
            names = "--drain-grace",
            paramLabel = "MS",
            description = {
                "on SIGTERM, ms of /ready answering 503 while clients are still served, before the",
                "listeners close (default: the 'shardis: drain_grace:' setting, else 5000; with --http only)"
            })
    private Integer drainGraceMillis;

    @Option(
            names = "--transport",
            paramLabel = "NAME",
            description = {
                "socket I/O: auto (io_uring, else epoll, else NIO), io_uring, epoll or nio",
                "(default: the 'shardis: transport:' setting, else auto)"
            })
    private String transport;

    private boolean demo;

    /** {@code bin/shardis demo}: the launcher runs it (a throw-away redis-server and Shardis in front of it). */
    @Command(name = "demo", description = "start a local redis-server and Shardis in front of it")
    static final class Demo {
        @Unmatched
        private List<String> flags = new ArrayList<>();
    }

    private Flags() {}

    /**
     * Reads {@code args}; help and version leave the other flags unchecked, as getopt's callers do.
     *
     * @throws IllegalArgumentException saying which flag is wrong and why
     */
    static Flags parse(String... args) {
        Flags flags = new Flags();
        CommandLine line = commandLine(flags);
        try {
            ParseResult result = line.parseArgs(args);
            flags.demo = result.subcommand() != null;
        } catch (ParameterException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        if (flags.help || flags.version) {
            return flags;
        }
        if (flags.daemonize) {
            throw new IllegalArgumentException("-d (daemonize) is not supported: run Shardis in the foreground under"
                    + " systemd, see conf/systemd/shardis.service");
        }
        if (flags.describeStats) {
            throw new IllegalArgumentException("-D (describe stats) is not supported yet");
        }
        range("-v, --verbose", flags.verbosity, 0, 11);
        range("-s, --stats-port", flags.statsPort, 0, 65535);
        range("-i, --stats-interval", flags.statsIntervalMillis, 1, Integer.MAX_VALUE);
        range("-w, --workers", flags.workers, 1, 1024);
        if (flags.drainGraceMillis != null) {
            range("--drain-grace", flags.drainGraceMillis, 0, 3_600_000);
        }
        if (flags.transport != null) {
            String given = flags.transport;
            flags.transport = io.shardis.proxy.config.ProcessConfig.parseTransport(given);
            if (flags.transport == null) {
                throw new IllegalArgumentException("option '--transport' takes one of "
                        + io.shardis.proxy.config.ProcessConfig.TRANSPORTS + ", got '" + given + "'");
            }
        }
        return flags;
    }

    /** The usage text, for {@code -h} and after a wrong flag. */
    static String usage() {
        return commandLine(new Flags()).getUsageMessage(CommandLine.Help.Ansi.OFF);
    }

    private static CommandLine commandLine(Flags flags) {
        // Clustered short flags as getopt reads them: -tv7 is -t -v 7. Unlike getopt, a flag's value
        // may not look like a known flag: "-c -t" says -c's file is missing rather than reading "-t".
        // A flag given twice takes its last value, as with getopt (a wrapper's defaults, then the
        // user's own flags after them).
        return new CommandLine(flags).setPosixClusteredShortOptionsAllowed(true).setOverwrittenOptionsAllowed(true);
    }

    private static void range(String flag, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(
                    "option '" + flag + "' takes a number in " + min + ".." + max + ", got " + value);
        }
    }

    boolean help() {
        return help;
    }

    boolean version() {
        return version;
    }

    boolean testConfig() {
        return testConfig;
    }

    /** {@code demo}, which only the launcher runs. */
    boolean demo() {
        return demo;
    }

    int verbosity() {
        return verbosity;
    }

    Path logFile() {
        return logFile;
    }

    Path configFile() {
        return configFile;
    }

    int statsPort() {
        return statsPort;
    }

    String statsAddress() {
        return statsAddress;
    }

    int statsIntervalMillis() {
        return statsIntervalMillis;
    }

    Path pidFile() {
        return pidFile;
    }

    int workers() {
        return workers;
    }

    String http() {
        return http;
    }

    /** {@code --drain-grace}, or null when not given (the configuration's then). */
    Integer drainGraceMillis() {
        return drainGraceMillis;
    }

    /** {@code --transport}, one of {@code ProcessConfig.TRANSPORTS}, or null when not given (the configuration's then). */
    String transport() {
        return transport;
    }
}
