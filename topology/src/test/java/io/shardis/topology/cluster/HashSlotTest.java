package io.shardis.topology.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HashSlotTest {

    @Test
    void crc16IsXmodem() {
        // The check value of CRC-16/XMODEM, quoted in the Redis Cluster specification.
        byte[] check = "123456789".getBytes(StandardCharsets.US_ASCII);
        assertThat(HashSlot.crc16(check, 0, check.length)).isEqualTo(0x31C3);
        assertThat(HashSlot.crc16(check, 0, 0)).isZero();
    }

    @ParameterizedTest(name = "\"{0}\" is in slot {1}")
    @CsvSource({
        "foo, 12182",
        "bar, 5061",
        "somekey, 11058",
        "foo{hash_tag}, 2515",
        "123456789, 12739",
    })
    void slotsRedisDocumentsForKnownKeys(String key, int slot) {
        assertThat(HashSlot.of(key)).isEqualTo(slot);
    }

    @ParameterizedTest(name = "\"{0}\" hashes \"{1}\"")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
            {user1000}.following | user1000
            {user1000}.followers | user1000
            foo{}{bar}           | foo{}{bar}
            foo{{bar}}zap        | {bar
            foo{bar}{zap}        | bar
            {}                   | {}
            {                    | {
            }{                   | }{
            }a{b}                | b
            a{b                  | a{b
            {a}                  | a
            '{ }'                | ' '
            """)
    void hashesOnlyTheFirstNonEmptyTagIfThereIsOne(String key, String hashed) {
        assertThat(HashSlot.of(key)).isEqualTo(wholeKeySlot(hashed.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void keysSharingATagShareASlot() {
        assertThat(HashSlot.of("{user1000}.following")).isEqualTo(HashSlot.of("{user1000}.followers"));
        assertThat(HashSlot.of("x{user1000}")).isEqualTo(HashSlot.of("user1000"));
    }

    @Test
    void emptyKeyIsSlotZero() {
        assertThat(HashSlot.of(new byte[0])).isZero();
    }

    @Test
    void looksOnlyInsideTheGivenSlice() {
        byte[] buffer = "{a}x{b}".getBytes(StandardCharsets.US_ASCII);
        // "}x{b}" holds the tag "b"; the '{' before the slice does not count.
        assertThat(HashSlot.of(buffer, 2, 5)).isEqualTo(HashSlot.of("b"));
        // "{a}x" holds the tag "a"; the rest of the buffer does not count.
        assertThat(HashSlot.of(buffer, 0, 4)).isEqualTo(HashSlot.of("a"));
        // "x{" has an opening brace and nothing after it.
        assertThat(HashSlot.of(buffer, 3, 2)).isEqualTo(HashSlot.of("x{"));
    }

    @Test
    void aByteBufSliceHashesAsTheSameBytesInAnArray() {
        Random random = new Random(42);
        ByteBuf buffer = Unpooled.buffer(64);
        try {
            for (int i = 0; i < 10_000; i++) {
                byte[] key = new byte[random.nextInt(12)];
                for (int b = 0; b < key.length; b++) {
                    // Mostly braces and high bytes, where mistakes would show.
                    key[b] = switch (random.nextInt(4)) {
                        case 0 -> (byte) '{';
                        case 1 -> (byte) '}';
                        default -> (byte) random.nextInt(256);
                    };
                }
                buffer.clear().writeBytes(new byte[] {'{', '}'}).writeBytes(key).writeByte('{');
                assertThat(HashSlot.of(buffer, 2, key.length))
                        .as("key %s", java.util.Arrays.toString(key))
                        .isEqualTo(HashSlot.of(key))
                        .isBetween(0, HashSlot.SLOT_COUNT - 1);
                assertThat(buffer.readerIndex()).isZero();
            }
        } finally {
            buffer.release();
        }
    }

    private static int wholeKeySlot(byte[] bytes) {
        return HashSlot.crc16(bytes, 0, bytes.length) & 0x3FFF;
    }
}
