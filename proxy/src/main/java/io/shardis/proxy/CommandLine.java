package io.shardis.proxy;

import java.nio.file.Path;

/**
 * Shardis' flags: nutcracker's, so that a Twemproxy command line keeps working.
 */
record CommandLine(
        Path configFile,
        boolean testConfig,
        boolean help,
        boolean version,
        int statsPort,
        String statsAddress,
        int statsIntervalMillis,
        int verbosity,
        Path logFile,
        Path pidFile,
        int workers,
        String http,
        String transport) {

    static final String USAGE = """
            Usage: shardis [-htdV] [-v verbosity level] [-o output file]
                           [-c conf file] [-s stats port] [-a stats addr]
                           [-i stats interval] [-p pid file] [-w worker threads]

            Options:
              -h, --help             : this help
              -V, --version          : show version and exit
              -t, --test-conf        : test the configuration file for errors and exit
              -d, --daemonize        : not supported: run under systemd (conf/systemd/shardis.service)
              -v, --verbose=N        : log level, 0..11 as nutcracker (default: 5 = notice/info)
              -o, --output=S         : log file (default: stderr)
              -c, --conf-file=S      : configuration file (default: conf/shardis.yml)
              -s, --stats-port=N     : stats port (default: 22222; 0: any free port, logged)
              -a, --stats-addr=S     : stats address (default: 127.0.0.1; nutcracker's is 0.0.0.0)
              -i, --stats-interval=N : accepted for compatibility; the stats document is always current
              -p, --pid-file=S       : pid file (default: off)
              -w, --workers=N        : event-loop threads (default: one per core)
                  --http=HOST:PORT   : HTTP listener for /metrics, /health, /ready, /pools
                                       (default: the 'shardis: http:' setting, else 127.0.0.1:22223;
                                       0 or off: none)
                  --transport=NAME   : socket I/O: auto (io_uring, else epoll, else NIO),
                                       io_uring, epoll or nio (default: the 'shardis:
                                       transport:' setting, else auto)

            Subcommands of the bin/shardis launcher:
              demo                   : start a local redis-server and Shardis in front of it
            """;

    static CommandLine parse(String[] args) throws IllegalArgumentException {
        Path config = Path.of("conf/shardis.yml");
        boolean test = false;
        boolean help = false;
        boolean version = false;
        int statsPort = 22222;
        String statsAddress = "127.0.0.1";
        int statsInterval = 30000;
        int verbosity = 5;
        Path logFile = null;
        Path pidFile = null;
        int workers = Runtime.getRuntime().availableProcessors();
        String http = null;
        String transport = null;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String value = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                value = arg.substring(eq + 1);
                arg = arg.substring(0, eq);
            }
            switch (arg) {
                case "-h", "--help" -> help = true;
                case "-V", "--version" -> version = true;
                case "-t", "--test-conf" -> test = true;
                case "-d", "--daemonize" -> throw new IllegalArgumentException(
                        "-d (daemonize) is not supported: run Shardis in the foreground under systemd,"
                                + " see conf/systemd/shardis.service");
                case "-D", "--describe-stats" -> throw new IllegalArgumentException(
                        "-D (describe stats) is not supported yet");
                case "-c", "--conf-file" -> config = Path.of(value != null ? value : next(args, ++i, arg));
                case "-o", "--output" -> logFile = Path.of(value != null ? value : next(args, ++i, arg));
                case "-p", "--pid-file" -> pidFile = Path.of(value != null ? value : next(args, ++i, arg));
                case "-a", "--stats-addr" -> statsAddress = value != null ? value : next(args, ++i, arg);
                case "-s", "--stats-port" -> statsPort = number(value != null ? value : next(args, ++i, arg), arg, 0, 65535);
                case "-i", "--stats-interval" -> statsInterval = number(value != null ? value : next(args, ++i, arg), arg, 1, Integer.MAX_VALUE);
                case "-v", "--verbose" -> verbosity = number(value != null ? value : next(args, ++i, arg), arg, 0, 11);
                case "-w", "--workers" -> workers = number(value != null ? value : next(args, ++i, arg), arg, 1, 1024);
                case "--http" -> http = value != null ? value : next(args, ++i, arg);
                case "--transport" -> {
                    String given = value != null ? value : next(args, ++i, arg);
                    transport = io.shardis.proxy.config.ProcessConfig.parseTransport(given);
                    if (transport == null) {
                        throw new IllegalArgumentException("option '--transport' takes one of "
                                + io.shardis.proxy.config.ProcessConfig.TRANSPORTS + ", got '" + given + "'");
                    }
                }
                default -> throw new IllegalArgumentException("unknown option '" + args[i] + "'");
            }
        }
        return new CommandLine(config, test, help, version, statsPort, statsAddress, statsInterval,
                verbosity, logFile, pidFile, workers, http, transport);
    }

    private static String next(String[] args, int i, String flag) {
        if (i >= args.length) {
            throw new IllegalArgumentException("option '" + flag + "' needs a value");
        }
        return args[i];
    }

    private static int number(String text, String flag, int min, int max) {
        try {
            int value = Integer.parseInt(text);
            if (value < min || value > max) {
                throw new IllegalArgumentException("option '" + flag + "' takes a number in " + min + ".." + max);
            }
            return value;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("option '" + flag + "' takes a number, got '" + text + "'");
        }
    }
}
