package io.shardis.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class FlagsTest {

    @Test
    void defaultsMatchNutcrackerWhereItMatters() {
        Flags flags = Flags.parse();
        assertThat(flags.configFile()).isEqualTo(Path.of("conf/shardis.yml"));
        assertThat(flags.statsPort()).isEqualTo(22222);
        assertThat(flags.statsIntervalMillis()).isEqualTo(30000);
        assertThat(flags.verbosity()).isEqualTo(5);
        assertThat(flags.statsAddress()).isEqualTo("127.0.0.1");
        assertThat(flags.testConfig()).isFalse();
        assertThat(flags.demo()).isFalse();
        assertThat(flags.http()).isNull();
    }

    @Test
    void takesNutcrackerFlagsShortAndLong() {
        Flags flags = Flags.parse(
                "-c",
                "/etc/nutcracker.yml",
                "-s",
                "22223",
                "-a",
                "0.0.0.0",
                "-i",
                "10000",
                "-v",
                "7",
                "-o",
                "/var/log/shardis.log",
                "-p",
                "/run/shardis.pid",
                "-t");
        assertThat(flags.configFile()).isEqualTo(Path.of("/etc/nutcracker.yml"));
        assertThat(flags.statsPort()).isEqualTo(22223);
        assertThat(flags.statsAddress()).isEqualTo("0.0.0.0");
        assertThat(flags.statsIntervalMillis()).isEqualTo(10000);
        assertThat(flags.verbosity()).isEqualTo(7);
        assertThat(flags.logFile()).isEqualTo(Path.of("/var/log/shardis.log"));
        assertThat(flags.pidFile()).isEqualTo(Path.of("/run/shardis.pid"));
        assertThat(flags.testConfig()).isTrue();

        Flags longForm = Flags.parse(
                "--conf-file=a.yml",
                "--stats-port=1",
                "--workers=3",
                "--verbose",
                "6",
                "--test-conf",
                "--output=x.log",
                "--pid-file",
                "x.pid",
                "--stats-addr=::1",
                "--stats-interval=5");
        assertThat(longForm.configFile()).isEqualTo(Path.of("a.yml"));
        assertThat(longForm.statsPort()).isEqualTo(1);
        assertThat(longForm.workers()).isEqualTo(3);
        assertThat(longForm.verbosity()).isEqualTo(6);
        assertThat(longForm.testConfig()).isTrue();
        assertThat(longForm.logFile()).isEqualTo(Path.of("x.log"));
        assertThat(longForm.pidFile()).isEqualTo(Path.of("x.pid"));
        assertThat(longForm.statsAddress()).isEqualTo("::1");
        assertThat(longForm.statsIntervalMillis()).isEqualTo(5);
    }

    @Test
    void readsEveryFormNutcrackersGetoptReads() {
        Flags clustered = Flags.parse("-tv7");
        assertThat(clustered.testConfig()).isTrue();
        assertThat(clustered.verbosity()).isEqualTo(7);
        assertThat(Flags.parse("-v7").verbosity()).isEqualTo(7);
        assertThat(Flags.parse("-v", "7").verbosity()).isEqualTo(7);
        assertThat(Flags.parse("--verbose=7").verbosity()).isEqualTo(7);
        assertThat(Flags.parse("--verbose", "7").verbosity()).isEqualTo(7);
        assertThat(Flags.parse("-c", "n.yml").configFile()).isEqualTo(Path.of("n.yml"));
        assertThat(Flags.parse("-cn.yml").configFile()).isEqualTo(Path.of("n.yml"));
        assertThat(Flags.parse("--conf-file=n.yml").configFile()).isEqualTo(Path.of("n.yml"));
        assertThat(Flags.parse("--conf-file", "n.yml").configFile()).isEqualTo(Path.of("n.yml"));
        Flags testWithFile = Flags.parse("-tc", "n.yml");
        assertThat(testWithFile.testConfig()).isTrue();
        assertThat(testWithFile.configFile()).isEqualTo(Path.of("n.yml"));
        assertThat(Flags.parse("-t").testConfig()).isTrue();
        assertThat(Flags.parse("-h").help()).isTrue();
        assertThat(Flags.parse("--help").help()).isTrue();
        assertThat(Flags.parse("-V").version()).isTrue();
        assertThat(Flags.parse("--version").version()).isTrue();
        assertThat(Flags.parse("-hV").help()).isTrue();
        // Given twice, the last wins, as getopt's callers read it.
        assertThat(Flags.parse("-w", "2", "-w", "1").workers()).isEqualTo(1);
        assertThat(Flags.parse("-v7", "--verbose=3").verbosity()).isEqualTo(3);
    }

    @Test
    void refusesWhatItCannotDoWithAReason() {
        assertThatThrownBy(() -> Flags.parse("-d")).hasMessageContaining("systemd");
        assertThatThrownBy(() -> Flags.parse("-td")).hasMessageContaining("systemd");
        assertThatThrownBy(() -> Flags.parse("-D")).hasMessageContaining("not supported");
        assertThatThrownBy(() -> Flags.parse("-c"))
                .hasMessageContaining("Missing required parameter")
                .hasMessageContaining("--conf-file");
        assertThatThrownBy(() -> Flags.parse("-s", "http"))
                .hasMessageContaining("--stats-port")
                .hasMessageContaining("'http' is not an int");
        assertThatThrownBy(() -> Flags.parse("-v", "12")).hasMessageContaining("0..11");
        assertThatThrownBy(() -> Flags.parse("-s", "65536")).hasMessageContaining("0..65535");
        assertThatThrownBy(() -> Flags.parse("-w", "0")).hasMessageContaining("1..1024");
        assertThatThrownBy(() -> Flags.parse("--frobnicate")).hasMessageContaining("'--frobnicate'");
        assertThatThrownBy(() -> Flags.parse("-x")).hasMessageContaining("'-x'");
    }

    @Test
    void httpListenerFlag() {
        assertThat(Flags.parse("--http", "127.0.0.1:9100").http()).isEqualTo("127.0.0.1:9100");
        assertThat(Flags.parse("--http=off").http()).isEqualTo("off");
    }

    @Test
    void demoIsTheLaunchersSubcommand() {
        assertThat(Flags.parse("demo").demo()).isTrue();
        assertThat(Flags.parse("demo", "-v", "7").demo()).isTrue();
    }

    @Test
    void usageNamesEveryFlagNutcrackerHasAndShardisOwn() {
        String usage = Flags.usage();
        assertThat(usage)
                .startsWith("Usage: shardis [-htdV] [-v verbosity level]")
                .contains(
                        "-h, --help",
                        "-V, --version",
                        "-t, --test-conf",
                        "-d, --daemonize",
                        "-v, --verbose=N",
                        "-o, --output=S",
                        "-c, --conf-file=S",
                        "-s, --stats-port=N",
                        "-a, --stats-addr=S",
                        "-i, --stats-interval=N",
                        "-p, --pid-file=S",
                        "-w, --workers=N",
                        "--http=HOST:PORT",
                        "Subcommands of the bin/shardis launcher:",
                        "demo");
    }

    @Test
    void transportFlag() {
        assertThat(Flags.parse().transport()).isNull();
        assertThat(Flags.parse("--transport", "epoll").transport()).isEqualTo("epoll");
        assertThat(Flags.parse("--transport=io-uring").transport()).isEqualTo("io_uring");
        assertThatThrownBy(() -> Flags.parse("--transport=kqueue"))
                .hasMessage("option '--transport' takes one of [auto, io_uring, epoll, nio], got 'kqueue'");
    }
}
