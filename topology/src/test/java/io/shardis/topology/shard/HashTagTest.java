package io.shardis.topology.shard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HashTagTest {

    @ParameterizedTest(name = "with {0}: \"{1}\" hashes \"{2}\"")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
            {} | user:{1000}:name | 1000
            {} | a{b}c{d}         | b
            {} | {ab}{cd}         | ab
            {} | }a{b}            | b
            {} | {{x}}            | {x
            {} | {}               | {}
            {} | {}x              | {}x
            {} | {}{x}            | {}{x}
            {} | x{}              | x{}
            {} | {                | {
            {} | }                | }
            {} | }{               | }{
            {} | {a               | {a
            {} | a}               | a}
            {} | plain            | plain
            $$ | a$b$c            | b
            $$ | $$x$y$           | $$x$y$
            $$ | $                | $
            $$ | x$yz$            | yz
            [] | [x]{y}           | x
            """)
    void hashesTheBytesBetweenTheFirstOpeningAndTheNextClosingByteIfAny(String tag, String key, String hashed) {
        assertThat(hashedPart(HashTag.parse(tag), key.getBytes(StandardCharsets.UTF_8)))
                .isEqualTo(hashed);
    }

    @Test
    void withoutATagEveryKeyIsHashedWhole() {
        assertThat(HashTag.parse(null)).isSameAs(HashTag.NONE);
        assertThat(HashTag.parse("")).isSameAs(HashTag.NONE);
        assertThat(HashTag.NONE.isNone()).isTrue();
        assertThat(hashedPart(HashTag.NONE, "user:{1000}".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo("user:{1000}");
    }

    @Test
    void looksOnlyInsideTheGivenSlice() {
        byte[] buffer = "{ab}x{cd}".getBytes(StandardCharsets.US_ASCII);
        HashTag tag = HashTag.parse("{}");
        // The slice "b}x{c" has a '}' before its first '{', and no '}' after that.
        long range = tag.hashedRange(buffer, 2, 5);
        assertThat(HashTag.start(range)).isEqualTo(2);
        assertThat(HashTag.length(range)).isEqualTo(5);
        // The slice "x{cd}" has the tag "cd".
        range = tag.hashedRange(buffer, 4, 5);
        assertThat(HashTag.start(range)).isEqualTo(6);
        assertThat(HashTag.length(range)).isEqualTo(2);
    }

    @Test
    void tagBytesMayBeAnyByteIncludingHighOnes() {
        HashTag tag = HashTag.parse("\u00e9"); // two bytes in UTF-8: 0xc3 0xa9
        byte[] key = {'a', (byte) 0xc3, 'k', (byte) 0xa9, 'z'};
        long range = tag.hashedRange(key, 0, key.length);
        assertThat(HashTag.start(range)).isEqualTo(2);
        assertThat(HashTag.length(range)).isEqualTo(1);
    }

    @Test
    void refusesWhatNutcrackerRefuses() {
        for (String bad : new String[] {"{", "{}}", "\u00ab\u00bb"}) {
            assertThatThrownBy(() -> HashTag.parse(bad))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("two characters");
        }
    }

    private static String hashedPart(HashTag tag, byte[] key) {
        long range = tag.hashedRange(key, 0, key.length);
        return new String(
                Arrays.copyOfRange(key, HashTag.start(range), HashTag.start(range) + HashTag.length(range)),
                StandardCharsets.UTF_8);
    }
}
