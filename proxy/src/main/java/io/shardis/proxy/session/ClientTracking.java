package io.shardis.proxy.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.shardis.proxy.backend.PendingCommand;
import io.shardis.proxy.backend.ReplySink;
import io.shardis.proxy.command.CommandFlag;
import io.shardis.proxy.command.CommandSpec;
import io.shardis.resp.RespCommand;
import io.shardis.resp.RespProtocol;
import io.shardis.resp.RespReplies;
import io.shardis.resp.RespValue;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * One client's {@code CLIENT TRACKING} state, as Redis 7.0 keeps it: the mode (default, BCAST with
 * its prefixes, OPTIN/OPTOUT with {@code CLIENT CACHING}, NOLOOP), the redirection, the keys read
 * in the default mode (also in the loop's {@link InvalidationHub}), and the spelling of the
 * invalidations it is sent. {@code CLIENT TRACKING}, {@code CACHING}, {@code TRACKINGINFO} and
 * {@code GETREDIR} are answered here with Redis' replies and errors. Lives on the client's loop.
 *
 * <p>Longer than our usual 350 lines because Redis' option checks of {@code CLIENT TRACKING}, its
 * {@code TRACKINGINFO} and the invalidation frames are kept beside the state they read. What
 * shrinks it next: the frames (push, Pub/Sub message, redirect-broken) as a class of their own.
 */
final class ClientTracking {

    private static final byte[] PUSH_HEAD = ">2\r\n$10\r\ninvalidate\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] MESSAGE_HEAD =
            "*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n".getBytes(StandardCharsets.US_ASCII);

    /** What tracking needs of the session besides its replies: it owns the commands sent, hears invalidations. */
    interface Owner extends ReplySink {
        /** The client-side caching of the client's pool on its loop. */
        InvalidationHub invalidationHub();

        /** An invalidation for the client, after the replies already queued. */
        void deliver(ByteBuf frame);
    }

    private final SessionContext client;
    private final Replies replies;
    private final Owner owner;
    private InvalidationHub hub;
    private boolean on;
    private boolean bcast;
    private boolean optin;
    private boolean optout;
    private boolean noloop;
    private boolean caching;
    private boolean brokenRedirect;
    private long redirect;
    /** BCAST prefixes, in Redis' (byte) order; {@code ""} when BCAST named none. */
    private final TreeSet<String> prefixes = new TreeSet<>();
    /** Default mode: the keys read and not yet invalidated. */
    private final Set<String> keys = new HashSet<>();
    /**
     * NOLOOP: the keys this client wrote whose invalidation is to be left out, until it comes or a
     * barrier shows it never will; null without NOLOOP.
     */
    private OwnWrites own;
    /** NOLOOP: the command being dispatched wrote keys to tie to its reply slot once it is sent. */
    private boolean slotAwaited;

    ClientTracking(SessionContext client, Replies replies, Owner owner) {
        this.client = client;
        this.replies = replies;
        this.owner = owner;
    }

    boolean on() {
        return on;
    }

    boolean bcast() {
        return bcast;
    }

    Set<String> keys() {
        return keys;
    }

    /** CLIENT TRACKING ON|OFF [REDIRECT id] [PREFIX p]... [BCAST] [OPTIN] [OPTOUT] [NOLOOP]; arity checked. */
    void tracking(RespCommand command) {
        ByteBufAllocator alloc = replies.alloc();
        long redir = 0;
        boolean newBcast = false;
        boolean newOptin = false;
        boolean newOptout = false;
        boolean newNoloop = false;
        List<String> newPrefixes = new ArrayList<>();
        for (int j = 3; j < command.argCount(); j++) {
            boolean moreArgs = command.argCount() - 1 - j > 0;
            if (command.argEqualsIgnoreCase(j, "redirect") && moreArgs) {
                j++;
                if (redir != 0) {
                    reply(command, error(alloc, Refusals.TRACKING_ONE_REDIRECT));
                    return;
                }
                redir = command.argAsLong(j);
                if (redir == Long.MIN_VALUE) {
                    reply(command, error(alloc, Refusals.NOT_AN_INTEGER));
                    return;
                }
                if (redir != client.id() && client.pool().clients().get(redir) == null) {
                    reply(command, error(alloc, Refusals.TRACKING_NO_REDIRECT_CLIENT));
                    return;
                }
            } else if (command.argEqualsIgnoreCase(j, "bcast")) {
                newBcast = true;
            } else if (command.argEqualsIgnoreCase(j, "optin")) {
                newOptin = true;
            } else if (command.argEqualsIgnoreCase(j, "optout")) {
                newOptout = true;
            } else if (command.argEqualsIgnoreCase(j, "noloop")) {
                newNoloop = true;
            } else if (command.argEqualsIgnoreCase(j, "prefix") && moreArgs) {
                j++;
                newPrefixes.add(command.argString(j));
            } else {
                reply(command, error(alloc, Refusals.SYNTAX));
                return;
            }
        }
        if (command.argEqualsIgnoreCase(2, "off")) {
            stop();
            reply(command, RespReplies.OK.duplicate());
            return;
        }
        if (!command.argEqualsIgnoreCase(2, "on")) {
            reply(command, error(alloc, Refusals.SYNTAX));
            return;
        }
        String refusal = refusal(newBcast, newOptin, newOptout, newPrefixes);
        if (refusal != null) {
            reply(command, error(alloc, refusal));
            return;
        }
        boolean wasOn = on;
        on = true;
        brokenRedirect = false;
        redirect = redir;
        bcast = newBcast;
        optin = newOptin;
        optout = newOptout;
        noloop = newNoloop;
        own = noloop ? (own == null ? new OwnWrites() : own) : null;
        if (bcast) {
            prefixes.addAll(newPrefixes.isEmpty() ? List.of("") : newPrefixes);
        }
        command.release();
        if (wasOn) {
            replies.reply(RespReplies.OK.duplicate());
            return;
        }
        // OK once every server's tracking connection listens: no write after it goes unheard.
        PendingCommand answer = new PendingCommand(owner);
        replies.expectReply(answer);
        hub = owner.invalidationHub();
        hub.start(this, () -> owner.onReply(answer, RespReplies.OK.duplicate()));
    }

    /** Redis 7.0's checks of CLIENT TRACKING ON's options against each other and the client's state. */
    private String refusal(boolean newBcast, boolean newOptin, boolean newOptout, List<String> newPrefixes) {
        if (!newBcast && !newPrefixes.isEmpty()) {
            return Refusals.TRACKING_PREFIX_WITHOUT_BCAST;
        }
        if (on && bcast != newBcast) {
            return Refusals.TRACKING_SWITCH_BCAST;
        }
        if (newBcast && (newOptin || newOptout)) {
            return Refusals.TRACKING_OPT_WITH_BCAST;
        }
        if (newOptin && newOptout) {
            return Refusals.TRACKING_OPTIN_AND_OPTOUT;
        }
        if ((newOptin && on && optout) || (newOptout && on && optin)) {
            return Refusals.TRACKING_SWITCH_OPT;
        }
        if (newBcast) {
            for (int i = 0; i < newPrefixes.size(); i++) {
                String prefix = newPrefixes.get(i);
                for (String existing : on ? prefixes : Set.<String>of()) {
                    if (overlap(existing, prefix)) {
                        return Refusals.trackingPrefixOverlapsExisting(prefix, existing);
                    }
                }
                for (int j = i + 1; j < newPrefixes.size(); j++) {
                    if (overlap(prefix, newPrefixes.get(j))) {
                        return Refusals.trackingPrefixesOverlap(prefix, newPrefixes.get(j));
                    }
                }
            }
        }
        return null;
    }

    private static boolean overlap(String a, String b) {
        return a.startsWith(b) || b.startsWith(a);
    }

    /** CLIENT CACHING YES|NO. */
    void caching(RespCommand command) {
        ByteBufAllocator alloc = replies.alloc();
        if (!on) {
            reply(command, error(alloc, Refusals.CACHING_WITHOUT_MODE));
        } else if (command.argEqualsIgnoreCase(2, "yes")) {
            if (optin) {
                caching = true;
                reply(command, RespReplies.OK.duplicate());
            } else {
                reply(command, error(alloc, Refusals.CACHING_YES));
            }
        } else if (command.argEqualsIgnoreCase(2, "no")) {
            if (optout) {
                caching = true;
                reply(command, RespReplies.OK.duplicate());
            } else {
                reply(command, error(alloc, Refusals.CACHING_NO));
            }
        } else {
            reply(command, error(alloc, Refusals.SYNTAX));
        }
    }

    /** CLIENT TRACKINGINFO: Redis' map of flags, redirect and prefixes. */
    void trackingInfo(RespCommand command) {
        List<RespValue> flags = new ArrayList<>();
        flags.add(bulk(on ? "on" : "off"));
        if (bcast) {
            flags.add(bulk("bcast"));
        }
        if (optin) {
            flags.add(bulk("optin"));
            if (caching) {
                flags.add(bulk("caching-yes"));
            }
        }
        if (optout) {
            flags.add(bulk("optout"));
            if (caching) {
                flags.add(bulk("caching-no"));
            }
        }
        if (noloop) {
            flags.add(bulk("noloop"));
        }
        if (brokenRedirect) {
            flags.add(bulk("broken_redirect"));
        }
        List<RespValue> shown = new ArrayList<>();
        prefixes.forEach(prefix -> shown.add(bulk(prefix)));
        RespValue info = new RespValue.Map(List.of(
                new RespValue.Pair(bulk("flags"), new RespValue.Set(flags)),
                new RespValue.Pair(bulk("redirect"), new RespValue.Integer(on ? redirect : -1)),
                new RespValue.Pair(bulk("prefixes"), new RespValue.Array(shown))));
        reply(command, LocalReplies.encode(replies.alloc(), info, client.protocol()));
    }

    /** CLIENT GETREDIR: -1 when not tracking, 0 without a redirection. */
    void getRedir(RespCommand command) {
        reply(command, RespReplies.integer(replies.alloc(), on ? redirect : -1));
    }

    /**
     * A command of this client, before it runs: a read in the default mode remembers its keys (OPTIN
     * after CLIENT CACHING YES only, OPTOUT unless after CLIENT CACHING NO); a write under NOLOOP
     * remembers the keys not to be told of.
     */
    void observe(RespCommand command, CommandSpec spec) {
        if (spec == null) {
            caching = false;
            return;
        }
        String name = spec.name();
        if (name.startsWith("client|")) {
            // Redis 7.0 keeps CLIENT CACHING's word over any CLIENT subcommand (TRACKINGINFO, ID...).
            return;
        }
        boolean cachingSaid = caching;
        boolean inMulti = client.inMulti();
        if (!name.equals("multi") && (!inMulti || name.equals("exec") || name.equals("discard"))) {
            // ... and over a transaction, for every read queued in it.
            caching = false;
        }
        if (own != null && inMulti && own.hasNoted() && (name.equals("exec") || name.equals("discard"))) {
            // A transaction's writes run at EXEC: their entries wait for its reply.
            slotAwaited = true;
        }
        int keyCount = spec.keyCount(command);
        if (keyCount == 0) {
            return;
        }
        if (spec.has(CommandFlag.READONLY) && !bcast && (optin ? cachingSaid : !optout || !cachingSaid)) {
            for (int k = 0; k < keyCount; k++) {
                hub.read(this, command.argString(spec.keyIndex(command, k)));
            }
        } else if (own != null && spec.has(CommandFlag.WRITE)) {
            for (int k = 0; k < keyCount; k++) {
                own.note(command.argString(spec.keyIndex(command, k)));
            }
            slotAwaited = !inMulti;
        }
    }

    /** NOLOOP: whether the command just dispatched wrote keys whose reply slot {@link #sent} is to be told. */
    boolean awaitsSlot() {
        return slotAwaited;
    }

    /**
     * NOLOOP: the command that wrote was sent; {@code lastUnanswered} is the last reply the client
     * awaits, the command's own when it reached a server.
     */
    void sent(PendingCommand lastUnanswered) {
        slotAwaited = false;
        if (own != null && own.sent(lastUnanswered)) {
            hub.barrier(this);
        }
    }

    /** A reply of this client arrived: under NOLOOP, own writes it answers are to be passed by a barrier. */
    void replied(PendingCommand command) {
        if (own != null && own.replied(command)) {
            hub.barrier(this);
        }
    }

    /** The hub sends a barrier now, covering the own writes answered so far. */
    void barrierSent() {
        if (own != null) {
            own.barrierSent();
        }
    }

    /** The barrier came back: own writes it covers are forgotten; true when others wait for the next one. */
    boolean barrierPassed() {
        return own != null && own.barrierPassed();
    }

    /** The client moved to a reloaded pool: it tracks there, and forgets what it read (a null invalidation). */
    void moved() {
        if (hub != null) {
            hub.stop(this);
        }
        keys.clear();
        hub = owner.invalidationHub();
        hub.start(this, () -> {});
        invalidate(null, false);
    }

    /** Tracking ends (OFF, RESET, the client closed): the client's keys and prefixes are forgotten. */
    void stop() {
        if (hub != null) {
            hub.stop(this);
            hub = null;
        }
        on = false;
        bcast = optin = optout = noloop = caching = brokenRedirect = slotAwaited = false;
        redirect = 0;
        prefixes.clear();
        keys.clear();
        own = null;
    }

    /**
     * NOLOOP: which of a server's invalidated {@code keys} this client wrote itself (each ends its
     * entry); empty without NOLOOP.
     */
    Set<String> ownWritesHeard(List<String> keys, boolean pastBarrier) {
        return own == null ? Set.of() : own.heard(keys, pastBarrier);
    }

    /**
     * BCAST: the keys of a server's invalidation under each of the client's prefixes, a message per
     * prefix, leaving out {@code own} (NOLOOP).
     */
    void invalidateByPrefix(List<String> written, Set<String> own) {
        for (String prefix : prefixes) {
            List<String> matching = null;
            for (String key : written) {
                if (key.startsWith(prefix) && !own.contains(key)) {
                    if (matching == null) {
                        matching = new ArrayList<>();
                    }
                    matching.add(key);
                }
            }
            if (matching != null) {
                invalidate(matching, false);
            }
        }
    }

    /** Tells the client (or the client it redirects to) that {@code invalid} changed; null: everything. */
    void invalidate(List<String> invalid, boolean defaultMode) {
        List<String> told = invalid;
        if (invalid == null && own != null) {
            // Everything is forgotten, the own writes' invalidations to come included.
            own.clear();
        }
        if (redirect != 0 && redirect != client.id()) {
            ClientEntry target = client.pool().clients().get(redirect);
            if (target == null) {
                brokenRedirect = true;
                if (client.protocol() == RespProtocol.RESP3) {
                    owner.deliver(brokenRedirect(replies.alloc(), redirect));
                }
                return;
            }
            if (told != null) {
                client.pool().metrics().invalidationSent();
            }
            target.channel().pipeline().fireUserEventTriggered(new Redirected(told));
            return;
        }
        if (client.protocol() == RespProtocol.RESP3) {
            if (told != null) {
                client.pool().metrics().invalidationSent();
            }
            owner.deliver(frame(replies.alloc(), told, true));
        }
        // A RESP2 client without a redirection has nowhere to hear it, as on Redis.
    }

    /** Invalidations of another client that redirects them here: {@code keys} null for a flush. */
    record Redirected(List<String> keys) {}

    /** The frame a redirection target is sent: a push in RESP3, a Pub/Sub message when subscribed in RESP2, else none. */
    static ByteBuf redirectedFrame(
            ByteBufAllocator alloc, List<String> keys, RespProtocol protocol, boolean subscribed) {
        if (protocol == RespProtocol.RESP3) {
            return frame(alloc, keys, true);
        }
        return subscribed ? frame(alloc, keys, false) : null;
    }

    /** {@code >2 invalidate [keys]} (null: {@code _}), or the RESP2 message on {@code __redis__:invalidate} (null: {@code $-1}). */
    static ByteBuf frame(ByteBufAllocator alloc, List<String> keys, boolean push) {
        ByteBuf out = alloc.buffer(64);
        out.writeBytes(push ? PUSH_HEAD : MESSAGE_HEAD);
        if (keys == null) {
            out.writeBytes(
                    push ? "_\r\n".getBytes(StandardCharsets.US_ASCII) : "$-1\r\n".getBytes(StandardCharsets.US_ASCII));
            return out;
        }
        out.writeByte('*').writeCharSequence(Integer.toString(keys.size()), StandardCharsets.US_ASCII);
        out.writeByte('\r').writeByte('\n');
        for (String key : keys) {
            out.writeByte('$').writeCharSequence(Integer.toString(key.length()), StandardCharsets.US_ASCII);
            out.writeByte('\r').writeByte('\n');
            out.writeCharSequence(key, StandardCharsets.ISO_8859_1);
            out.writeByte('\r').writeByte('\n');
        }
        return out;
    }

    private static ByteBuf brokenRedirect(ByteBufAllocator alloc, long id) {
        ByteBuf out = alloc.buffer(48);
        out.writeCharSequence(">2\r\n$21\r\ntracking-redir-broken\r\n:" + id + "\r\n", StandardCharsets.US_ASCII);
        return out;
    }

    private static RespValue bulk(String text) {
        return new RespValue.BulkString(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static ByteBuf error(ByteBufAllocator alloc, String message) {
        return RespReplies.error(alloc, message);
    }

    private void reply(RespCommand command, ByteBuf reply) {
        command.release();
        replies.reply(reply);
    }
}
