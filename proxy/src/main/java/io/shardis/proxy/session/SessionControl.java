package io.shardis.proxy.session;

import io.shardis.resp.RespProtocol;

/**
 * What the commands about the connection itself (HELLO, RESET, QUIT, CLIENT...) change in the
 * session: its protocol, its own backend connection, its push mode and tracking, its end.
 * {@link ClientSession} implements it.
 */
interface SessionControl {

    /** Closes the connection once every reply queued so far has been written. */
    void replyThenClose();

    /** The client speaks {@code next} from its next command on. */
    void protocol(RespProtocol next);

    /** The protocol of the client's own backend connection; null when it has none. */
    RespProtocol pinnedProtocol();

    /** The client's own connection's protocol was changed: closed, not reused, once given back. */
    void spoilPinned();

    /** RESET unsubscribed the client's own connection from everything. */
    void endPushMode();

    /** The client's CLIENT TRACKING state, made on first use. */
    ClientTracking tracking();

    /** RESET: tracking is off. */
    void stopTracking();
}
