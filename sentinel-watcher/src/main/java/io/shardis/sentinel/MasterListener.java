package io.shardis.sentinel;

/** Told when the agreed address of a Sentinel master changes. */
@FunctionalInterface
public interface MasterListener {

    /**
     * Called off the proxy's event loops, once per change, in order per master name.
     *
     * <p>Every call comes from one thread of the watcher's own, so a slow listener delays later
     * changes but never the watcher's questions to the Sentinels. An exception thrown here is
     * logged and the next change is still delivered.
     */
    void masterChanged(MasterChange change);
}
