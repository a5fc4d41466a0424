package io.shardis.benchmarks;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import io.shardis.resp.RespCommand;
import io.shardis.resp.RespLimits;
import io.shardis.resp.RespReplies;
import io.shardis.resp.RespReplyFramer;
import io.shardis.resp.RespRequestDecoder;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The codec's share of one MGET of 100 keys: decoding the client's request (one read, keys
 * {@code key:NNNNNNNN}), framing a 100-element reply (64-byte values, one key in ten missing) in a
 * pooled direct buffer, and writing the 101 headers of such a request. Runs on a
 * FastThreadLocalThread, as on an event loop, so the command holder is recycled as in production.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Djmh.executor=CUSTOM", "-Djmh.executor.class=io.shardis.benchmarks.EventLoopThreads"})
public class MgetCodecBenchmark {

    private static final int KEYS = 100;

    private ByteBuf request;
    private ByteBuf reply;
    private ByteBuf headers;
    private EmbeddedChannel channel;
    private RespReplyFramer framer;
    private long[] headerValues;

    @Setup(Level.Trial)
    public void setUp() {
        SplittableRandom random = new SplittableRandom(7);
        StringBuilder command = new StringBuilder("*").append(KEYS + 1).append("\r\n$4\r\nMGET\r\n");
        StringBuilder elements = new StringBuilder("*").append(KEYS).append("\r\n");
        headerValues = new long[KEYS + 1];
        headerValues[0] = KEYS + 1;
        for (int k = 0; k < KEYS; k++) {
            String key = String.format("key:%08d", random.nextInt(100_000_000));
            command.append('$').append(key.length()).append("\r\n").append(key).append("\r\n");
            elements.append(random.nextInt(10) == 0 ? "$-1\r\n" : "$64\r\n" + "v".repeat(64) + "\r\n");
            headerValues[k + 1] = key.length();
        }
        request = PooledByteBufAllocator.DEFAULT.directBuffer();
        request.writeCharSequence(command, StandardCharsets.US_ASCII);
        reply = PooledByteBufAllocator.DEFAULT.directBuffer();
        reply.writeCharSequence(elements, StandardCharsets.US_ASCII);
        headers = PooledByteBufAllocator.DEFAULT.directBuffer(1024);
        channel = new EmbeddedChannel(new RespRequestDecoder());
        framer = new RespReplyFramer(RespLimits.DEFAULT);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        channel.finishAndReleaseAll();
        request.release();
        reply.release();
        headers.release();
    }

    /** Returns the arguments decoded, so the work cannot be optimised away. */
    @Benchmark
    public int decodeMgetRequest() {
        channel.writeInbound(request.retainedDuplicate());
        RespCommand command = channel.readInbound();
        int args = command.argCount();
        ReferenceCountUtil.release(command);
        if (args != KEYS + 1) {
            throw new IllegalStateException("decoded " + args + " arguments");
        }
        return args;
    }

    /** Returns the reply's length. */
    @Benchmark
    public int frameMgetReply() {
        int length = framer.frame(reply);
        if (length != reply.readableBytes()) {
            throw new IllegalStateException("framed " + length + " bytes");
        }
        return length;
    }

    /** Writes an MGET request's array and bulk headers; returns their length. */
    @Benchmark
    public int writeMgetHeaders() {
        headers.clear();
        for (long value : headerValues) {
            RespReplies.writeHeader(headers, '$', value);
        }
        return headers.readableBytes();
    }
}
