package io.shardis.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a short-lived command (redis-cli, {@code redis-server --version}) to completion, bounded in time. */
public final class Commands {

    /** How a finished command exited and what it printed (stdout and stderr together). */
    public record Result(int exitCode, String output) {}

    private Commands() {}

    public static Result run(List<String> command, Duration timeout) {
        return run(command, null, timeout);
    }

    /** As {@link #run(List, Duration)}, the command reading {@code input} (a file) as its standard input when not null. */
    public static Result run(List<String> command, Path input, Duration timeout) {
        Path output = null;
        Process process = null;
        try {
            output = Files.createTempFile(WorkDirs.base(), "command-", ".out");
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            if (input != null) {
                builder.redirectInput(input.toFile());
            }
            process = builder.redirectOutput(output.toFile()).start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException(String.join(" ", command) + " did not finish within "
                        + timeout.toSeconds() + "s\n" + LogFiles.tail(output));
            }
            return new Result(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command, e);
        } finally {
            if (process != null && process.isAlive()) {
                ChildProcesses.kill(process);
            }
            if (output != null) {
                try {
                    Files.deleteIfExists(output);
                } catch (IOException ignored) {
                    // A leftover file under target/ does no harm.
                }
            }
        }
    }
}
