package io.shardis.it.support;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * What one writer did to the keys it alone writes, so that what a server holds can be judged:
 * every value is {@code <writer>:<sequence>}, every counter counts {@code INCR}s.
 *
 * <p>A write is <em>attempted</em> when it is sent and <em>acknowledged</em> when its reply says
 * it was done. The checks: a value read is one this writer attempted, no older than the last
 * acknowledged one; a counter is at least its acknowledged {@code INCR}s and at most its attempted
 * ones. (A master killed while its replica lags loses writes, which is Redis' asynchronous
 * replication: {@link SoakLoad#pauseWrites} lets a chaos step see every acknowledged write
 * replicated before it kills one.) Only the owning thread calls the recording methods;
 * {@link #check} runs once the writer has stopped.
 */
public final class IntegrityLedger {

    private final String writer;
    private final Map<String, long[]> values = new LinkedHashMap<>();
    private final Map<String, long[]> counters = new LinkedHashMap<>();
    private final List<String> violations = new ArrayList<>();
    private long acknowledgedWrites;
    private long reads;

    // values: [attempted sequence, acknowledged sequence]; counters: [attempted, acknowledged]

    public IntegrityLedger(String writer) {
        this.writer = writer;
    }

    /** The value to write next to {@code key}, recorded as attempted. */
    public String nextValue(String key) {
        long[] state = values.computeIfAbsent(key, k -> new long[2]);
        state[0]++;
        return writer + ":" + state[0];
    }

    /** The write of {@code value} to {@code key} was acknowledged. */
    public void acknowledged(String key, String value) {
        acknowledgedWrites++;
        long[] state = values.get(key);
        state[1] = Math.max(state[1], sequenceOf(key, value));
    }

    /** An {@code INCR} of {@code counter} is about to be sent. */
    public void incrementAttempted(String counter) {
        counters.computeIfAbsent(counter, k -> new long[2])[0]++;
    }

    /** An {@code INCR} of {@code counter} was answered with {@code reply}. */
    public void incrementAcknowledged(String counter, long reply) {
        long[] state = counters.get(counter);
        acknowledgedWrites++;
        if (reply < state[1] + 1 || reply > state[0]) {
            violations.add("INCR " + counter + " answered " + reply + " after " + state[1] + " acknowledged and "
                    + state[0] + " attempted INCRs");
        }
        state[1]++;
    }

    /** {@code key} read as {@code value} (null: absent), during the run or at its end. */
    public void read(String key, String value) {
        reads++;
        long[] state = values.get(key);
        long attempted = state == null ? 0 : state[0];
        long acknowledged = state == null ? 0 : state[1];
        if (value == null) {
            if (acknowledged > 0) {
                violations.add(key + " is gone; write " + acknowledged + " of " + writer + " was acknowledged");
            }
            return;
        }
        long sequence = sequenceOf(key, value);
        if (sequence < 0 || sequence > attempted) {
            violations.add(
                    key + " holds '" + value + "', which " + writer + " never wrote (" + attempted + " attempted)");
        } else if (sequence < acknowledged) {
            violations.add(key + " holds '" + value + "', older than the acknowledged write " + acknowledged);
        }
    }

    /**
     * Reads every key and counter back with {@code get} (a server's {@code GET}) and adds what does
     * not hold to the violations, which it returns.
     */
    public List<String> check(Function<String, String> get) {
        for (String key : values.keySet()) {
            read(key, get.apply(key));
        }
        counters.forEach((counter, state) -> {
            String text = get.apply(counter);
            long value = text == null ? 0 : Long.parseLong(text);
            if (value < state[1]) {
                violations.add(counter + " is " + value + " after " + state[1] + " acknowledged INCRs");
            } else if (value > state[0]) {
                violations.add(counter + " is " + value + " after only " + state[0] + " INCRs sent");
            }
        });
        return List.copyOf(violations);
    }

    public List<String> violations() {
        return List.copyOf(violations);
    }

    public long acknowledgedWrites() {
        return acknowledgedWrites;
    }

    public long reads() {
        return reads;
    }

    public int keys() {
        return values.size() + counters.size();
    }

    private long sequenceOf(String key, String value) {
        String prefix = writer + ":";
        if (!value.startsWith(prefix)) {
            return -1;
        }
        try {
            return Long.parseLong(value.substring(prefix.length()));
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
