package io.shardis.topology.shard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class HashFunctionTest {

    /** One line of {@code hash-reference.txt}: a key and what one function computes for it in nutcracker. */
    record Reference(String keyHex, HashFunction function, long expected) {
        byte[] key() {
            return keyHex.equals("-") ? new byte[0] : HexFormat.of().parseHex(keyHex);
        }

        @Override
        public String toString() {
            return function.configName() + "(" + keyHex + ") = " + Long.toHexString(expected);
        }
    }

    static List<Reference> references() throws IOException {
        List<Reference> references = new ArrayList<>();
        try (InputStream in = HashFunctionTest.class.getClassLoader().getResourceAsStream("hash-reference.txt")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] fields = line.trim().split(" ");
                for (int i = 1; i < fields.length; i++) {
                    String[] nameValue = fields[i].split("=");
                    references.add(new Reference(
                            fields[0], HashFunction.fromConfigName(nameValue[0]), Long.parseLong(nameValue[1], 16)));
                }
            }
        }
        return references;
    }

    @Test
    void referenceValuesCoverEveryFunction() throws IOException {
        assertThat(references()).extracting(Reference::function).containsAll(List.of(HashFunction.values()));
        assertThat(references()).hasSizeGreaterThan(12 * 15);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("references")
    void computesWhatNutcrackerComputes(Reference reference) {
        byte[] key = reference.key();
        assertThat(Integer.toUnsignedLong(reference.function().hash(key, 0, key.length)))
                .isEqualTo(reference.expected());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("references")
    void readsOnlyTheGivenSlice(Reference reference) {
        byte[] key = reference.key();
        byte[] framed = new byte[key.length + 9];
        java.util.Arrays.fill(framed, (byte) 0xA5);
        System.arraycopy(key, 0, framed, 5, key.length);
        assertThat(Integer.toUnsignedLong(reference.function().hash(framed, 5, key.length)))
                .isEqualTo(reference.expected());
    }

    @Test
    void md5IsTheDigestsFirstWordLittleEndianAcrossPaddingBoundaries() throws NoSuchAlgorithmException {
        Random random = new Random(7);
        for (int length = 0; length <= 200; length++) {
            byte[] key = new byte[length];
            random.nextBytes(key);
            byte[] digest = MessageDigest.getInstance("MD5").digest(key);
            int expected =
                    (digest[0] & 0xff) | (digest[1] & 0xff) << 8 | (digest[2] & 0xff) << 16 | (digest[3] & 0xff) << 24;
            assertThat(HashFunction.MD5.hash(key)).as("md5 of %d bytes", length).isEqualTo(expected);
            int[] words = new int[4];
            Md5.words(key, 0, length, words);
            for (int w = 0; w < 4; w++) {
                int word = (digest[4 * w] & 0xff)
                        | (digest[4 * w + 1] & 0xff) << 8
                        | (digest[4 * w + 2] & 0xff) << 16
                        | (digest[4 * w + 3] & 0xff) << 24;
                assertThat(words[w]).as("md5 word %d of %d bytes", w, length).isEqualTo(word);
            }
        }
    }

    @Test
    void crc32aIsTheStandardCrc32AndCrc32ItsFifteenBitsFromBitSixteen() {
        Random random = new Random(11);
        for (int length = 0; length < 100; length++) {
            byte[] key = new byte[length];
            random.nextBytes(key);
            CRC32 crc = new CRC32();
            crc.update(key);
            assertThat(Integer.toUnsignedLong(HashFunction.CRC32A.hash(key))).isEqualTo(crc.getValue());
            assertThat(HashFunction.CRC32.hash(key)).isEqualTo((int) (crc.getValue() >>> 16) & 0x7fff);
        }
    }

    @Test
    void crc16KeepsTheBitsAboveSixteen() {
        // The standard CRC-16/XMODEM check value 0x31C3 is only the low half of nutcracker's answer.
        int hash = HashFunction.CRC16.hash("123456789".getBytes(StandardCharsets.US_ASCII));
        assertThat(hash & 0xffff).isEqualTo(0x31c3);
        assertThat(hash >>> 16).isEqualTo(0x8690);
    }

    @Test
    void bytesFromEightyHexAreSignExtendedWhereNutcrackerReadsSignedChars() {
        byte[] high = {(byte) 0x80};
        // FNV-1a over an unsigned 0x80 would be (0x811c9dc5 ^ 0x80) * 16777619.
        assertThat(HashFunction.FNV1A_32.hash(high))
                .isNotEqualTo((0x811c9dc5 ^ 0x80) * 16777619)
                .isEqualTo((0x811c9dc5 ^ 0xffffff80) * 16777619);
        assertThat(HashFunction.ONE_AT_A_TIME.hash(high)).isNotEqualTo(oneAtATimeUnsigned(high));
        // murmur, jenkins, crc and md5 read unsigned bytes.
        assertThat(HashFunction.CRC32A.hash(high)).isEqualTo(0x3fba6cad);
    }

    @Test
    void sixtyFourBitFnvVariantsAreTheLowHalvesOfTheSixtyFourBitHashesForAsciiKeys() {
        // FNV-1 64 and FNV-1a 64 of "a" are 0xaf63bd4c8601b7be and 0xaf63dc4c8601ec8c.
        byte[] a = {'a'};
        assertThat(HashFunction.FNV1_64.hash(a)).isEqualTo(0x8601b7be);
        assertThat(HashFunction.FNV1A_64.hash(a)).isEqualTo(0x8601ec8c);
    }

    @ParameterizedTest
    @EnumSource(HashFunction.class)
    void configNamesRoundTrip(HashFunction function) {
        assertThat(HashFunction.fromConfigName(function.configName())).isSameAs(function);
        assertThat(function.configName()).isEqualTo(function.name().toLowerCase(java.util.Locale.ROOT));
    }

    @Test
    void unknownNamesAreRefusedWithTheValidOnes() {
        assertThatThrownBy(() -> HashFunction.fromConfigName("FNV1A_64"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'FNV1A_64' is not a valid hash")
                .hasMessageContaining("one_at_a_time, md5, crc16, crc32, crc32a, fnv1_64, fnv1a_64, fnv1_32, fnv1a_32, "
                        + "hsieh, murmur, jenkins");
        assertThatThrownBy(() -> HashFunction.fromConfigName("sha1")).hasMessageContaining("'sha1'");
    }

    private static int oneAtATimeUnsigned(byte[] key) {
        int value = 0;
        for (byte b : key) {
            value += b & 0xff;
            value += value << 10;
            value ^= value >>> 6;
        }
        value += value << 3;
        value ^= value >>> 11;
        value += value << 15;
        return value;
    }
}
