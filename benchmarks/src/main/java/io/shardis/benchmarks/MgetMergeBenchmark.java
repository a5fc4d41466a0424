package io.shardis.benchmarks;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.shardis.proxy.command.ReplyMerge;
import io.shardis.proxy.merge.ReplyMerger;
import io.shardis.proxy.merge.ReplyReader;
import io.shardis.resp.RespReplies;
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
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The merge of one split MGET of 100 keys spread at random over 4 or 16 servers: 64-byte values,
 * one key in ten missing, each server's reply a slice of a larger pooled direct buffer as when read
 * from a socket. Run with {@code -prof gc} for {@code gc.alloc.rate.norm} per MGET.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class MgetMergeBenchmark {

    private static final int KEYS = 100;

    @Param({"4", "16"})
    public int servers;

    private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
    private ByteBuf[] reads;
    private ByteBuf[] replies;
    private int[] keyChild;
    private int[] keyPlace;

    @Setup(Level.Trial)
    public void setUp() {
        SplittableRandom random = new SplittableRandom(7);
        keyChild = new int[KEYS];
        keyPlace = new int[KEYS];
        int[] perServer = new int[servers];
        for (int k = 0; k < KEYS; k++) {
            keyChild[k] = random.nextInt(servers);
            keyPlace[k] = perServer[keyChild[k]]++;
        }
        reads = new ByteBuf[servers];
        replies = new ByteBuf[servers];
        for (int s = 0; s < servers; s++) {
            StringBuilder reply = new StringBuilder("*").append(perServer[s]).append("\r\n");
            for (int e = 0; e < perServer[s]; e++) {
                reply.append(random.nextInt(10) == 0 ? "$-1\r\n" : "$64\r\n" + "v".repeat(64) + "\r\n");
            }
            reads[s] = alloc.directBuffer();
            reads[s].writeCharSequence("+OK\r\n" + reply + "+OK\r\n", StandardCharsets.US_ASCII);
            replies[s] = reads[s].slice(5, reply.length());
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        for (ByteBuf read : reads) {
            read.release();
        }
    }

    /**
     * The merge as it was before it walked each reply with a cursor: every element of every reply
     * framed into an offsets array, then one copy per key through {@code writeBytes}; for comparison.
     */
    @Benchmark
    public int mergeKeyOrderFramingEveryElement() {
        int[][] bounds = new int[replies.length][];
        int bytes = 16;
        for (int i = 0; i < replies.length; i++) {
            bounds[i] = ReplyReader.elements(replies[i]);
            bytes += replies[i].readableBytes();
        }
        ByteBuf out = alloc.buffer(bytes);
        RespReplies.writeHeader(out, '*', keyChild.length);
        for (int k = 0; k < keyChild.length; k++) {
            int[] childBounds = bounds[keyChild[k]];
            int place = keyPlace[k];
            out.writeBytes(replies[keyChild[k]], childBounds[2 * place], childBounds[2 * place + 1]);
        }
        int length = out.readableBytes();
        out.release();
        return length;
    }

    /** Returns the merged reply's length, so the work cannot be optimised away. */
    @Benchmark
    public int mergeKeyOrder() {
        ByteBuf merged = ReplyMerger.merge(ReplyMerge.KEY_ORDER, replies, keyChild, alloc);
        int length = merged.readableBytes();
        merged.release();
        return length;
    }
}
