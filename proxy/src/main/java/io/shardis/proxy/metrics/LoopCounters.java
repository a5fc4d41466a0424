package io.shardis.proxy.metrics;

import io.netty.util.concurrent.FastThreadLocal;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Counters updated on the hot path, one plain {@code long[]} per thread that writes them (an event
 * loop, in practice) and summed when read: an update is an add to memory no other thread writes,
 * with no atomic instruction and no cache line shared between event loops. Values may be counts,
 * byte totals or gauges kept as additions and subtractions; the sum over the threads is the figure.
 *
 * <p>Each thread's array is made on that thread, when it first updates, and kept for the life of
 * these counters (a thread that ends leaves what it counted in the sum). Writes are release stores
 * and reads acquire loads (plain moves on x86-64), so a reader on another thread sees each element
 * whole, soon, and a thread's updates in the order it made them; a sum read while threads count is
 * as exact as one of {@code LongAdder}.
 */
final class LoopCounters {

    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);

    private final int size;
    private final CopyOnWriteArrayList<long[]> all = new CopyOnWriteArrayList<>();
    private final FastThreadLocal<long[]> local = new FastThreadLocal<>() {
        @Override
        protected long[] initialValue() {
            long[] mine = new long[size];
            all.add(mine);
            return mine;
        }
    };

    LoopCounters(int size) {
        this.size = size;
    }

    /** The calling thread's counters, to pass to {@link #add(long[], int, long)}. */
    long[] mine() {
        return local.get();
    }

    /** Adds {@code delta} to counter {@code index} of {@code mine}, the calling thread's own array. */
    static void add(long[] mine, int index, long delta) {
        LONGS.setRelease(mine, index, mine[index] + delta);
    }

    /** Adds {@code delta} to counter {@code index} of the calling thread. */
    void add(int index, long delta) {
        add(local.get(), index, delta);
    }

    /** Counter {@code index} summed over every thread. */
    long sum(int index) {
        long sum = 0;
        for (long[] counters : all) {
            sum += (long) LONGS.getAcquire(counters, index);
        }
        return sum;
    }

    /** Counters {@code from} to {@code from + into.length} summed over every thread, into {@code into}. */
    void sum(int from, long[] into) {
        java.util.Arrays.fill(into, 0);
        for (long[] counters : all) {
            for (int i = 0; i < into.length; i++) {
                into[i] += (long) LONGS.getAcquire(counters, from + i);
            }
        }
    }

    /**
     * Counter {@code index} as a Dropwizard {@link com.codahale.metrics.Counter}, for the registry
     * (JMX) and the rare updates made off the hot path; reads sum every thread.
     */
    com.codahale.metrics.Counter counter(int index) {
        return new com.codahale.metrics.Counter() {
            @Override
            public void inc(long n) {
                add(index, n);
            }

            @Override
            public void dec(long n) {
                add(index, -n);
            }

            @Override
            public long getCount() {
                return sum(index);
            }
        };
    }
}
