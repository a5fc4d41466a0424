package io.shardis.benchmarks;

import io.netty.buffer.ByteBufAllocator;
import io.shardis.proxy.command.CommandSpec;
import io.shardis.proxy.command.CommandTable;
import io.shardis.resp.RespCommand;
import io.shardis.resp.RespCommands;
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

/** Looks up the spec of a mix of commands, as the dispatcher does for every request, with its arity check. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class CommandLookupBenchmark {

    private CommandTable table;
    private RespCommand[] commands;

    @Setup(Level.Trial)
    public void setUp() {
        table = CommandTable.standard();
        commands = new RespCommand[] {
            RespCommands.encode(ByteBufAllocator.DEFAULT, "GET", "user:1000"),
            RespCommands.encode(ByteBufAllocator.DEFAULT, "set", "user:1000", "value"),
            RespCommands.encode(ByteBufAllocator.DEFAULT, "HGETALL", "h"),
            RespCommands.encode(ByteBufAllocator.DEFAULT, "client", "setname", "app"),
            RespCommands.encode(ByteBufAllocator.DEFAULT, "ZUNIONSTORE", "d", "2", "a", "b"),
            RespCommands.encode(ByteBufAllocator.DEFAULT, "EVALSHA", "abc", "1", "k"),
            RespCommands.encode(ByteBufAllocator.DEFAULT, "mget", "a", "b", "c"),
            RespCommands.encode(ByteBufAllocator.DEFAULT, "XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">"),
        };
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        for (RespCommand command : commands) {
            command.release();
        }
    }

    /** Eight lookups with arity check and key count per call; divide by eight for one. */
    @Benchmark
    public int lookUpEightCommands() {
        int keys = 0;
        for (RespCommand command : commands) {
            CommandSpec spec = table.lookup(command);
            if (spec == null || !spec.arityAccepts(command.argCount())) {
                throw new IllegalStateException("not found: " + command);
            }
            keys += spec.keyCount(command);
        }
        return keys;
    }
}
