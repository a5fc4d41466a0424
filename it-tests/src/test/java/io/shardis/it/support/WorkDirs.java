package io.shardis.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where child processes keep their files: {@code -Dshardis.it.work-dir} (the build sets
 * {@code target/it-work}, so logs outlive a failed run and {@code mvn clean} removes them),
 * else the system temporary directory.
 */
final class WorkDirs {

    private WorkDirs() {}

    static Path base() {
        String configured = System.getProperty("shardis.it.work-dir", "").trim();
        Path base = configured.isEmpty()
                ? Path.of(System.getProperty("java.io.tmpdir"), "shardis-it")
                : Path.of(configured);
        try {
            return Files.createDirectories(base);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + base, e);
        }
    }

    static Path newDir(String prefix) {
        try {
            return Files.createTempDirectory(base(), prefix);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a directory under " + base(), e);
        }
    }
}
