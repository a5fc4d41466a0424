package io.shardis.resp;

import io.netty.buffer.ByteBuf;

/** Decimal parsing straight from buffers, as Redis' string2ll does it. */
final class Numbers {

    private Numbers() {}

    /** Parses {@code length} bytes at {@code index}; {@code Long.MIN_VALUE} when they are not a long. */
    static long parseLong(ByteBuf buf, int index, int length) {
        if (length <= 0 || length > 20) {
            return Long.MIN_VALUE;
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
}
