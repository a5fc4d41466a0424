package io.shardis.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A class of {@code proxy/src/main} longer than 350 lines says at its top why it must be (a
 * sentence naming "350 lines" in its first comment), so that growth past it is a decision someone
 * wrote down rather than an accident.
 */
class ClassSizeTest {

    private static final int LIMIT = 350;

    @Test
    void everyClassPastTheLimitSaysWhy() throws IOException {
        Path sources = Path.of("src", "main", "java");
        assertThat(sources).as("run from the proxy module").isDirectory();
        List<String> unexplained = new ArrayList<>();
        int longClasses = 0;
        try (Stream<Path> files = Files.walk(sources)) {
            for (Path file : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                List<String> lines = Files.readAllLines(file);
                if (lines.size() <= LIMIT) {
                    continue;
                }
                longClasses++;
                int classLine = 0;
                while (classLine < lines.size()
                        && !lines.get(classLine)
                                .matches("^(public |final |abstract )*(class|final class|record|interface|enum) .*")) {
                    classLine++;
                }
                String head = String.join("\n", lines.subList(0, Math.min(classLine, lines.size())));
                if (!head.contains(LIMIT + " lines")) {
                    unexplained.add(sources.relativize(file) + " (" + lines.size() + " lines)");
                }
            }
        }
        assertThat(longClasses)
                .as("the scan found the long classes it is about")
                .isPositive();
        assertThat(unexplained)
                .as("classes past %d lines without a reason at their top", LIMIT)
                .isEmpty();
    }
}
