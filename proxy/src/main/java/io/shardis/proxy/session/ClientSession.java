package io.shardis.proxy.session;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.shardis.proxy.auth.ClientAccess;
import io.shardis.proxy.backend.BackendConnection;
import io.shardis.proxy.backend.BackendPool;
import io.shardis.proxy.backend.BackendSettings;
import io.shardis.proxy.backend.PendingCommand;
import io.shardis.proxy.backend.ReplySink;
import io.shardis.proxy.command.CommandFlag;
import io.shardis.proxy.command.CommandGroup;
import io.shardis.proxy.command.CommandSpec;
import io.shardis.proxy.route.ShardRouter;
import io.shardis.resp.RespCommand;
import io.shardis.resp.RespProtocol;
import io.shardis.resp.RespProtocolError;
import io.shardis.resp.RespReplies;
import io.shardis.resp.RespRequestDecoder;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection: reads its commands, sends each where it belongs, and writes the replies
 * back in the order the commands came, whichever backend answers first ("flush out what we can").
 *
 * <p>Runs on the client channel's event loop, which is also the loop of every backend connection it
 * uses, so no state here is shared between threads.
 *
 * <p>Ownership: each decoded {@link RespCommand} is either forwarded (its frame passes to the
 * backend connection) or released here. Replies are owned by their {@link PendingCommand} until
 * written to the client.
 *
 * <p>Where a command goes is decided by the {@link Dispatcher} (a {@link Route}); sending is the
 * {@link CommandSender}'s, which the helpers reach as {@link Replies} and {@link Forwarding}. The
 * helpers see the session only through small interfaces: {@link SessionContext} (the client's
 * pool, identity, protocol), {@link SessionControl} (what HELLO, RESET, QUIT change) and one each
 * for {@link Fanout}, {@link ClientTracking}, {@link KeyspaceFanIn} and {@link PoolMove}; push mode
 * is {@link Subscriptions}', the move to a reloaded pool {@link PoolMove}'s, what a redirection does
 * with the client's own connection {@link PinnedMoves}'.
 *
 * <p>Longer than our usual 350 lines because it is the one object that holds the client's state and
 * implements those interfaces, and the Netty handler and {@link ReplySink} besides: each method of
 * theirs here is a line or two over that state.
 */
public final class ClientSession extends ChannelInboundHandlerAdapter
        implements ReplySink,
                SessionContext,
                SessionControl,
                Fanout.WholeCommand,
                ClientTracking.Owner,
                KeyspaceFanIn.Subscriber,
                PoolMove.Client {

    private static final Logger log = LoggerFactory.getLogger(ClientSession.class);

    /** The event that asks a session to finish, on shutdown. */
    public static final Object DRAIN = new Object() {
        @Override
        public String toString() {
            return "DRAIN";
        }
    };

    /** Replaced when a reload changes the pool (see {@link Rebind}). */
    private SessionPool pool;
    /** The move to the pool a reload made, once the client can (see {@link Rebind}). */
    private PoolMove move;

    private final long id;
    private LocalCommands local;
    private Transactions transactions;
    private int maxPipeline;
    /** Reports a reply-limit breach; told the new limit when a reload moves the client. */
    private ReplyLimitBreach breach;
    /**
     * Whether commands keep their frame until answered: to follow cluster redirections, and to be
     * sent again after a failover (cluster and Sentinel pools).
     */
    private boolean keepsFrames;
    /** Picks this client's replica for each slot, so its reads of a slot stay on one replica. */
    private final int readSeed;
    /** Follows the redirections of commands on {@link #pinned}; null outside cluster pools. */
    private PinnedRedirects pinnedRedirects;
    /** Who this client is (AUTH, HELLO AUTH, RESET) and what it may run. */
    private final ClientAccess access;

    private ChannelHandlerContext ctx;
    private BackendPool backends;
    private ShardRouter router;
    private Placement placement;
    private Dispatcher dispatcher;
    private Fanout fanout;
    /** Which of each server's {@code server_connections} shared connections this client uses. */
    private int sharedIndex;
    /** This client's own backend connection, once a transaction, blocking call or subscription needs one. */
    private PinnedConnection pinned;
    /** Its subscriptions, which put it in push mode. */
    private Subscriptions subscriptions;

    private boolean quitting;
    private boolean closed;
    /** See {@link #readAtNanos()}. */
    private long readAtNanos;

    private boolean readAtKnown;
    /** The replies owed to the client, in order; and when not to read it. */
    private ClientReplies replies;
    /** This client as CLIENT LIST shows it, in the pool's registry while connected. */
    private ClientEntry entry;
    /** Carries out what is decided: sends, refuses, queues reply slots. */
    private CommandSender sender;
    /** Its CLIENT TRACKING state; null until it first sends CLIENT TRACKING. */
    private ClientTracking tracking;
    /** The protocol the client speaks: RESP2 until its HELLO 3, again after RESET. */
    private RespProtocol protocol = RespProtocol.RESP2;

    public ClientSession(SessionPool pool) {
        this.pool = pool;
        this.id = pool.nextClientId();
        this.maxPipeline = pool.config().limits().maxPipeline();
        this.keepsFrames = pool.cluster() != null || pool.config().holdsForFailover();
        // Client ids are consecutive: mixed, so that clients spread evenly over replicas and masters.
        this.readSeed = seedOf(id);
        this.access = new ClientAccess(pool.access());
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.breach = new ReplyLimitBreach(
                ctx,
                pool.config().name(),
                id,
                pool.config().limits().clientReplyLimit(),
                pool.metrics(),
                ReplyBudget.PROCESS);
        this.replies = new ClientReplies(
                ctx,
                this,
                maxPipeline,
                new ReplyBytes(pool.config().limits().clientReplyLimit(), ReplyBudget.PROCESS),
                breach,
                this::process);
        this.move = new PoolMove(this, replies, ctx.executor());
        this.entry = new ClientEntry(
                id, ctx.channel(), pool.config().backend().redisDb(), access.userName(), System.nanoTime());
        pool.clients().add(entry);
        this.sender = new CommandSender(this, ctx.alloc(), replies);
        this.transactions = new Transactions(this, sender, sender);
        sender.transactions(transactions);
        this.local = new LocalCommands(this, this, sender, sender, transactions);
        this.subscriptions = new Subscriptions(this, this, sender, replies, entry);
        bindPool();
        this.fanout = new Fanout(this, sender, sender, this);
        if (pool.successor() != null) {
            move.to(pool.successor());
        }
    }

    /** Takes what this client uses of {@link #pool} on its loop: connections, router, placement. */
    private void bindPool() {
        this.backends = pool.backendsFor(ctx.channel().eventLoop());
        this.router = pool.router();
        this.placement = new Placement(
                router,
                pool.config().name(),
                pool.cluster() != null && pool.config().cluster().readFrom().readsReplicas(),
                readSeed);
        this.dispatcher = new Dispatcher(
                router, placement, access, pool.config().name(), pool.config().allowAdmin());
        this.pinned = new PinnedConnection(this, replies::limitBackendBacklog, backends);
        this.sharedIndex = backends.nextConnectionIndex();
        if (pinnedRedirects != null) {
            pinnedRedirects.discard();
        }
        this.pinnedRedirects = pool.cluster() != null
                ? new PinnedRedirects(
                        this,
                        sender,
                        sender,
                        new PinnedMoves(pinned, transactions, subscriptions, replies),
                        pool.cluster())
                : null;
        sender.bind(pool.config().name(), router, backends, sharedIndex, pinned, keepsFrames, pinnedRedirects);
        subscriptions.bind(backends, pinned, pinnedRedirects);
    }

    /**
     * The event by which a configuration reload moves a client to the pool that replaces the one it
     * is in (new servers, weights, timeouts, auth...) without closing its connection.
     */
    public record Rebind(SessionPool next) {}

    @Override
    public boolean gone() {
        return closed || quitting;
    }

    @Override
    public boolean holdsConnection() {
        return pinned.isPinned() || subscriptions.on() || transactions.holdsState() || transactions.inMulti();
    }

    @Override
    public void rebind(SessionPool next) {
        SessionPool old = pool;
        old.disown(ctx.channel());
        old.clients().remove(entry);
        pool = next;
        next.adopt(ctx.channel());
        next.clients().add(entry);
        access.rebind(next.access());
        keepsFrames = next.cluster() != null || next.config().holdsForFailover();
        bindPool();
        applyLimits();
        if (tracking != null && tracking.on()) {
            tracking.moved();
        }
    }

    /** The limits of the pool the client just moved to: its next command is read and judged by them. */
    private void applyLimits() {
        maxPipeline = pool.config().limits().maxPipeline();
        replies.limits(maxPipeline, pool.config().limits().clientReplyLimit());
        breach.limit(pool.config().limits().clientReplyLimit());
        RespRequestDecoder decoder = ctx.pipeline().get(RespRequestDecoder.class);
        if (decoder != null) {
            decoder.limits(pool.requestLimits());
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!closed && !quitting && replies.holdBack(msg)) {
            // Too many replies or reply bytes owed: processed once they are written (see ClientReplies).
            return;
        }
        process(msg);
    }

    /** Processes one message read from the client, now or after it was held back. */
    private void process(Object msg) {
        if (closed || quitting) {
            // After QUIT or a protocol error Redis reads nothing more from the client.
            ReferenceCountUtil.release(msg);
            return;
        }
        if (move.pending()) {
            move.whenIdle();
            if (replies.waitingForMove()) {
                replies.holdBackFirst(msg);
                return;
            }
        }
        if (msg instanceof RespCommand command) {
            dispatch(command);
        } else if (msg instanceof RespProtocolError error) {
            // Redis answers a protocol error and closes the connection.
            sender.reply(RespReplies.error(ctx.alloc(), Refusals.protocolError(error.message())));
            replyThenClose();
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    private void dispatch(RespCommand command) {
        CommandSpec spec = pool.commands().lookup(command);
        CommandGroup group =
                spec == null ? CommandGroup.OTHER : subscriptions.on() ? CommandGroup.PUBSUB : spec.group();
        pool.metrics().commandReceived(group);
        if (spec != null) {
            entry.commandStarted(spec, System.nanoTime());
        }
        sender.group(group);
        if (tracking != null && tracking.on()) {
            tracking.observe(command, spec);
        }
        execute(dispatcher.route(command, spec, this), command, spec);
        if (tracking != null && tracking.awaitsSlot()) {
            tracking.sent(replies.lastUnanswered());
        }
    }

    /** Carries out what the {@link Dispatcher} decided; the common route, one server, first. */
    private void execute(Route route, RespCommand command, CommandSpec spec) {
        if (route instanceof Route.Server server) {
            sender.forward(server.index(), command, PendingCommand.pooled(this, readAtNanos()));
            // Its frame went to the backend connection (or was released with a refusal): the holder is done.
            command.recycle();
        } else if (route instanceof Route.Refused refused) {
            if (refused.accessDenied()) {
                pool.metrics().accessDenied();
            }
            sender.refuse(command, refused.reason());
        } else if (route instanceof Route.Pinned blocking) {
            sender.forwardBlocking(blocking.index(), command, spec.has(CommandFlag.COUNTS_REPLICAS));
        } else if (route == Route.Fanout.SPLIT) {
            fanout.split(command, spec);
        } else if (route == Route.Fanout.BROADCAST) {
            fanout.broadcast(command, spec);
        } else if (route == Route.Local.ANSWER) {
            local.answer(command, spec);
        } else if (route == Route.Local.IN_TRANSACTION) {
            local.answerInTransaction(command, spec);
        } else if (route == Route.Transaction.CONTROL) {
            transactions.handle(command, spec);
        } else if (route == Route.Relay.PUSH_MODE) {
            subscriptions.relay(command, spec);
        } else if (route instanceof Route.Queued queued) {
            if (transactions.queueOn(queued.server(), queued.keyGroup())) {
                sender.forward(queued.server(), command, new PendingCommand(this));
            } else {
                sender.refuse(
                        command,
                        Refusals.transactionElsewhere(spec, pool.config().name(), router.groupsAreSlots()));
            }
        } else if (route instanceof Route.Subscribe subscribe) {
            subscriptions.subscribe(subscribe.server(), command, spec);
        }
    }

    @Override
    public ClientTracking tracking() {
        if (tracking == null) {
            tracking = new ClientTracking(this, sender, this);
        }
        return tracking;
    }

    @Override
    public void stopTracking() {
        if (tracking != null) {
            tracking.stop();
        }
    }

    @Override
    public InvalidationHub invalidationHub() {
        return pool.invalidationHub(ctx.channel().eventLoop());
    }

    /** An invalidation for this client, sent after the replies already queued (a read's reply before it). */
    @Override
    public void deliver(ByteBuf frame) {
        if (closed || quitting) {
            frame.release();
            return;
        }
        sender.reply(frame);
    }

    @Override
    public void fanInLost() {
        if (!closed) {
            replyThenClose();
        }
    }

    @Override
    public boolean readsFromReplica(RespCommand command, CommandSpec spec) {
        return dispatcher.readsFromReplica(command, spec, this);
    }

    @Override
    public void forwardTo(int server, RespCommand command, CommandSpec spec) {
        execute(dispatcher.toServer(server, command, spec, this), command, spec);
    }

    @Override
    public void onBackendWritable() {
        replies.backendWritable();
    }

    @Override
    public boolean followRedirection(PendingCommand command, ByteBuf reply, BackendSettings from) {
        return pinnedRedirects != null && !closed && pinnedRedirects.follow(command, reply, from);
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    /**
     * Gives the dedicated connection back once nothing on it is the client's own any more: no
     * transaction, no WATCH, no subscription, nothing in flight. The client's next commands go to
     * the shared connection again, which cannot overtake anything since nothing is in flight.
     */
    private void releaseDedicatedWhenIdle() {
        if (!closed) {
            pinned.releaseWhenIdle(subscriptions.on() || transactions.holdsState());
        }
    }

    @Override
    public boolean isPinned() {
        return pinned.isPinned();
    }

    @Override
    public boolean pushMode() {
        return subscriptions.on();
    }

    @Override
    public boolean resp3() {
        return protocol == RespProtocol.RESP3;
    }

    @Override
    public boolean tracksKeys() {
        return tracking != null && tracking.on();
    }

    @Override
    public boolean inMulti() {
        return transactions.inMulti();
    }

    @Override
    public void replyThenClose() {
        quitting = true;
        replies.closeAfterQueued();
    }

    /**
     * When the commands of the current read from the socket were read (nanoTime): one clock read
     * for a pipeline of commands, for the latency histograms.
     */
    private long readAtNanos() {
        if (!readAtKnown) {
            readAtNanos = System.nanoTime();
            readAtKnown = true;
        }
        return readAtNanos;
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        readAtKnown = false;
        ctx.fireChannelReadComplete();
    }

    @Override
    public void onReply(PendingCommand command, ByteBuf reply) {
        if (closed || command.isSilent()) {
            reply.release();
            return;
        }
        command.answered(pool.metrics());
        if (tracking != null) {
            tracking.replied(command);
        }
        replies.arrived(command, reply);
        pinned.replyArrived();
        releaseDedicatedWhenIdle();
        if (move.pending()) {
            move.whenIdle();
        }
    }

    @Override
    public void onPush(ByteBuf frame) {
        if (closed) {
            frame.release();
            return;
        }
        subscriptions.push(frame);
    }

    /** A reply could not be handed to this client (its memory ran out): the client goes, the backend stays. */
    @Override
    public void onDeliveryFailed(Throwable cause) {
        if (!closed) {
            ctx.close();
        }
    }

    @Override
    public void onDedicatedClosed(BackendConnection connection) {
        if (pinned.is(connection) && !closed) {
            // The backend state this client relied on (transaction, subscriptions) is gone: so is the client.
            replyThenClose();
        }
    }

    /** Shardis is stopping: read nothing more, write what is owed, then close. */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event == DRAIN) {
            ctx.channel().config().setAutoRead(false);
            if (!quitting) {
                replyThenClose();
            }
        } else if (event instanceof Rebind rebind) {
            move.to(rebind.next());
        } else if (event instanceof ClientTracking.Redirected redirected) {
            ByteBuf frame =
                    ClientTracking.redirectedFrame(ctx.alloc(), redirected.keys(), protocol, subscriptions.on());
            if (frame != null) {
                deliver(frame);
            }
        } else {
            ctx.fireUserEventTriggered(event);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        // A client that does not read its replies is not read from either.
        replies.writabilityChanged();
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closed = true;
        replies.discard();
        if (pinnedRedirects != null) {
            pinnedRedirects.discard();
        }
        pinned.close(subscriptions.on() || transactions.holdsState());
        subscriptions.close();
        if (tracking != null) {
            tracking.stop();
        }
        pool.clients().remove(entry);
        pool.clientGone();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            log.debug("client {} of pool '{}': {}", id, pool.config().name(), cause.getMessage());
        } else {
            log.warn(
                    "client {} of pool '{}': closing after an unexpected error",
                    id,
                    pool.config().name(),
                    cause);
        }
        ctx.close();
    }

    @Override
    public long id() {
        return id;
    }

    @Override
    public ReplySink owner() {
        return this;
    }

    @Override
    public RespProtocol protocol() {
        return protocol;
    }

    /**
     * The client speaks {@code next} from its next command on: the replies Shardis makes are spelled
     * in it, and its commands go on backend connections that speak it (see {@link CommandSender#protocol}).
     */
    @Override
    public void protocol(RespProtocol next) {
        protocol = next;
        entry.resp(next.version());
        sender.protocol(next);
    }

    @Override
    public RespProtocol pinnedProtocol() {
        return pinned.connectionProtocol();
    }

    @Override
    public void spoilPinned() {
        pinned.spoil();
    }

    /** RESET unsubscribed the client's own connection from everything (RESP3: its commands are answered one by one again). */
    @Override
    public void endPushMode() {
        subscriptions.end();
    }

    @Override
    public ClientEntry entry() {
        return entry;
    }

    /** SplitMix64's finaliser: consecutive ids give seeds that spread evenly modulo any count. */
    static int seedOf(long id) {
        long z = id * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return (int) ((z ^ (z >>> 31)) >>> 32);
    }

    @Override
    public int sharedIndex() {
        return sharedIndex;
    }

    @Override
    public int readSeed() {
        return readSeed;
    }

    @Override
    public ClientAccess access() {
        return access;
    }

    @Override
    public SessionPool pool() {
        return pool;
    }

    @Override
    public ShardRouter router() {
        return router;
    }

    @Override
    public int pinnedServer() {
        return pinned.server();
    }

    @Override
    public Placement placement() {
        return placement;
    }

    @Override
    public Channel channel() {
        return ctx.channel();
    }
}
