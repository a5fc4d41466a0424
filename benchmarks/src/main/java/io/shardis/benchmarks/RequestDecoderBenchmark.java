package io.shardis.benchmarks;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import io.shardis.resp.RespRequestDecoder;
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

/** Decodes 1,000 pipelined SET commands arriving in one read. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RequestDecoderBenchmark {

    private ByteBuf input;
    private EmbeddedChannel channel;

    @Setup(Level.Trial)
    public void setUp() {
        input = PipelinedSets.commands();
        channel = new EmbeddedChannel(new RespRequestDecoder());
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        channel.finishAndReleaseAll();
        input.release();
    }

    /** Returns the commands decoded, so the work cannot be optimised away. */
    @Benchmark
    public int decodeThousandPipelinedSets() {
        channel.writeInbound(input.retainedDuplicate());
        int decoded = 0;
        Object command;
        while ((command = channel.readInbound()) != null) {
            ReferenceCountUtil.release(command);
            decoded++;
        }
        if (decoded != PipelinedSets.COUNT) {
            throw new IllegalStateException("decoded " + decoded + " commands");
        }
        return decoded;
    }
}
