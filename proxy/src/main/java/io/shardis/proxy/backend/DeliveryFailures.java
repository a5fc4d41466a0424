package io.shardis.proxy.backend;

import io.shardis.proxy.channel.RateLimitedLog;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;

/** The log of replies that could not be handed to their client (its session dropped it instead). */
final class DeliveryFailures {

    private static final RateLimitedLog log =
            new RateLimitedLog(LoggerFactory.getLogger(BackendConnection.class), 10, TimeUnit.SECONDS);

    private DeliveryFailures() {}

    static void report(String backend, Throwable cause) {
        log.warn(
                "{}: a reply could not be handed to its client ({}); that client is disconnected, the"
                        + " connection and its other clients carry on",
                backend,
                cause.toString());
    }
}
