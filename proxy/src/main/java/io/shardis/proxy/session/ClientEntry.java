package io.shardis.proxy.session;

import io.netty.channel.Channel;
import io.shardis.proxy.command.CommandSpec;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * One client of a pool as {@code CLIENT LIST}, {@code CLIENT INFO} and {@code CLIENT KILL} see it.
 * Written by the client's own event loop, read by any client's loop that lists or kills it: the
 * fields that change are volatile (rarely written) or written opaquely (once per command, so that
 * the hot path pays no fence; a reader may see them a moment late, as an estimate).
 *
 * <p>The line follows Redis 7.2's {@code CLIENT LIST} format, field for field. Fields that describe
 * Redis' own buffers (qbuf, argv-mem, rbs, obl, omem, tot-mem...) have no counterpart in Shardis and
 * are 0; sub/psub/ssub are not counted (Redis holds the subscriptions, on the client's own backend
 * connection), and a subscribed client shows flag P.
 */
final class ClientEntry {

    private static final VarHandle LAST_COMMAND;
    private static final VarHandle LAST_NANOS;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            LAST_COMMAND = lookup.findVarHandle(ClientEntry.class, "lastCommand", CommandSpec.class);
            LAST_NANOS = lookup.findVarHandle(ClientEntry.class, "lastNanos", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final long id;
    private final Channel channel;
    private final String addr;
    private final String laddr;
    private final int fd;
    private final int db;
    private final long createdNanos;

    @SuppressWarnings("unused") // through LAST_COMMAND
    private CommandSpec lastCommand;

    @SuppressWarnings("unused") // through LAST_NANOS
    private long lastNanos;

    private volatile String name;
    private volatile String user;
    private volatile String libName;
    private volatile String libVersion;
    private volatile boolean subscribed;
    private volatile boolean noEvict;
    private volatile boolean noTouch;
    /** The protocol the client speaks (HELLO), as {@code resp=} shows it. */
    private volatile int resp = 2;

    ClientEntry(long id, Channel channel, int db, String user, long nowNanos) {
        this(
                id,
                channel,
                address(channel.remoteAddress()),
                address(channel.localAddress()),
                fdOf(channel),
                db,
                user,
                nowNanos);
    }

    ClientEntry(long id, Channel channel, String addr, String laddr, int fd, int db, String user, long nowNanos) {
        this.id = id;
        this.channel = channel;
        this.addr = addr;
        this.laddr = laddr;
        this.fd = fd;
        this.db = db;
        this.user = user;
        this.createdNanos = nowNanos;
        this.lastNanos = nowNanos;
    }

    /** {@code host:port} as Redis writes it, or the path of a Unix socket. */
    static String address(SocketAddress address) {
        if (address instanceof InetSocketAddress inet) {
            String host = inet.getAddress() != null ? inet.getAddress().getHostAddress() : inet.getHostString();
            return host + ":" + inet.getPort();
        }
        return address == null ? "" : address.toString();
    }

    private static int fdOf(Channel channel) {
        return channel instanceof io.netty.channel.unix.UnixChannel unix
                ? unix.fd().intValue()
                : -1;
    }

    /** The client sent {@code spec}: it is its last command, and it is not idle. */
    void commandStarted(CommandSpec spec, long nowNanos) {
        LAST_COMMAND.setOpaque(this, spec);
        LAST_NANOS.setOpaque(this, nowNanos);
    }

    long id() {
        return id;
    }

    Channel channel() {
        return channel;
    }

    String addr() {
        return addr;
    }

    String laddr() {
        return laddr;
    }

    String name() {
        return name;
    }

    void name(String name) {
        this.name = name;
    }

    String user() {
        return user;
    }

    void user(String user) {
        this.user = user;
    }

    void library(String attribute, String value) {
        if (attribute.equals("lib-name")) {
            libName = value;
        } else {
            libVersion = value;
        }
    }

    boolean subscribed() {
        return subscribed;
    }

    void subscribed(boolean subscribed) {
        this.subscribed = subscribed;
    }

    void resp(int version) {
        this.resp = version;
    }

    int resp() {
        return resp;
    }

    void noEvict(boolean on) {
        noEvict = on;
    }

    void noTouch(boolean on) {
        noTouch = on;
    }

    /** Redis' client type: {@code pubsub} once subscribed, else {@code normal}. */
    String type() {
        return subscribed ? "pubsub" : "normal";
    }

    /** The client's {@code CLIENT LIST} line, without its line feed. */
    String line(long nowNanos) {
        CommandSpec command = (CommandSpec) LAST_COMMAND.getOpaque(this);
        long last = (long) LAST_NANOS.getOpaque(this);
        StringBuilder flags = new StringBuilder(4);
        if (subscribed) {
            flags.append('P');
        }
        if (noEvict) {
            flags.append('e');
        }
        if (noTouch) {
            flags.append('T');
        }
        if (flags.length() == 0) {
            flags.append('N');
        }
        String libName = this.libName;
        String libVersion = this.libVersion;
        String name = this.name;
        return "id=" + id
                + " addr=" + addr
                + " laddr=" + laddr
                + " fd=" + fd
                + " name=" + (name == null ? "" : name)
                + " age=" + TimeUnit.NANOSECONDS.toSeconds(Math.max(0, nowNanos - createdNanos))
                + " idle=" + TimeUnit.NANOSECONDS.toSeconds(Math.max(0, nowNanos - last))
                + " flags=" + flags
                + " db=" + db
                + " sub=0 psub=0 ssub=0 multi=-1 qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=0 rbp=0"
                + " obl=0 oll=0 omem=0 tot-mem=0"
                + " events=" + (channel == null || channel.isWritable() ? "r" : "rw")
                + " cmd=" + (command == null ? "NULL" : command.name())
                + " user=" + user
                + " redir=-1 resp=" + resp
                + " lib-name=" + (libName == null ? "" : libName)
                + " lib-ver=" + (libVersion == null ? "" : libVersion);
    }
}
