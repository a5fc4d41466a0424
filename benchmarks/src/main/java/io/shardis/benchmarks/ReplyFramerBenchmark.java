package io.shardis.benchmarks;

import io.netty.buffer.ByteBuf;
import io.shardis.resp.RespLimits;
import io.shardis.resp.RespReplyFramer;
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

/** Finds the boundaries of 1,000 pipelined replies ({@code +OK} and 64-byte bulks) in one buffer. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ReplyFramerBenchmark {

    private ByteBuf input;
    private RespReplyFramer framer;

    @Setup(Level.Trial)
    public void setUp() {
        input = PipelinedSets.replies();
        framer = new RespReplyFramer(RespLimits.DEFAULT);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        input.release();
    }

    /** Returns the replies framed, so the work cannot be optimised away. */
    @Benchmark
    public int frameThousandPipelinedReplies() {
        ByteBuf view = input.duplicate();
        int framed = 0;
        int length;
        while (view.isReadable() && (length = framer.frame(view)) >= 0) {
            view.skipBytes(length);
            framed++;
        }
        if (framed != PipelinedSets.COUNT) {
            throw new IllegalStateException("framed " + framed + " replies");
        }
        return framed;
    }
}
