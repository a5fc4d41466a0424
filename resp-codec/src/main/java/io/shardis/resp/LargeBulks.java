package io.shardis.resp;

import io.netty.handler.codec.ByteToMessageDecoder;

/**
 * How a decoder gathers its bytes: by default each read is copied after the previous ones into
 * one buffer ({@link ByteToMessageDecoder#MERGE_CUMULATOR}), which keeps small frames contiguous
 * and quick to scan. While a bulk of at least {@link #THRESHOLD} bytes is still to come, the reads
 * are instead chained without copying ({@link ByteToMessageDecoder#COMPOSITE_CUMULATOR}): a 1 MiB
 * value arriving in 64 KiB reads is then not copied into ever larger buffers (twice its size in
 * copies, and more where earlier frames of the same buffer are still held), and is written on as
 * the chain of buffers it was read into. The decoder says after each call how many bytes of a bulk
 * it awaits; the cumulator is switched only when that crosses the threshold.
 */
final class LargeBulks {

    /** Bulk bytes still to come from which reads are chained rather than copied. */
    static final int THRESHOLD = 64 * 1024;

    private final ByteToMessageDecoder decoder;
    private boolean chaining;

    LargeBulks(ByteToMessageDecoder decoder) {
        this.decoder = decoder;
    }

    /** {@code awaitedBytes} of a bulk body are still to come (0: none, or the frame is complete). */
    void awaiting(long awaitedBytes) {
        boolean chain = awaitedBytes >= THRESHOLD;
        if (chain != chaining) {
            chaining = chain;
            decoder.setCumulator(
                    chain ? ByteToMessageDecoder.COMPOSITE_CUMULATOR : ByteToMessageDecoder.MERGE_CUMULATOR);
        }
    }

    /** Whether reads are being chained now (for tests). */
    boolean chaining() {
        return chaining;
    }
}
