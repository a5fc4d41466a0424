package io.shardis.proxy.tls;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every TLS context of a running Shardis, re-read together. Each is read whole before it replaces
 * the one in use: a file half written or a key that does not match its certificate leaves that
 * context as it was and is reported, the others are still renewed. Connected clients and open
 * backend connections keep the context they started with; only new connections see the new one.
 */
public final class TlsReloader {

    private static final Logger log = LoggerFactory.getLogger(TlsReloader.class);

    private final List<Reloadable> contexts = new CopyOnWriteArrayList<>();

    public void add(Reloadable context) {
        if (context != null) {
            contexts.add(context);
        }
    }

    /** A context no longer in use (a pool a reload replaced). */
    public void remove(Reloadable context) {
        if (context != null) {
            contexts.remove(context);
        }
    }

    public boolean isEmpty() {
        return contexts.isEmpty();
    }

    /**
     * Reads every certificate, key and CA file again. Returns one line per context that could not
     * be renewed (empty when all were), each naming the pool, block and what was wrong.
     */
    public List<String> reloadAll() {
        List<String> failures = new ArrayList<>();
        for (Reloadable context : contexts) {
            try {
                context.reload();
                log.info("{}: certificates re-read; new connections use them", context.describe());
            } catch (TlsSetupException | RuntimeException e) {
                String problem = context.describe() + "." + (e instanceof TlsSetupException setup ? setup.key() : "")
                        + ": " + e.getMessage() + "; the previous certificates stay in use";
                log.error("{}", problem);
                failures.add(problem);
            }
        }
        return failures;
    }
}
