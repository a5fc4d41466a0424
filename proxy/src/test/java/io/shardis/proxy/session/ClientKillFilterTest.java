package io.shardis.proxy.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** CLIENT KILL's arguments, read as Redis 7.0 reads them, and which clients they match. */
class ClientKillFilterTest {

    private static final Set<String> USERS = Set.of("default", "app");

    private static Object parse(String... args) {
        return ClientKillFilter.parse(List.of(args), USERS::contains);
    }

    private static String error(String... args) {
        return ((ClientKillFilter.Refusal) parse(args)).error();
    }

    private static ClientKillFilter filter(String... args) {
        return (ClientKillFilter) parse(args);
    }

    private static ClientEntry client(long id, String addr, String laddr, String user) {
        return new ClientEntry(id, null, addr, laddr, 9, 0, user, 0);
    }

    @Test
    void oneArgumentIsTheOldFormByAddress() {
        ClientKillFilter filter = filter("10.0.0.1:5000");
        assertThat(filter.oldForm()).isTrue();
        ClientEntry self = client(1, "10.0.0.1:5000", "127.0.0.1:22121", "default");
        assertThat(filter.matches(self, self))
                .as("the old form may kill the caller")
                .isTrue();
        assertThat(filter.matches(client(2, "10.0.0.1:5001", "127.0.0.1:22121", "default"), self))
                .isFalse();
    }

    @Test
    void filtersCombineAndSkipTheCallerUnlessToldNot() {
        ClientEntry self = client(1, "10.0.0.1:1", "127.0.0.1:22121", "app");
        ClientEntry other = client(2, "10.0.0.2:2", "127.0.0.1:22121", "app");
        ClientEntry elsewhere = client(3, "10.0.0.3:3", "127.0.0.1:22122", "default");

        ClientKillFilter byUser = filter("USER", "app");
        assertThat(byUser.oldForm()).isFalse();
        assertThat(byUser.matches(self, self)).isFalse();
        assertThat(byUser.matches(other, self)).isTrue();
        assertThat(byUser.matches(elsewhere, self)).isFalse();

        ClientKillFilter meToo = filter("user", "app", "skipme", "NO");
        assertThat(meToo.matches(self, self)).isTrue();

        assertThat(filter("ID", "2").matches(other, self)).isTrue();
        assertThat(filter("ID", "2").matches(elsewhere, self)).isFalse();
        assertThat(filter("LADDR", "127.0.0.1:22122").matches(elsewhere, self)).isTrue();
        assertThat(filter("LADDR", "127.0.0.1:22122").matches(other, self)).isFalse();
        assertThat(filter("ADDR", "10.0.0.2:2", "ID", "3").matches(other, self))
                .as("every filter must hold")
                .isFalse();
        assertThat(filter("TYPE", "normal").matches(other, self)).isTrue();
        assertThat(filter("TYPE", "pubsub").matches(other, self)).isFalse();
        assertThat(filter("TYPE", "master").matches(other, self)).isFalse();
        other.subscribed(true);
        assertThat(filter("TYPE", "pubsub").matches(other, self)).isTrue();
        assertThat(filter("ID", "1", "ID", "2").matches(other, self))
                .as("a later filter of a kind wins")
                .isTrue();
    }

    @Test
    void errorsAreRedisWords() {
        assertThat(error("ID", "abc")).isEqualTo("ERR client-id should be greater than 0");
        assertThat(error("ID", "0")).isEqualTo("ERR client-id should be greater than 0");
        assertThat(error("ID", "-3")).isEqualTo("ERR client-id should be greater than 0");
        assertThat(error("TYPE", "xx")).isEqualTo("ERR Unknown client type 'xx'");
        assertThat(error("USER", "nobody")).isEqualTo("ERR No such user 'nobody'");
        assertThat(error("SKIPME", "maybe")).isEqualTo("ERR syntax error");
        assertThat(error("FOO", "bar")).isEqualTo("ERR syntax error");
        assertThat(error("ID", "1", "TYPE")).as("an option without its value").isEqualTo("ERR syntax error");
        assertThat(error("MAXAGE", "10")).as("Redis 7.4's filter").isEqualTo("ERR syntax error");
    }

    @Test
    void typeNamesAreRedis() {
        assertThat(ClientKillFilter.typeNamed("SLAVE")).isEqualTo("replica");
        assertThat(ClientKillFilter.typeNamed("Normal")).isEqualTo("normal");
        assertThat(ClientKillFilter.typeNamed("pubsub")).isEqualTo("pubsub");
        assertThat(ClientKillFilter.typeNamed("other")).isNull();
    }
}
