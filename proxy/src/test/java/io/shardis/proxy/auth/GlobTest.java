package io.shardis.proxy.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Redis' stringmatchlen, case for case (the expectations are redis-server 7.0's KEYS answers). */
class GlobTest {

    private static boolean matches(String pattern, String subject) {
        return Glob.matches(pattern.getBytes(StandardCharsets.UTF_8), subject.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void starsQuestionMarksAndLiterals() {
        assertThat(matches("cache:*", "cache:")).isTrue();
        assertThat(matches("cache:*", "cache:user:1")).isTrue();
        assertThat(matches("cache:*", "cachex")).isFalse();
        assertThat(matches("cache:*", "other")).isFalse();
        // As stringmatchlen: a lone star needs a byte (KEYS and ACLs treat '*' apart, as "all").
        assertThat(matches("*", "")).isFalse();
        assertThat(matches("a*", "a")).isTrue();
        assertThat(matches("a*b*c", "axxbyyc")).isTrue();
        assertThat(matches("a*b*c", "axxbyy")).isFalse();
        assertThat(matches("h?llo", "hello")).isTrue();
        assertThat(matches("h?llo", "hllo")).isFalse();
        assertThat(matches("exact", "exact")).isTrue();
        assertThat(matches("exact", "exactly")).isFalse();
        assertThat(matches("", "")).isTrue();
        assertThat(matches("", "a")).isFalse();
    }

    @Test
    void classesRangesNegationAndEscapes() {
        assertThat(matches("h[ae]llo", "hallo")).isTrue();
        assertThat(matches("h[ae]llo", "hillo")).isFalse();
        assertThat(matches("h[^e]llo", "hallo")).isTrue();
        assertThat(matches("h[^e]llo", "hello")).isFalse();
        assertThat(matches("h[a-b]llo", "hbllo")).isTrue();
        assertThat(matches("h[b-a]llo", "hallo")).isTrue();
        assertThat(matches("h[a-b]llo", "hcllo")).isFalse();
        assertThat(matches("a\\*b", "a*b")).isTrue();
        assertThat(matches("a\\*b", "axb")).isFalse();
        assertThat(matches("[\\]]", "]")).isTrue();
        // An unclosed class ends at the end of the pattern, as in Redis.
        assertThat(matches("a[bc", "ab")).isTrue();
    }

    @Test
    void abusivePatternsEndQuickly() {
        String pattern = "a*".repeat(40) + "b";
        String subject = "a".repeat(60);
        long start = System.nanoTime();
        assertThat(matches(pattern, subject)).isFalse();
        assertThat(System.nanoTime() - start).isLessThan(1_000_000_000L);
    }
}
