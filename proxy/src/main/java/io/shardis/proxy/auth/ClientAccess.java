package io.shardis.proxy.auth;

import io.shardis.proxy.command.CommandFlag;
import io.shardis.proxy.command.CommandSpec;
import io.shardis.resp.RespCommand;

/**
 * The user one client connection runs as, and what AUTH, HELLO AUTH and RESET do to it. Lives on
 * the connection's event loop. {@link #check} decides; the session acts on the verdict.
 */
public final class ClientAccess {

    private PoolAccess pool;
    /** Null until the connection authenticates, when the pool requires it. */
    private AclUser user;

    public ClientAccess(PoolAccess pool) {
        this.pool = pool;
        this.user = pool.initialUser();
    }

    /**
     * Whether this connection may run {@code command}: before authentication only the commands
     * Redis flags {@code no_auth} (AUTH, HELLO, QUIT, RESET); after, what the user's rules allow.
     */
    public AclVerdict check(CommandSpec spec, RespCommand command) {
        AclUser current = user;
        if (current == null) {
            return spec.has(CommandFlag.NO_AUTH) ? AclVerdict.ALLOWED : AclVerdict.NOT_AUTHENTICATED;
        }
        return current.unrestricted() ? AclVerdict.ALLOWED : current.check(spec, command);
    }

    /** Whether the connection has authenticated (or needed not). */
    public boolean authenticated() {
        return user != null;
    }

    /**
     * {@code AUTH [user] password}: null when it succeeded (the connection is now that user), else
     * the error reply. A failed AUTH leaves the connection's user as it was, as on Redis.
     *
     * @param client the client's address, for the log of failures
     */
    public String auth(RespCommand command, String client) {
        if (command.argCount() > 3) {
            return AuthErrors.AUTH_SYNTAX;
        }
        if (command.argCount() == 2 && pool.defaultUserWithoutPassword()) {
            return AuthErrors.NO_PASSWORD_CONFIGURED;
        }
        String name = command.argCount() == 3 ? command.argString(1) : PoolAccess.DEFAULT_USER;
        return authenticate(name, argBytes(command, command.argCount() - 1), client) ? null : AuthErrors.WRONGPASS;
    }

    /** HELLO's {@code AUTH user password} option: true when it succeeded. */
    public boolean authenticate(String name, byte[] password, String client) {
        AclUser authenticated = pool.authenticate(name, password, client);
        if (authenticated == null) {
            return false;
        }
        user = authenticated;
        return true;
    }

    /**
     * A reload changed the pool's users or password: the connection stays the user it
     * authenticated as, under that user's new rules; if that user is gone (or off), it is what a
     * new connection is (so it may have to AUTH again).
     */
    public void rebind(PoolAccess next) {
        AclUser was = user;
        pool = next;
        AclUser same = was == null ? null : next.user(was.name());
        user = same != null ? same : next.initialUser();
    }

    /** RESET: back to the user a new connection is (the default user, when it needs no password). */
    public void reset() {
        user = pool.initialUser();
    }

    /** ACL WHOAMI. */
    public String userName() {
        return user == null ? PoolAccess.DEFAULT_USER : user.name();
    }

    public static byte[] argBytes(RespCommand command, int index) {
        byte[] bytes = new byte[command.argLength(index)];
        command.content().getBytes(command.argOffset(index), bytes);
        return bytes;
    }
}
