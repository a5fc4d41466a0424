package io.shardis.sentinel;

import io.lettuce.core.SslOptions;
import io.lettuce.core.SslVerifyMode;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;

/**
 * How to reach the Sentinels of one pool.
 *
 * @param sentinels       every Sentinel of the deployment; a master's address is adopted only when a
 *                        majority of <em>these</em> report it, so list all of them, each once
 * @param username        ACL user for {@code AUTH}, or {@code null} for the default user
 * @param password        Sentinel password ({@code requirepass} or the ACL user's), or {@code null} for none
 * @param timeout         bound on connecting to a Sentinel and on one round of questions to all of them
 * @param recheckInterval how often every Sentinel is asked again, in case an event was missed
 * @param sslOptions      TLS towards the Sentinels (certificate files are read at each connection),
 *                        or {@code null} for plain TCP
 * @param verifyMode      how the Sentinels' certificates are checked when {@code sslOptions} is set
 */
public record SentinelSettings(
        List<InetSocketAddress> sentinels,
        String username,
        String password,
        Duration timeout,
        Duration recheckInterval,
        SslOptions sslOptions,
        SslVerifyMode verifyMode) {

    /** Plain TCP towards the Sentinels. */
    public SentinelSettings(
            List<InetSocketAddress> sentinels,
            String username,
            String password,
            Duration timeout,
            Duration recheckInterval) {
        this(sentinels, username, password, timeout, recheckInterval, null, null);
    }

    public SentinelSettings {
        sentinels = List.copyOf(Objects.requireNonNull(sentinels, "sentinels"));
        if (sentinels.isEmpty()) {
            throw new IllegalArgumentException("at least one Sentinel address is needed");
        }
        if (new HashSet<>(sentinels).size() != sentinels.size()) {
            // A Sentinel listed twice would vote twice.
            throw new IllegalArgumentException("a Sentinel is listed more than once: " + sentinels);
        }
        if (username != null && password == null) {
            throw new IllegalArgumentException("a Sentinel username needs a password");
        }
        requirePositive(timeout, "timeout");
        requirePositive(recheckInterval, "recheckInterval");
        if (sslOptions != null && verifyMode == null) {
            verifyMode = SslVerifyMode.FULL;
        }
    }

    /** The same Sentinels, reached over TLS. */
    public SentinelSettings withTls(SslOptions options, SslVerifyMode mode) {
        return new SentinelSettings(sentinels, username, password, timeout, recheckInterval, options, mode);
    }

    /** Settings without authentication. */
    public static SentinelSettings of(List<InetSocketAddress> sentinels, Duration timeout, Duration recheckInterval) {
        return new SentinelSettings(sentinels, null, null, timeout, recheckInterval);
    }

    /** How many Sentinels must report the same address before it is adopted. */
    public int majority() {
        return sentinels.size() / 2 + 1;
    }

    @Override
    public String toString() {
        return "SentinelSettings[sentinels=" + sentinels + ", username=" + username
                + ", password=" + (password == null ? "none" : "(set)")
                + ", timeout=" + timeout + ", recheckInterval=" + recheckInterval
                + (sslOptions == null ? "" : ", tls=" + verifyMode) + "]";
    }

    private static void requirePositive(Duration duration, String name) {
        Objects.requireNonNull(duration, name);
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, not " + duration);
        }
    }
}
