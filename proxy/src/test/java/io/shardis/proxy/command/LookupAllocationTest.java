package io.shardis.proxy.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardis.resp.RespCommand;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The per-request calls allocate nothing: they run for every command the proxy sees. */
class LookupAllocationTest {

    private final CommandTable table = CommandTable.standard();
    private final TestCommands commands = new TestCommands();

    @AfterEach
    void releaseFrames() {
        commands.close();
    }

    @Test
    void lookupKeysAndBlockingAllocateNothing() {
        RespCommand[] requests = {
            commands.of("GET", "k"),
            commands.of("client", "SETNAME", "app"),
            commands.of("EVAL", "return 1", "2", "a", "b"),
            commands.of("XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "a", ">"),
            commands.of("ZUNIONSTORE", "d", "2", "a", "b"),
            commands.of("SORT", "k", "LIMIT", "0", "1", "STORE", "d"),
            commands.of("MIGRATE", "h", "1", "", "0", "10", "KEYS", "a", "b"),
            commands.of("MSET", "a", "1", "b", "2"),
            commands.of("nosuchcommand", "x"),
        };
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long sink = 0;
        for (int round = 0; round < 20_000; round++) { // warm up: let the JIT settle
            sink += exercise(requests);
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int round = 0; round < 20_000; round++) {
            sink += exercise(requests);
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertThat(sink).isNotZero();
        // 180,000 lookups; a single object per lookup would be megabytes.
        assertThat(allocated).isLessThan(64 * 1024);
    }

    private long exercise(RespCommand[] requests) {
        long sum = 0;
        for (RespCommand request : requests) {
            CommandSpec spec = table.lookup(request);
            if (spec == null) {
                sum += 1;
                continue;
            }
            int keys = spec.keyCount(request);
            for (int k = 0; k < keys; k++) {
                sum += spec.keyIndex(request, k);
            }
            sum += spec.blocks(request) ? 1 : 0;
        }
        return sum;
    }
}
