package io.shardis.resp;

/**
 * Bounds on what a peer may make us buffer or allocate. Every length read from the wire is
 * checked against these before anything is allocated for it.
 *
 * @param maxBulkLength      largest bulk string accepted, in bytes (Redis' proto-max-bulk-len)
 * @param maxArrayLength     most elements in one request array or reply aggregate
 * @param maxNesting         deepest nesting of aggregates in a reply
 * @param maxInlineLength    longest inline command line, and longest header line
 * @param maxRequestBytes    largest whole request (all of its arguments and framing)
 */
public record RespLimits(
        long maxBulkLength, int maxArrayLength, int maxNesting, int maxInlineLength, long maxRequestBytes) {

    /** Redis' own defaults: 512 MiB bulks, 64 KiB inline requests. */
    public static final RespLimits DEFAULT =
            new RespLimits(512L * 1024 * 1024, 1024 * 1024, 64, 64 * 1024, 512L * 1024 * 1024 + 64 * 1024 * 1024);

    /** Array lengths are counted in ints, two per element for argument spans. */
    public static final int MAX_ARRAY_LENGTH = 1 << 30;

    public RespLimits {
        if (maxBulkLength < 0 || maxArrayLength < 1 || maxNesting < 1 || maxInlineLength < 16 || maxRequestBytes < 16) {
            throw new IllegalArgumentException("RESP limits out of range: " + this);
        }
        if (maxArrayLength > MAX_ARRAY_LENGTH) {
            throw new IllegalArgumentException("maxArrayLength above 2^30 is not supported");
        }
        if (maxBulkLength > Integer.MAX_VALUE - 64) {
            throw new IllegalArgumentException("maxBulkLength above 2 GiB cannot be buffered");
        }
        if (maxRequestBytes > Integer.MAX_VALUE - 64) {
            throw new IllegalArgumentException("maxRequestBytes above 2 GiB cannot be buffered");
        }
    }

    public RespLimits withMaxBulkLength(long value) {
        return new RespLimits(value, maxArrayLength, maxNesting, maxInlineLength, maxRequestBytes);
    }

    public RespLimits withMaxArrayLength(int value) {
        return new RespLimits(maxBulkLength, value, maxNesting, maxInlineLength, maxRequestBytes);
    }

    public RespLimits withMaxNesting(int value) {
        return new RespLimits(maxBulkLength, maxArrayLength, value, maxInlineLength, maxRequestBytes);
    }

    public RespLimits withMaxInlineLength(int value) {
        return new RespLimits(maxBulkLength, maxArrayLength, maxNesting, value, maxRequestBytes);
    }

    public RespLimits withMaxRequestBytes(long value) {
        return new RespLimits(maxBulkLength, maxArrayLength, maxNesting, maxInlineLength, value);
    }
}
