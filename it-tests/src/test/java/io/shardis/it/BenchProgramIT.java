package io.shardis.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardis.it.support.Prerequisites;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The pure parts of {@code bin/shardis-bench} (a Python program in {@code benchmarks/bench}):
 * option parsing, redis-benchmark's output parsed, medians, rotations and the ratio tables. Its
 * own unit tests run here, where {@code mvn verify} runs them with the rest; they start no
 * server. The bench itself is a measurement, never a timed test.
 */
class BenchProgramIT {

    @Test
    void benchProgramsOwnTestsPass() throws IOException, InterruptedException {
        Path bench = Path.of("..", "benchmarks", "bench").toAbsolutePath().normalize();
        assertThat(bench.resolve("shardis_bench.py")).exists();
        Prerequisites.need(python3(), "python3 (which bin/shardis-bench runs on) is not installed on this machine");
        Path output = Files.createTempFile("shardis-bench-tests", ".log");
        try {
            Process process = new ProcessBuilder("python3", "-B", "-m", "unittest", "discover", "-s", bench.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile())
                    .start();
            boolean ended = process.waitFor(2, TimeUnit.MINUTES);
            if (!ended) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            String log = Files.readString(output, StandardCharsets.UTF_8);
            assertThat(ended)
                    .as("the bench's tests ended within 2 minutes:%n%s", log)
                    .isTrue();
            assertThat(process.exitValue()).as("the bench's tests:%n%s", log).isZero();
            assertThat(log).containsPattern("Ran [1-9][0-9]* tests").contains("OK");
        } finally {
            Files.deleteIfExists(output);
        }
    }

    private static boolean python3() throws InterruptedException {
        try {
            Process probe = new ProcessBuilder("python3", "--version")
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            return probe.waitFor(30, TimeUnit.SECONDS) && probe.exitValue() == 0;
        } catch (IOException e) {
            return false;
        }
    }
}
