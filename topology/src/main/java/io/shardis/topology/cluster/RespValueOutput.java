package io.shardis.topology.cluster;

import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.output.CommandOutput;
import io.shardis.resp.RespValue;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Collects a RESP2 reply read by Lettuce into a {@link RespValue}, so that replies fetched by the
 * control plane and replies captured in test resources go through the same parser.
 *
 * <p>Arrays are assembled by counting their elements rather than from Lettuce's {@code complete}
 * depth callbacks. RESP3 aggregates are not expected: connections using this output speak RESP2.
 * An error reply is left to Lettuce, which fails the command with it. Lettuce hands RESP2 simple
 * strings over as it hands bulk strings, so they arrive here as {@link RespValue.BulkString}; the
 * topology parser reads both alike.
 */
final class RespValueOutput extends CommandOutput<byte[], byte[], RespValue> {

    /** An array being filled: its elements so far and how many are still to come. */
    private static final class Frame {
        final List<RespValue> elements;
        int remaining;

        Frame(int count) {
            elements = new ArrayList<>(Math.min(count, 1024));
            remaining = count;
        }
    }

    private final Deque<Frame> open = new ArrayDeque<>();

    RespValueOutput() {
        super(ByteArrayCodec.INSTANCE, null);
    }

    @Override
    public void set(ByteBuffer bytes) {
        add(bytes == null ? RespValue.BulkString.NULL : new RespValue.BulkString(copy(bytes)));
    }

    @Override
    public void setSingle(ByteBuffer bytes) {
        add(new RespValue.SimpleString(
                bytes == null ? "" : StandardCharsets.UTF_8.decode(bytes).toString()));
    }

    @Override
    public void set(long integer) {
        add(new RespValue.Integer(integer));
    }

    @Override
    public void set(double number) {
        add(new RespValue.Double(number));
    }

    @Override
    public void set(boolean value) {
        add(value ? RespValue.Boolean.TRUE : RespValue.Boolean.FALSE);
    }

    @Override
    public void multi(int count) {
        if (count < 0) {
            add(RespValue.Array.NULL);
            return;
        }
        open.push(new Frame(count));
        if (count == 0) {
            closeFinished();
        }
    }

    private void add(RespValue value) {
        Frame frame = open.peek();
        if (frame == null) {
            output = value;
            return;
        }
        frame.elements.add(value);
        frame.remaining--;
        closeFinished();
    }

    /** Closes every innermost array whose last element has arrived, adding it to its parent. */
    private void closeFinished() {
        while (!open.isEmpty() && open.peek().remaining <= 0) {
            RespValue.Array done = new RespValue.Array(open.pop().elements);
            Frame parent = open.peek();
            if (parent == null) {
                output = done;
            } else {
                parent.elements.add(done);
                parent.remaining--;
            }
        }
    }

    private static byte[] copy(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }
}
