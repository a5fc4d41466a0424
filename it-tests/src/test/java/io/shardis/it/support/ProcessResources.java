package io.shardis.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * What a process holds, read from Linux' {@code /proc}: resident memory, open file descriptors and
 * threads; and the open-files limit of this JVM, which the processes it starts inherit.
 */
public final class ProcessResources {

    private ProcessResources() {}

    /** A reading of one process at one time. */
    public record Snapshot(long residentBytes, long fileDescriptors, long threads) {

        public long residentMiB() {
            return residentBytes >> 20;
        }

        @Override
        public String toString() {
            return "RSS " + residentMiB() + " MiB, " + fileDescriptors + " fds, " + threads + " threads";
        }
    }

    public static Snapshot of(long pid) {
        return new Snapshot(statusField(pid, "VmRSS:") * 1024, fileDescriptors(pid), statusField(pid, "Threads:"));
    }

    public static long fileDescriptors(long pid) {
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            return fds.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The soft limit on open files of this JVM ({@code Max open files} of /proc/self/limits). */
    public static long openFilesLimit() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    String soft =
                            line.substring("Max open files".length()).trim().split("\\s+")[0];
                    return soft.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(soft);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("no 'Max open files' in /proc/self/limits");
    }

    private static long statusField(long pid, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("no " + field + " for pid " + pid);
    }
}
