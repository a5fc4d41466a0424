package io.shardis.proxy.auth;

import io.shardis.proxy.command.CommandTable;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may use a pool, shared by its connections:
 * <ul>
 *   <li>neither {@code redis_auth} nor {@code users}: the default user, without password, may do
 *       everything (as Redis without {@code requirepass});</li>
 *   <li>{@code redis_auth} alone (Twemproxy's meaning): clients must {@code AUTH} with that
 *       password, then may do everything (as Redis with {@code requirepass});</li>
 *   <li>{@code users}: those users and no other; {@code redis_auth} is then only what Shardis sends
 *       to the backends. A user named {@code default} is the one a connection starts as when it is
 *       {@code on} and {@code nopass}, and the one {@code AUTH <password>} names.</li>
 * </ul>
 * Failed authentications are counted ({@link AuthEvents}) and logged at most once per
 * {@link #LOG_INTERVAL_MILLIS} per pool, without the password.
 */
public final class PoolAccess {

    public static final String DEFAULT_USER = "default";
    static final long LOG_INTERVAL_MILLIS = 10_000;

    private static final Logger log = LoggerFactory.getLogger(PoolAccess.class);

    /** Told of each failed authentication; feeds the pool's metrics. */
    public interface AuthEvents {
        void authenticationFailed();

        AuthEvents NONE = () -> {};
    }

    private final String pool;
    private final Map<String, AclUser> users;
    private final AclUser initialUser;
    private final AuthEvents events;
    private final AtomicLong failuresSinceLog = new AtomicLong();
    private final AtomicLong lastLogNanos =
            new AtomicLong(System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(LOG_INTERVAL_MILLIS));

    private PoolAccess(String pool, Map<String, AclUser> users, AuthEvents events) {
        this.pool = pool;
        this.users = Map.copyOf(users);
        AclUser defaultUser = users.get(DEFAULT_USER);
        this.initialUser = defaultUser != null && defaultUser.enabled() && defaultUser.nopass() ? defaultUser : null;
        this.events = events;
    }

    /**
     * @param redisAuth the pool's {@code redis_auth}, or null
     * @param userRules the pool's {@code users} (name to rules), empty when it has none
     * @throws IllegalArgumentException when a user's rules are not valid (see {@link AclRules#compile})
     */
    public static PoolAccess of(
            String pool, String redisAuth, Map<String, List<String>> userRules, CommandTable table, AuthEvents events) {
        Map<String, AclUser> users = new LinkedHashMap<>();
        if (!userRules.isEmpty()) {
            AclRules rules = new AclRules(table);
            userRules.forEach((name, words) -> users.put(name, rules.compile(name, words)));
        } else if (redisAuth != null) {
            users.put(DEFAULT_USER, AclUser.unrestricted(DEFAULT_USER, false, List.of(AclUser.sha256(redisAuth))));
        } else {
            users.put(DEFAULT_USER, AclUser.unrestricted(DEFAULT_USER, true, List.of()));
        }
        return new PoolAccess(pool, users, events);
    }

    /** A pool without authentication: every client may do everything. */
    public static PoolAccess open(String pool) {
        return of(pool, null, Map.of(), null, AuthEvents.NONE);
    }

    /** The user a new connection is, before any AUTH; null when it must authenticate first. */
    AclUser initialUser() {
        return initialUser;
    }

    /** The user {@code name} if the pool has it and it is on, else null (a connection's user after a reload). */
    AclUser user(String name) {
        AclUser user = users.get(name);
        return user != null && user.enabled() ? user : null;
    }

    /** Whether clients must authenticate before running commands. */
    public boolean requiresAuthentication() {
        return initialUser == null;
    }

    /** Whether the default user has no password: {@code AUTH <password>} is then an error, as on Redis. */
    boolean defaultUserWithoutPassword() {
        AclUser defaultUser = users.get(DEFAULT_USER);
        return defaultUser != null && defaultUser.nopass();
    }

    /** The users, by name, for the start-up checks. */
    public Map<String, AclUser> users() {
        return users;
    }

    /**
     * The user {@code name} with {@code password}, or null (unknown user, user off, wrong password):
     * then counted and, rate-limited, logged with the client's address.
     */
    AclUser authenticate(String name, byte[] password, String client) {
        AclUser user = users.get(name);
        // The password is hashed and compared whether or not the user exists, so that timing does not tell.
        boolean accepted = (user != null ? user : PLACEHOLDER).accepts(password) && user != null;
        if (accepted) {
            return user;
        }
        failed(user != null ? name : null, client);
        return null;
    }

    private static final AclUser PLACEHOLDER =
            AclUser.unrestricted("", false, List.of(AclUser.sha256("-".getBytes(StandardCharsets.US_ASCII))));

    private void failed(String knownUser, String client) {
        events.authenticationFailed();
        failuresSinceLog.incrementAndGet();
        long now = System.nanoTime();
        long last = lastLogNanos.get();
        if (now - last >= TimeUnit.MILLISECONDS.toNanos(LOG_INTERVAL_MILLIS) && lastLogNanos.compareAndSet(last, now)) {
            long count = failuresSinceLog.getAndSet(0);
            // An unknown name is not logged: it may be a password typed in the wrong place.
            log.warn(
                    "pool '{}': {} failed authentication(s) since the last report; last from {} as {}",
                    pool,
                    count,
                    client,
                    knownUser != null ? "user '" + knownUser + "'" : "an unknown user");
        }
    }
}
