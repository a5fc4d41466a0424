package io.shardis.resp;

import io.netty.buffer.ByteBuf;
import io.netty.util.ByteProcessor;
import io.netty.util.internal.PlatformDependent;

/**
 * Decimal parsing and line-end search straight from buffers, as Redis' string2ll does it.
 *
 * <p>A buffer at a native address (the pooled direct buffers reads arrive in) is read without a
 * check per byte: the range is checked once, by reading its first and last bytes through the
 * buffer, which also fails on a released buffer as a checked read does. Other buffers are read
 * through their checked accessors. Public for the proxy's reply merge, which reads the headers of
 * replies the framer has already framed.
 */
public final class Numbers {

    /**
     * Whether bytes may be read through a buffer's native address ({@link PlatformDependent#getByte(long)}
     * is Unsafe's). On Java 24 and later Netty runs without Unsafe by default, yet its direct buffers
     * still report an address: reading through it there fails, so every address read asks this first.
     */
    private static final boolean ADDRESS_READS = PlatformDependent.hasUnsafe();

    private Numbers() {}

    /** Whether {@code buf} is read through its native address here (it has one, and Unsafe is there). */
    private static boolean readsThroughAddress(ByteBuf buf) {
        return ADDRESS_READS && buf.hasMemoryAddress();
    }

    /** Parses {@code length} bytes at {@code index}; {@code Long.MIN_VALUE} when they are not a long. */
    public static long parseLong(ByteBuf buf, int index, int length) {
        if (length <= 0 || length > 20) {
            return Long.MIN_VALUE;
        }
        if (readsThroughAddress(buf)) {
            // Checked reads of both ends: the range lies in the buffer, which is still live.
            buf.getByte(index + length - 1);
            byte first = buf.getByte(index);
            return parseLong(buf.memoryAddress() + index, first, length);
        }
        int i = index;
        int end = index + length;
        boolean negative = false;
        if (buf.getByte(i) == '-') {
            negative = true;
            if (++i == end) {
                return Long.MIN_VALUE;
            }
        }
        // "0" alone is fine; "01" and "-0" are not numbers for Redis.
        if (buf.getByte(i) == '0' && (end - i > 1 || negative)) {
            return Long.MIN_VALUE;
        }
        long value = 0;
        for (; i < end; i++) {
            int digit = buf.getByte(i) - '0';
            if (digit < 0 || digit > 9) {
                return Long.MIN_VALUE;
            }
            // Accumulate negatively so Long.MIN_VALUE itself does not overflow.
            if (value < (Long.MIN_VALUE + digit) / 10) {
                return Long.MIN_VALUE;
            }
            value = value * 10 - digit;
        }
        if (!negative) {
            if (value == Long.MIN_VALUE) {
                return Long.MIN_VALUE;
            }
            return -value;
        }
        return value;
    }

    /** The same parse over {@code length} bytes at a native address whose first byte is {@code first}. */
    private static long parseLong(long address, byte first, int length) {
        long i = address;
        long end = address + length;
        boolean negative = false;
        if (first == '-') {
            negative = true;
            if (++i == end) {
                return Long.MIN_VALUE;
            }
        }
        if (PlatformDependent.getByte(i) == '0' && (end - i > 1 || negative)) {
            return Long.MIN_VALUE;
        }
        long value = 0;
        if (end - i <= 18) {
            // Up to 18 digits cannot overflow: no check per digit.
            for (; i < end; i++) {
                int digit = PlatformDependent.getByte(i) - '0';
                if (digit < 0 || digit > 9) {
                    return Long.MIN_VALUE;
                }
                value = value * 10 - digit;
            }
            return negative ? value : -value;
        }
        for (; i < end; i++) {
            int digit = PlatformDependent.getByte(i) - '0';
            if (digit < 0 || digit > 9) {
                return Long.MIN_VALUE;
            }
            if (value < (Long.MIN_VALUE + digit) / 10) {
                return Long.MIN_VALUE;
            }
            value = value * 10 - digit;
        }
        if (!negative) {
            if (value == Long.MIN_VALUE) {
                return Long.MIN_VALUE;
            }
            return -value;
        }
        return value;
    }

    /**
     * {@link #parseLong(ByteBuf, int, int)} of {@code length} bytes at a native address the caller
     * has checked: for loops that read a whole buffer through its address.
     */
    public static long parseLongAt(long address, int length) {
        if (length <= 0 || length > 20) {
            return Long.MIN_VALUE;
        }
        return parseLong(address, PlatformDependent.getByte(address), length);
    }

    /** Index of the first '\r' in {@code [from, stop)} of the buffer at a native address the caller has checked, or -1. */
    public static int indexOfCrAt(long address, int from, int stop) {
        for (int i = from; i < stop; i++) {
            if (PlatformDependent.getByte(address + i) == '\r') {
                return i;
            }
        }
        return -1;
    }

    /**
     * The native address of {@code buf}'s index 0 when it has one, for reads of its readable bytes
     * without a check per byte; 0 when it has none. Fails as a checked read does on a released buffer.
     */
    public static long address(ByteBuf buf) {
        return readsThroughAddress(buf) ? buf.memoryAddress() : 0;
    }

    /** Index of the first '\r' in {@code [from, stop)}, or -1; {@code from < stop}. */
    public static int indexOfCr(ByteBuf buf, int from, int stop) {
        if (!readsThroughAddress(buf)) {
            return buf.forEachByte(from, stop - from, ByteProcessor.FIND_CR);
        }
        // Checked reads of both ends: the range lies in the buffer, which is still live.
        buf.getByte(stop - 1);
        if (buf.getByte(from) == '\r') {
            return from;
        }
        long base = buf.memoryAddress();
        for (int i = from + 1; i < stop; i++) {
            if (PlatformDependent.getByte(base + i) == '\r') {
                return i;
            }
        }
        return -1;
    }
}
