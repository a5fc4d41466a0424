package io.shardis.proxy.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.UnpooledByteBufAllocator;
import io.shardis.proxy.command.CommandTable;
import io.shardis.resp.RespCommand;
import io.shardis.resp.RespCommands;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** What AUTH, HELLO AUTH and RESET do to a connection, in the three ways a pool can be set up. */
class ClientAccessTest {

    private static final CommandTable TABLE = CommandTable.standard();
    private final AtomicInteger failures = new AtomicInteger();

    private PoolAccess pool(String redisAuth, Map<String, List<String>> users) {
        return PoolAccess.of("alpha", redisAuth, users, TABLE, failures::incrementAndGet);
    }

    private static AclVerdict check(ClientAccess access, String... args) {
        RespCommand command = RespCommands.encode(UnpooledByteBufAllocator.DEFAULT, args);
        try {
            return access.check(TABLE.lookup(command), command);
        } finally {
            command.release();
        }
    }

    private static String auth(ClientAccess access, String... args) {
        String[] full = new String[args.length + 1];
        full[0] = "AUTH";
        System.arraycopy(args, 0, full, 1, args.length);
        RespCommand command = RespCommands.encode(UnpooledByteBufAllocator.DEFAULT, full);
        try {
            return access.auth(command, "127.0.0.1:5555");
        } finally {
            command.release();
        }
    }

    @Test
    void anOpenPoolIsRedisWithoutRequirepass() {
        ClientAccess access = new ClientAccess(pool(null, Map.of()));
        assertThat(check(access, "FLUSHALL")).isEqualTo(AclVerdict.ALLOWED);
        assertThat(auth(access, "x")).isEqualTo(AuthErrors.NO_PASSWORD_CONFIGURED);
        assertThat(auth(access, "default", "anything")).isNull();
        assertThat(auth(access, "someone", "x")).isEqualTo(AuthErrors.WRONGPASS);
        assertThat(access.userName()).isEqualTo("default");
        assertThat(pool(null, Map.of()).requiresAuthentication()).isFalse();
    }

    @Test
    void redisAuthAloneIsRequirepass() {
        ClientAccess access = new ClientAccess(pool("s3cret", Map.of()));
        assertThat(check(access, "GET", "x")).isEqualTo(AclVerdict.NOT_AUTHENTICATED);
        assertThat(check(access, "PING")).isEqualTo(AclVerdict.NOT_AUTHENTICATED);
        assertThat(check(access, "AUTH", "x")).isEqualTo(AclVerdict.ALLOWED);
        assertThat(check(access, "HELLO", "2")).isEqualTo(AclVerdict.ALLOWED);
        assertThat(check(access, "QUIT")).isEqualTo(AclVerdict.ALLOWED);
        assertThat(check(access, "RESET")).isEqualTo(AclVerdict.ALLOWED);
        assertThat(AclVerdict.NOT_AUTHENTICATED.error(null)).isEqualTo("NOAUTH Authentication required.");

        assertThat(auth(access, "wrong")).isEqualTo("WRONGPASS invalid username-password pair or user is disabled.");
        assertThat(failures).hasValue(1);
        assertThat(check(access, "GET", "x")).isEqualTo(AclVerdict.NOT_AUTHENTICATED);
        assertThat(auth(access, "s3cret")).isNull();
        assertThat(check(access, "GET", "x")).isEqualTo(AclVerdict.ALLOWED);
        assertThat(check(access, "FLUSHALL")).isEqualTo(AclVerdict.ALLOWED);
        // A failed AUTH leaves the user as it was, as on Redis.
        assertThat(auth(access, "wrong")).isEqualTo(AuthErrors.WRONGPASS);
        assertThat(check(access, "GET", "x")).isEqualTo(AclVerdict.ALLOWED);
        assertThat(auth(access, "default", "s3cret")).isNull();
        assertThat(auth(access, "a", "b", "c")).isEqualTo("ERR syntax error");
        // RESET goes back to the default user, who needs a password.
        access.reset();
        assertThat(check(access, "GET", "x")).isEqualTo(AclVerdict.NOT_AUTHENTICATED);
        assertThat(access.authenticate("default", "s3cret".getBytes(StandardCharsets.UTF_8), "c"))
                .isTrue();
        assertThat(check(access, "GET", "x")).isEqualTo(AclVerdict.ALLOWED);
        assertThat(failures).hasValue(2);
    }

    @Test
    void withUsersRedisAuthIsOnlyForTheBackends() {
        Map<String, List<String>> users = Map.of(
                "app", AclRules.words("on >apppw ~cache:* +@read"),
                "ops", AclRules.words("on >opspw ~* &* +@all"),
                "gone", AclRules.words("off >gonepw ~* +@all"));
        PoolAccess pool = pool("backendpw", users);
        assertThat(pool.requiresAuthentication()).isTrue();
        ClientAccess access = new ClientAccess(pool);
        assertThat(auth(access, "backendpw")).isEqualTo(AuthErrors.WRONGPASS);
        assertThat(auth(access, "gone", "gonepw")).isEqualTo(AuthErrors.WRONGPASS);
        assertThat(auth(access, "nobody", "apppw")).isEqualTo(AuthErrors.WRONGPASS);
        assertThat(auth(access, "app", "apppw")).isNull();
        assertThat(access.userName()).isEqualTo("app");
        assertThat(check(access, "GET", "cache:1")).isEqualTo(AclVerdict.ALLOWED);
        assertThat(check(access, "GET", "other")).isEqualTo(AclVerdict.KEY_DENIED);
        assertThat(check(access, "SET", "cache:1", "v")).isEqualTo(AclVerdict.COMMAND_DENIED);
        assertThat(auth(access, "ops", "opspw")).isNull();
        assertThat(check(access, "SET", "cache:1", "v")).isEqualTo(AclVerdict.ALLOWED);
        access.reset();
        assertThat(check(access, "GET", "cache:1")).isEqualTo(AclVerdict.NOT_AUTHENTICATED);
        assertThat(failures).hasValue(3);
    }

    @Test
    void aDefaultUserWithoutPasswordIsWhoConnectionsStartAs() {
        Map<String, List<String>> users = Map.of(
                "default", AclRules.words("on nopass ~public:* +@read"),
                "admin", AclRules.words("on >adminpw ~* &* +@all"));
        ClientAccess access = new ClientAccess(pool(null, users));
        assertThat(check(access, "GET", "public:1")).isEqualTo(AclVerdict.ALLOWED);
        assertThat(check(access, "GET", "secret")).isEqualTo(AclVerdict.KEY_DENIED);
        assertThat(auth(access, "x")).isEqualTo(AuthErrors.NO_PASSWORD_CONFIGURED);
        assertThat(auth(access, "admin", "adminpw")).isNull();
        assertThat(check(access, "GET", "secret")).isEqualTo(AclVerdict.ALLOWED);
        access.reset();
        assertThat(access.userName()).isEqualTo("default");
        assertThat(check(access, "GET", "secret")).isEqualTo(AclVerdict.KEY_DENIED);
    }
}
