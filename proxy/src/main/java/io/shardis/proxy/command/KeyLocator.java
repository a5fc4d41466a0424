package io.shardis.proxy.command;

import io.shardis.resp.RespCommand;

/**
 * Finds the key arguments of one invocation. Implementations allocate nothing and never throw on
 * malformed input: they answer {@link #MALFORMED} instead.
 */
interface KeyLocator {

    /** The key positions of this invocation cannot be determined. */
    int MALFORMED = -1;

    /** Number of keys in this invocation, or {@link #MALFORMED}. */
    int keyCount(RespCommand command);

    /** Argument index of the k-th key, or {@link #MALFORMED}; {@code k} must be below the key count. */
    int keyIndex(RespCommand command, int k);

    /** Arguments that travel with each key (2 for MSET's key value pairs). */
    int keyStep();

    /**
     * What the command does with its k-th key, as Redis' ACL reads its key spec flags:
     * {@link CommandSpec#KEY_READ} ({@code access}), {@link CommandSpec#KEY_WRITE} ({@code insert},
     * {@code delete}, {@code update}), {@link CommandSpec#NOT_A_KEY} (SPUBLISH's channel, which is
     * routed like a key). {@code k} must be below the key count.
     */
    int keyAccess(RespCommand command, int k);

    KeyLocator NONE = new KeyLocator() {
        @Override
        public int keyCount(RespCommand command) {
            return 0;
        }

        @Override
        public int keyIndex(RespCommand command, int k) {
            throw new IndexOutOfBoundsException("key " + k + " of a keyless command");
        }

        @Override
        public int keyStep() {
            return 1;
        }

        @Override
        public int keyAccess(RespCommand command, int k) {
            throw new IndexOutOfBoundsException("key " + k + " of a keyless command");
        }

        @Override
        public String toString() {
            return "no keys";
        }
    };
}
