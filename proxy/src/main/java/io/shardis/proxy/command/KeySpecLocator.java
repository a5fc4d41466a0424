package io.shardis.proxy.command;

import io.shardis.resp.RespCommand;
import java.util.Arrays;
import java.util.List;

/** Keys found by a command's Redis key specs, in spec order (ZUNIONSTORE: destination, then sources). */
final class KeySpecLocator implements KeyLocator {

    private final KeySpec[] specs;

    KeySpecLocator(List<KeySpec> specs) {
        this.specs = specs.toArray(new KeySpec[0]);
    }

    @Override
    public int keyCount(RespCommand command) {
        int total = 0;
        for (KeySpec spec : specs) {
            long located = spec.locate(command);
            if (located < 0) {
                return MALFORMED;
            }
            total += (int) located;
        }
        return total;
    }

    @Override
    public int keyIndex(RespCommand command, int k) {
        if (k < 0) {
            throw new IndexOutOfBoundsException("key " + k);
        }
        int remaining = k;
        for (KeySpec spec : specs) {
            long located = spec.locate(command);
            if (located < 0) {
                return MALFORMED;
            }
            int count = (int) located;
            if (remaining < count) {
                return (int) (located >>> 32) + remaining * spec.keyStep();
            }
            remaining -= count;
        }
        throw new IndexOutOfBoundsException("key " + k + " of " + (k - remaining));
    }

    @Override
    public int keyAccess(RespCommand command, int k) {
        int remaining = k;
        for (KeySpec spec : specs) {
            long located = spec.locate(command);
            int count = located < 0 ? 0 : (int) located;
            if (remaining < count) {
                return spec.access();
            }
            remaining -= count;
        }
        throw new IndexOutOfBoundsException("key " + k);
    }

    /** The key spec the k-th key of {@code command} comes from. */
    KeySpec specOf(RespCommand command, int k) {
        int remaining = k;
        for (KeySpec spec : specs) {
            long located = spec.locate(command);
            int count = located < 0 ? 0 : (int) located;
            if (remaining < count) {
                return spec;
            }
            remaining -= count;
        }
        throw new IndexOutOfBoundsException("key " + k);
    }

    @Override
    public int keyStep() {
        return specs.length == 0 ? 1 : specs[0].keyStep();
    }

    @Override
    public String toString() {
        return Arrays.toString(specs);
    }
}
