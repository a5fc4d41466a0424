package io.shardis.topology.shard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ShardServerTest {

    @ParameterizedTest(name = "{0} -> host {1}, port {2}, weight {3}, name {4}, identity {5}")
    @CsvSource(delimiter = '|', nullValues = "null", textBlock = """
            127.0.0.1:6379:1             | 127.0.0.1         | 6379  | 1 | null   | 127.0.0.1:6379
            10.0.0.1:6379:2 shard1       | 10.0.0.1          | 6379  | 2 | shard1 | shard1
            cache.example.com:11211:1    | cache.example.com | 11211 | 1 | null   | cache.example.com
            127.0.0.1:11211:3 named      | 127.0.0.1         | 11211 | 3 | named  | named
            /tmp/redis.sock:1            | /tmp/redis.sock   | 0     | 1 | null   | /tmp/redis.sock:
            /var/run/r.sock:4 unixname   | /var/run/r.sock   | 0     | 4 | unixname | unixname
            ::1:6380:1                   | ::1               | 6380  | 1 | null   | ::1:6380
            localhost:6379:10            | localhost         | 6379  | 10 | null  | localhost:6379
            """)
    void parsesEntriesAsNutcrackerDoesAndDerivesTheKetamaIdentity(
            String entry, String host, int port, int weight, String name, String identity) {
        ShardServer server = ShardServer.parse(entry);
        assertThat(server).isEqualTo(new ShardServer(host, port, weight, name));
        assertThat(server.identity()).isEqualTo(identity);
        assertThat(server.toString()).isEqualTo(entry);
    }

    @Test
    void theWeightIsNotPartOfTheIdentity() {
        assertThat(ShardServer.of("10.0.0.1", 6379, 1).identity())
                .isEqualTo(ShardServer.of("10.0.0.1", 6379, 7).identity());
    }

    @Test
    void aUnixSocketIsRecognisedByItsLeadingSlash() {
        assertThat(ShardServer.parse("/tmp/redis.sock:1").isUnixSocket()).isTrue();
        assertThat(ShardServer.parse("127.0.0.1:6379:1").isUnixSocket()).isFalse();
    }

    @ParameterizedTest(name = "\"{0}\": {1}")
    @CsvSource(delimiter = '|', textBlock = """
            127.0.0.1:6379               | format
            127.0.0.1                    | format
            127.0.0.1:6379:0             | zero weight
            127.0.0.1:6379:-1            | invalid weight
            127.0.0.1:6379:x             | invalid weight
            127.0.0.1:abc:1              | invalid port
            127.0.0.1:0:1                | invalid port
            127.0.0.1:70000:1            | invalid port
            127.0.0.1:06379:1            | leading zero
            /tmp/a:b.sock:1              | cannot contain ':'
            /tmp/a.sock                  | format
            """)
    void refusesMalformedEntries(String entry, String why) {
        assertThatThrownBy(() -> ShardServer.parse(entry))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + entry + "'")
                .hasMessageContaining(why);
    }

    @Test
    void refusesATrailingSpaceWithoutAName() {
        assertThatThrownBy(() -> ShardServer.parse("127.0.0.1:6379:1 "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no name");
    }

    @Test
    void refusesInvalidComponents() {
        assertThatThrownBy(() -> new ShardServer("", 6379, 1, null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ShardServer("h", 6379, 0, null)).hasMessageContaining("weight 0");
        assertThatThrownBy(() -> new ShardServer("/s.sock", 6379, 1, null)).hasMessageContaining("Unix socket");
        assertThatThrownBy(() -> new ShardServer("h", 6379, 1, "")).hasMessageContaining("empty name");
    }
}
