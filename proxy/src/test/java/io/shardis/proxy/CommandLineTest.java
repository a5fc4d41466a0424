package io.shardis.proxy;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CommandLineTest {

    @Test
    void defaultsMatchNutcrackerWhereItMatters() {
        CommandLine line = CommandLine.parse(new String[0]);
        assertThat(line.configFile()).isEqualTo(Path.of("conf/shardis.yml"));
        assertThat(line.statsPort()).isEqualTo(22222);
        assertThat(line.statsIntervalMillis()).isEqualTo(30000);
        assertThat(line.verbosity()).isEqualTo(5);
        assertThat(line.statsAddress()).isEqualTo("127.0.0.1");
        assertThat(line.testConfig()).isFalse();
    }

    @Test
    void takesNutcrackerFlagsShortAndLong() {
        CommandLine line = CommandLine.parse(new String[] {
            "-c", "/etc/nutcracker.yml", "-s", "22223", "-a", "0.0.0.0", "-i", "10000", "-v", "7",
            "-o", "/var/log/shardis.log", "-p", "/run/shardis.pid", "-t"});
        assertThat(line.configFile()).isEqualTo(Path.of("/etc/nutcracker.yml"));
        assertThat(line.statsPort()).isEqualTo(22223);
        assertThat(line.statsAddress()).isEqualTo("0.0.0.0");
        assertThat(line.statsIntervalMillis()).isEqualTo(10000);
        assertThat(line.verbosity()).isEqualTo(7);
        assertThat(line.logFile()).isEqualTo(Path.of("/var/log/shardis.log"));
        assertThat(line.pidFile()).isEqualTo(Path.of("/run/shardis.pid"));
        assertThat(line.testConfig()).isTrue();

        CommandLine longForm = CommandLine.parse(new String[] {"--conf-file=a.yml", "--stats-port=1", "--workers=3"});
        assertThat(longForm.configFile()).isEqualTo(Path.of("a.yml"));
        assertThat(longForm.statsPort()).isEqualTo(1);
        assertThat(longForm.workers()).isEqualTo(3);
    }

    @Test
    void refusesWhatItCannotDoWithAReason() {
        assertThatThrownBy(() -> CommandLine.parse(new String[] {"-d"}))
                .hasMessageContaining("systemd");
        assertThatThrownBy(() -> CommandLine.parse(new String[] {"-c"}))
                .hasMessageContaining("needs a value");
        assertThatThrownBy(() -> CommandLine.parse(new String[] {"-s", "http"}))
                .hasMessageContaining("takes a number");
        assertThatThrownBy(() -> CommandLine.parse(new String[] {"-v", "12"}))
                .hasMessageContaining("0..11");
        assertThatThrownBy(() -> CommandLine.parse(new String[] {"--frobnicate"}))
                .hasMessageContaining("unknown option '--frobnicate'");
    }

    @Test
    void httpListenerFlag() {
        assertThat(CommandLine.parse(new String[0]).http()).isNull();
        assertThat(CommandLine.parse(new String[] {"--http", "127.0.0.1:9100"}).http()).isEqualTo("127.0.0.1:9100");
        assertThat(CommandLine.parse(new String[] {"--http=off"}).http()).isEqualTo("off");
    }

    @Test
    void transportFlag() {
        assertThat(CommandLine.parse(new String[0]).transport()).isNull();
        assertThat(CommandLine.parse(new String[] {"--transport", "epoll"}).transport()).isEqualTo("epoll");
        assertThat(CommandLine.parse(new String[] {"--transport=io-uring"}).transport()).isEqualTo("io_uring");
        assertThatThrownBy(() -> CommandLine.parse(new String[] {"--transport=kqueue"}))
                .hasMessage("option '--transport' takes one of [auto, io_uring, epoll, nio], got 'kqueue'");
    }
}
