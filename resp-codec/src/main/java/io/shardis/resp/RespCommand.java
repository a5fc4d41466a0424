package io.shardis.resp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.util.AsciiString;
import io.netty.util.IllegalReferenceCountException;
import io.netty.util.Recycler;

/**
 * One client request: its complete RESP frame ({@code *N\r\n$len\r\narg\r\n...}) and where each
 * argument lies inside it. Arguments are never copied out: {@link #arg(int)} is a view of the frame.
 *
 * <p>Ownership: the command owns its frame (reference count 1 when decoded). Whoever receives it
 * from the pipeline must {@link #release()} it, or hand it on. Forwarding a command untouched is
 * {@code content().retainedDuplicate()}: the frame is always valid RESP, even when the client typed
 * an inline command (the decoder re-encodes those).
 *
 * <p>The decoder's commands are pooled per thread (Netty's {@link Recycler}): whoever is done with
 * the holder, its frame handed on or released, may {@link #recycle()} it; a holder never recycled
 * is simply collected. After {@code recycle()} the holder must not be touched again.
 */
public final class RespCommand implements ByteBufHolder {

    private static final Recycler<RespCommand> RECYCLER = new Recycler<>() {
        @Override
        protected RespCommand newObject(Handle<RespCommand> handle) {
            return new RespCommand(handle);
        }
    };

    /** Spans arrays kept with a pooled holder up to this size; a longer one goes with its command. */
    private static final int KEPT_SPANS = 32;

    /** Null for holders made outside the pool ({@link #of}, {@link #replace}). */
    private final Recycler.Handle<RespCommand> handle;

    private ByteBuf frame;
    private int argCount;
    /** Pairs (offset, length) of each argument, relative to the frame's reader index. */
    private int[] spans;

    private RespCommand(Recycler.Handle<RespCommand> handle) {
        this.handle = handle;
    }

    RespCommand(ByteBuf frame, int argCount, int[] spans) {
        this.handle = null;
        this.frame = java.util.Objects.requireNonNull(frame, "frame");
        this.argCount = argCount;
        this.spans = spans;
    }

    /** A pooled holder of {@code frame} whose spans are copied from the first {@code argCount} pairs of {@code from}. */
    static RespCommand pooled(ByteBuf frame, int argCount, int[] from) {
        RespCommand command = RECYCLER.get();
        command.frame = frame;
        command.argCount = argCount;
        int length = argCount * 2;
        if (command.spans == null || command.spans.length < length) {
            command.spans = new int[Math.max(length, 8)];
        }
        System.arraycopy(from, 0, command.spans, 0, length);
        return command;
    }

    /**
     * A pooled holder of {@code frame} that takes {@code spans} as its own, for an array too long
     * for its maker to keep: no copy.
     */
    static RespCommand pooledTaking(ByteBuf frame, int argCount, int[] spans) {
        RespCommand command = RECYCLER.get();
        command.frame = frame;
        command.argCount = argCount;
        command.spans = spans;
        return command;
    }

    /**
     * Returns this holder to the pool; its frame is no longer its concern (handed on or released
     * before). A holder made outside the pool is left to the garbage collector.
     */
    public void recycle() {
        frame = null;
        if (handle != null) {
            if (spans != null && spans.length > KEPT_SPANS) {
                spans = null;
            }
            handle.recycle(this);
        }
    }

    /** Builds a command from its frame and argument spans; for codecs and tests. */
    public static RespCommand of(ByteBuf frame, int argCount, int[] spans) {
        if (spans.length < argCount * 2) {
            throw new IllegalArgumentException("spans too short for " + argCount + " arguments");
        }
        return new RespCommand(frame, argCount, spans);
    }

    /** Number of arguments, the command name included. Always at least 1. */
    public int argCount() {
        return argCount;
    }

    /** Argument {@code i} (0 is the command name) as a view of the frame: not retained. */
    public ByteBuf arg(int i) {
        checkIndex(i);
        return content().slice(content().readerIndex() + spans[2 * i], spans[2 * i + 1]);
    }

    /** Offset of argument {@code i}'s bytes from the frame's reader index. */
    public int argOffset(int i) {
        checkIndex(i);
        return spans[2 * i];
    }

    public int argLength(int i) {
        checkIndex(i);
        return spans[2 * i + 1];
    }

    /** Byte {@code at} of argument {@code i}, read without creating a view. */
    public byte argByte(int i, int at) {
        return content().getByte(content().readerIndex() + spans[2 * i] + at);
    }

    /** True when argument {@code i} equals {@code ascii}, ignoring ASCII case. No allocation. */
    public boolean argEqualsIgnoreCase(int i, String ascii) {
        int length = argLength(i);
        if (length != ascii.length()) {
            return false;
        }
        int base = content().readerIndex() + spans[2 * i];
        for (int k = 0; k < length; k++) {
            if (AsciiString.toLowerCase((char) (content().getByte(base + k) & 0xFF))
                    != AsciiString.toLowerCase(ascii.charAt(k))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Argument {@code i} as a decimal long, or {@code Long.MIN_VALUE} when it is not one
     * (Redis' rules: optional '-', digits only, no leading '+' or spaces, no overflow).
     */
    public long argAsLong(int i) {
        return Numbers.parseLong(content(), content().readerIndex() + spans[2 * i], argLength(i));
    }

    /** Argument {@code i} decoded as a String (ISO-8859-1, so any bytes survive); for slow paths. */
    public String argString(int i) {
        checkIndex(i);
        return content()
                .toString(
                        content().readerIndex() + spans[2 * i],
                        spans[2 * i + 1],
                        java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    /** The command name, lower-cased; for logs and error messages, not the hot path. */
    public String name() {
        return argString(0).toLowerCase(java.util.Locale.ROOT);
    }

    /** Frame size in bytes. */
    public int frameLength() {
        return content().readableBytes();
    }

    private void checkIndex(int i) {
        if (i < 0 || i >= argCount) {
            throw new IndexOutOfBoundsException("argument " + i + " of " + argCount);
        }
    }

    @Override
    public ByteBuf content() {
        if (frame.refCnt() <= 0) {
            throw new IllegalReferenceCountException(frame.refCnt());
        }
        return frame;
    }

    @Override
    public RespCommand copy() {
        return replace(frame.copy());
    }

    @Override
    public RespCommand duplicate() {
        return replace(frame.duplicate());
    }

    @Override
    public RespCommand retainedDuplicate() {
        return replace(frame.retainedDuplicate());
    }

    /** A holder of {@code content} with this command's spans (a copy: this holder may be recycled). */
    @Override
    public RespCommand replace(ByteBuf content) {
        return new RespCommand(content, argCount, java.util.Arrays.copyOf(spans, argCount * 2));
    }

    @Override
    public int refCnt() {
        return frame.refCnt();
    }

    @Override
    public RespCommand retain() {
        frame.retain();
        return this;
    }

    @Override
    public RespCommand retain(int increment) {
        frame.retain(increment);
        return this;
    }

    @Override
    public RespCommand touch() {
        frame.touch();
        return this;
    }

    @Override
    public RespCommand touch(Object hint) {
        frame.touch(hint);
        return this;
    }

    @Override
    public boolean release() {
        return frame.release();
    }

    @Override
    public boolean release(int decrement) {
        return frame.release(decrement);
    }

    @Override
    public boolean equals(Object o) {
        return this == o || (o instanceof RespCommand other && frame.equals(other.frame));
    }

    @Override
    public int hashCode() {
        return frame.hashCode();
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder("RespCommand[");
        for (int i = 0; i < argCount && i < 8; i++) {
            if (i > 0) {
                out.append(' ');
            }
            String arg = argString(i);
            out.append(arg.length() > 32 ? arg.substring(0, 32) + "…" : arg);
        }
        if (argCount > 8) {
            out.append(" …(").append(argCount).append(" args)");
        }
        return out.append(']').toString();
    }
}
