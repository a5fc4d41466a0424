package io.shardis.resp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.ByteProcessor;
import io.netty.util.internal.PlatformDependent;
import java.util.List;

/**
 * Frames a client's bytes into {@link RespCommand}s, the way Redis reads a query buffer: RESP
 * arrays of bulk strings ({@code *2\r\n$3\r\nGET\r\n$1\r\nk\r\n}) and inline commands
 * ({@code GET k\r\n}).
 *
 * <p>A RESP array is emitted as a retained slice of the read buffer, never copied; a read that is
 * exactly one command (a client waiting for each reply) becomes the command's frame itself, with
 * no slice at all. Partial input is
 * resumed where the last call stopped (offsets are kept relative to the reader index), so a 64 MiB
 * value arriving in many reads is scanned once. Lengths from the wire are checked against
 * {@link RespLimits} before anything is sized from them.
 *
 * <p>On bad input it emits one {@link RespProtocolError} and then discards everything the client
 * sends, as Redis does before closing the connection.
 */
public final class RespRequestDecoder extends ByteToMessageDecoder {

    private static final int INITIAL_ARGS = 8;
    /** The spans array is kept for the next command up to this length. */
    private static final int KEPT_SPANS = 64;
    /** The fewest bytes an argument takes on the wire: {@code $0\r\n\r\n}. */
    private static final int MIN_ARG_BYTES = 6;

    private RespLimits limits;

    /** Arguments the current array announced, or -1 when between commands. */
    private int expectedArgs = -1;

    private int argsRead;
    /** Where parsing resumes, relative to the reader index. */
    private int scanOffset;
    /** Length of the bulk whose header was read but whose bytes have not all arrived, or -1. */
    private int pendingBulkLength = -1;

    /** Where the arguments of the command being read lie; kept between commands unless large. */
    private int[] spans;

    private boolean failed;
    /** How much of an unfinished line has been searched for its end, relative to the reader index. */
    private int lineScanned;

    public RespRequestDecoder(RespLimits limits) {
        this.limits = limits;
    }

    public RespRequestDecoder() {
        this(RespLimits.DEFAULT);
    }

    /**
     * Limits for the commands read from now on (a configuration reload); call on the channel's
     * event loop, between commands. A command already partly read is finished under the new ones.
     */
    public void limits(RespLimits next) {
        this.limits = java.util.Objects.requireNonNull(next, "limits");
    }

    private final LargeBulks largeBulks = new LargeBulks(this);

    /** The read being tried whole ({@link #channelRead}): a command that spans all of it takes it as its frame. */
    private ByteBuf wholeRead;

    /**
     * A read that is exactly one RESP array, with nothing gathered before it, goes on as one
     * command whose frame is the read buffer itself. Any other read is decoded as usual: one whose
     * command is still incomplete from where the parse stopped, any other from its start again.
     */
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (msg instanceof ByteBuf read
                && expectedArgs < 0
                && !failed
                && lineScanned == 0
                && read.isReadable()
                && read.getByte(read.readerIndex()) == '*'
                && !internalBuffer().isReadable()) {
            int start = read.readerIndex();
            wholeRead = read;
            Object message;
            try {
                message = startCommand(ctx, read);
            } finally {
                wholeRead = null;
            }
            if (message instanceof RespCommand command && command.content() == read) {
                ctx.fireChannelRead(command);
                return;
            }
            if (message != null) {
                // A command and more, an empty array or an error: decoded again, in order, below.
                read.readerIndex(start);
                expectedArgs = -1;
                failed = false;
                lineScanned = 0;
            }
        }
        super.channelRead(ctx, msg);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (!failed && in.isReadable()) {
            Object message = expectedArgs < 0 ? startCommand(ctx, in) : continueArray(in);
            if (message == null) {
                // Need more bytes: a large value still to come is gathered without copying.
                largeBulks.awaiting(
                        expectedArgs >= 0 && pendingBulkLength >= 0
                                ? (long) in.readerIndex() + scanOffset + pendingBulkLength + 2 - in.writerIndex()
                                : 0);
                return;
            }
            if (message != SKIPPED) {
                out.add(message);
            }
        }
        largeBulks.awaiting(0);
        if (failed) {
            in.skipBytes(in.readableBytes());
        }
    }

    /** Marker for input that was consumed but yields no command (an empty line, {@code *0}). */
    private static final Object SKIPPED = new Object();
    /** Marker for a read tried whole that holds more than one command (see {@link #channelRead}). */
    private static final Object NOT_WHOLE = new Object();

    private Object startCommand(ChannelHandlerContext ctx, ByteBuf in) {
        int start = in.readerIndex();
        if (in.getByte(start) != '*') {
            return decodeInline(ctx, in);
        }
        // *<count>\r\n
        int eol = findLineEnd(in, 0, start + 1);
        if (eol < 0) {
            return eol == NO_CR && in.readableBytes() > limits.maxInlineLength()
                    ? fail("Protocol error: too big mbulk count string")
                    : null;
        }
        long count = parseLength(in, 0, start + 1, eol);
        if (count == Long.MIN_VALUE || count > limits.maxArrayLength()) {
            return fail("Protocol error: invalid multibulk length");
        }
        if (count <= 0) {
            // Redis ignores empty and null arrays.
            in.readerIndex(eol + 2);
            return SKIPPED;
        }
        expectedArgs = (int) count;
        argsRead = 0;
        scanOffset = eol + 2 - start;
        pendingBulkLength = -1;
        // Reused from command to command: each command is given a copy of its part. Sized for
        // the arguments whose bytes could be here already, never for the count alone.
        int arrived = (in.writerIndex() - scanOffset - start) / MIN_ARG_BYTES;
        int wanted = Math.min(expectedArgs, Math.max(INITIAL_ARGS, arrived)) * 2;
        if (spans == null || spans.length < wanted) {
            spans = new int[wanted];
        }
        return continueArray(in);
    }

    private Object continueArray(ByteBuf in) {
        int base = in.readerIndex();
        int end = in.writerIndex();
        // Every index read below lies in [base, end): read a direct buffer without a check per byte.
        long address = base < end ? Numbers.address(in) : 0;
        while (argsRead < expectedArgs) {
            if (pendingBulkLength < 0) {
                // $<length>\r\n
                int at = base + scanOffset;
                if (at >= end) {
                    return null;
                }
                byte type = byteAt(in, address, at);
                if (type != '$') {
                    return fail("Protocol error: expected '$', got '" + (char) (type & 0xFF) + "'");
                }
                int eol = findLineEnd(in, address, at + 1);
                if (eol < 0) {
                    return eol == NO_CR && end - at > limits.maxInlineLength()
                            ? fail("Protocol error: too big bulk count string")
                            : null;
                }
                long length = parseLength(in, address, at + 1, eol);
                if (length < 0 || length > limits.maxBulkLength()) {
                    return fail("Protocol error: invalid bulk length");
                }
                scanOffset = eol + 2 - base;
                if (scanOffset + length + 2 > limits.maxRequestBytes()) {
                    return fail("Protocol error: request larger than the proxy's limit of " + limits.maxRequestBytes()
                            + " bytes");
                }
                pendingBulkLength = (int) length;
            }
            // <bytes>\r\n
            int bulkStart = base + scanOffset;
            if (end - bulkStart < pendingBulkLength + 2) {
                return null;
            }
            int crlf = bulkStart + pendingBulkLength;
            if (byteAt(in, address, crlf) != '\r' || byteAt(in, address, crlf + 1) != '\n') {
                return fail("Protocol error: bulk string not terminated by CRLF");
            }
            recordSpan(scanOffset, pendingBulkLength);
            scanOffset += pendingBulkLength + 2;
            pendingBulkLength = -1;
            argsRead++;
        }
        if (in == wholeRead && scanOffset != in.readableBytes()) {
            // Tried as a whole read, but more follows: decoded again from its start by the usual path.
            expectedArgs = -1;
            return NOT_WHOLE;
        }
        // The whole read is this command: it is the frame (ownership passes with it), unsliced.
        ByteBuf frame = in == wholeRead ? in : in.readRetainedSlice(scanOffset);
        RespCommand command;
        if (spans.length > KEPT_SPANS) {
            // A command of many arguments does not leave its array to every later one: the
            // command takes it, uncopied.
            command = RespCommand.pooledTaking(frame, expectedArgs, spans);
            spans = null;
        } else {
            command = RespCommand.pooled(frame, expectedArgs, spans);
        }
        expectedArgs = -1;
        return command;
    }

    private void recordSpan(int offset, int length) {
        int index = argsRead * 2;
        if (index + 2 > spans.length) {
            // Grow with what has actually arrived, never with the count the client announced.
            int[] grown = new int[(int) Math.min(spans.length * 2L, expectedArgs * 2L)];
            System.arraycopy(spans, 0, grown, 0, spans.length);
            spans = grown;
        }
        spans[index] = offset;
        spans[index + 1] = length;
    }

    private Object decodeInline(ChannelHandlerContext ctx, ByteBuf in) {
        int start = in.readerIndex();
        int from = start + lineScanned;
        int stop = Math.min(in.writerIndex(), start + limits.maxInlineLength() + 1);
        int newline = from < stop ? in.forEachByte(from, stop - from, ByteProcessor.FIND_LF) : -1;
        if (newline < 0) {
            lineScanned = stop - start;
            return in.readableBytes() > limits.maxInlineLength()
                    ? fail("Protocol error: too big inline request")
                    : null;
        }
        lineScanned = 0;
        int lineEnd = newline > start && in.getByte(newline - 1) == '\r' ? newline - 1 : newline;
        List<byte[]> args = InlineParser.split(in, start, lineEnd);
        in.readerIndex(newline + 1);
        if (args == null) {
            return fail("Protocol error: unbalanced quotes in request");
        }
        if (args.isEmpty()) {
            return SKIPPED;
        }
        return RespCommands.encode(ctx.alloc(), args);
    }

    private RespProtocolError fail(String message) {
        failed = true;
        return new RespProtocolError(message);
    }

    /** {@link #findLineEnd}: no '\r' within the longest line allowed, as far as the bytes go. */
    private static final int NO_CR = -1;
    /**
     * {@link #findLineEnd}: the '\r' is there, the byte after it is not. Not an overlong line: as
     * Redis does, wait for one more byte however long the buffer is, so the error a client gets
     * does not depend on how its bytes were split.
     */
    private static final int CR_LAST = -2;

    /**
     * Index of the '\r' of the "\r\n" ending the line that starts at {@code lineStart}, or
     * {@link #NO_CR} or {@link #CR_LAST} when it has not arrived yet. Resumes where the previous
     * call stopped, so a line trickling in byte by byte is scanned once.
     */
    private int findLineEnd(ByteBuf in, long address, int lineStart) {
        int from = Math.max(lineStart, in.readerIndex() + lineScanned);
        int stop = Math.min(in.writerIndex(), lineStart + limits.maxInlineLength());
        if (from >= stop) {
            return NO_CR;
        }
        int cr = address != 0 ? Numbers.indexOfCrAt(address, from, stop) : Numbers.indexOfCr(in, from, stop);
        if (cr < 0) {
            lineScanned = stop - in.readerIndex();
            return NO_CR;
        }
        if (cr + 1 >= in.writerIndex()) {
            lineScanned = cr - in.readerIndex();
            return CR_LAST;
        }
        // A lone '\r' makes the number unparsable, which the caller reports.
        lineScanned = 0;
        return cr;
    }

    /**
     * A non-negative length or -1 from a header line; {@code Long.MIN_VALUE} when malformed. With
     * an {@code address} ({@link Numbers#address}), the buffer is read through it.
     */
    private static long parseLength(ByteBuf in, long address, int from, int to) {
        if (to + 1 >= in.writerIndex() || byteAt(in, address, to + 1) != '\n') {
            return Long.MIN_VALUE;
        }
        return address != 0 ? Numbers.parseLongAt(address + from, to - from) : Numbers.parseLong(in, from, to - from);
    }

    private static byte byteAt(ByteBuf in, long address, int index) {
        return address != 0 ? PlatformDependent.getByte(address + index) : in.getByte(index);
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        expectedArgs = -1;
    }
}
