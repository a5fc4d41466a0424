package io.shardis.resp;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Coverage-guided fuzzing of what a broken or hostile backend could send: any bytes, split into
 * any reads, under small limits. The reply framer gives only protocol errors, the same frames and
 * the same verdict however the bytes are split, and releases every buffer; the reader that merges
 * replies reads what it accepts and refuses the rest with a protocol error.
 */
class RespReplyBytesFuzzTest {

    @FuzzTest(maxDuration = "10s")
    void anyBytesFromABackendGiveOnlyProtocolErrorsWhateverTheSplit(FuzzedDataProvider data) {
        RespLimits limits = new RespLimits(
                data.consumeInt(0, 2048),
                data.consumeInt(1, 64),
                data.consumeInt(1, 8),
                data.consumeInt(16, 512),
                data.consumeInt(16, 8192));
        int[] chunks = FuzzedResp.chunks(data);
        byte[] input = data.consumeRemainingAsBytes();

        // Whole in one heap buffer, split into direct ones (read through their address): the same verdict.
        RespReplyFuzzTest.Framed whole =
                RespReplyFuzzTest.frame(limits, input, new int[] {Math.max(1, input.length)}, false);
        RespReplyFuzzTest.Framed split = RespReplyFuzzTest.frame(limits, input, chunks, true);
        String described = limits + " in chunks " + Arrays.toString(chunks) + " of "
                + HexFormat.of().formatHex(input);
        assertThat(split.frames())
                .as("frames whatever the split: %s", described)
                .containsExactlyElementsOf(whole.frames());
        assertThat(split.error() != null)
                .as("an error whatever the split: %s", described)
                .isEqualTo(whole.error() != null);

        // The reader that merges replies: what it accepts, it reads; what it does not, it refuses with a protocol
        // error.
        RespValueReader reader = new RespValueReader(limits);
        ByteBuf buffer = Unpooled.wrappedBuffer(input);
        try {
            while (buffer.isReadable() && reader.read(buffer) != null) {
                // each complete reply consumed
            }
        } catch (RespProtocolException expected) {
            // bad input, said so
        } finally {
            buffer.release();
        }
        for (byte[] frame : whole.frames()) {
            try {
                reader.decode(Unpooled.wrappedBuffer(frame));
            } catch (RespProtocolException expected) {
                // the framer forwards what the reader would refuse: allowed, not a crash
            }
        }
    }
}
