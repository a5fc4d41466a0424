package io.shardis.proxy.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shardis.resp.RespCommand;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class KeyPositionsTest {

    private final CommandTable table = CommandTable.standard();
    private final TestCommands commands = new TestCommands();

    @AfterEach
    void releaseFrames() {
        commands.close();
    }

    /** Argument indexes of the keys of {@code args}, or null when the spec answers -1. */
    private List<Integer> keys(String... args) {
        RespCommand command = commands.of(args);
        CommandSpec spec = table.lookup(command);
        assertThat(spec).as(args[0]).isNotNull();
        int count = spec.keyCount(command);
        if (count < 0) {
            return null;
        }
        List<Integer> positions = new ArrayList<>();
        for (int k = 0; k < count; k++) {
            positions.add(spec.keyIndex(command, k));
        }
        return positions;
    }

    @Test
    void singleKeyCommands() {
        assertThat(keys("GET", "k")).containsExactly(1);
        assertThat(keys("set", "k", "v", "EX", "10", "NX")).containsExactly(1);
        assertThat(keys("HSET", "h", "f", "v", "f2", "v2")).containsExactly(1);
        assertThat(keys("XADD", "s", "*", "f", "v")).containsExactly(1);
        assertThat(keys("object", "encoding", "k")).containsExactly(2);
        assertThat(keys("memory", "usage", "k", "SAMPLES", "5")).containsExactly(2);
        assertThat(keys("xinfo", "stream", "s", "FULL")).containsExactly(2);
        assertThat(keys("xgroup", "create", "s", "g", "$", "MKSTREAM")).containsExactly(2);
        assertThat(keys("geosearch", "g", "FROMMEMBER", "m", "BYRADIUS", "1", "km"))
                .containsExactly(1);
    }

    @Test
    void keylessCommandsHaveNoKeys() {
        assertThat(keys("PING")).isEmpty();
        assertThat(keys("time")).isEmpty();
        assertThat(keys("client", "setname", "app")).isEmpty();
        assertThat(keys("publish", "channel", "message")).isEmpty();
        RespCommand ping = commands.of("ping");
        assertThatThrownBy(() -> table.lookup(ping).keyIndex(ping, 0)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void splittableMultiKeyCommands() {
        assertThat(keys("MGET", "a", "b", "c")).containsExactly(1, 2, 3);
        assertThat(keys("del", "a")).containsExactly(1);
        assertThat(keys("UNLINK", "a", "b")).containsExactly(1, 2);
        assertThat(keys("exists", "a", "b")).containsExactly(1, 2);
        assertThat(keys("touch", "a", "b")).containsExactly(1, 2);
        assertThat(keys("MSET", "a", "1", "b", "2")).containsExactly(1, 3);
        assertThat(keys("msetnx", "a", "1", "b", "2", "c", "3")).containsExactly(1, 3, 5);
        assertThat(table.lookup("mget").keyStep()).isEqualTo(1);
        assertThat(table.lookup("del").keyStep()).isEqualTo(1);
        assertThat(table.lookup("mset").keyStep()).isEqualTo(2);
        assertThat(table.lookup("msetnx").keyStep()).isEqualTo(2);
    }

    @Test
    void aKeyWithoutItsValueIsMalformed() {
        assertThat(keys("MSET", "a", "1", "b")).isNull();
        assertThat(keys("MSETNX", "a")).isNull();
    }

    @Test
    void fixedSeveralKeyCommands() {
        assertThat(keys("RENAME", "a", "b")).containsExactly(1, 2);
        assertThat(keys("smove", "a", "b", "m")).containsExactly(1, 2);
        assertThat(keys("RPOPLPUSH", "a", "b")).containsExactly(1, 2);
        assertThat(keys("LMOVE", "a", "b", "LEFT", "RIGHT")).containsExactly(1, 2);
        assertThat(keys("BLMOVE", "a", "b", "LEFT", "RIGHT", "0")).containsExactly(1, 2);
        assertThat(keys("COPY", "a", "b", "REPLACE")).containsExactly(1, 2);
        assertThat(keys("LCS", "a", "b", "LEN")).containsExactly(1, 2);
        assertThat(keys("SUNIONSTORE", "d", "a", "b")).containsExactly(1, 2, 3);
        assertThat(keys("BITOP", "AND", "d", "a", "b")).containsExactly(2, 3, 4);
        assertThat(keys("BLPOP", "a", "b", "0")).containsExactly(1, 2);
        assertThat(keys("BZPOPMIN", "a", "b", "1.5")).containsExactly(1, 2);
        assertThat(keys("pfmerge", "d", "a", "b")).containsExactly(1, 2, 3);
        assertThat(keys("PFMERGE", "d")).as("sources are optional").containsExactly(1);
        assertThat(keys("PFCOUNT", "a")).containsExactly(1);
    }

    @Test
    void keyCountArgumentCommands() {
        assertThat(keys("EVAL", "return 1", "2", "a", "b", "x")).containsExactly(3, 4);
        assertThat(keys("evalsha", "abc", "1", "a")).containsExactly(3);
        assertThat(keys("EVAL_RO", "return 1", "1", "a", "x")).containsExactly(3);
        assertThat(keys("FCALL", "f", "2", "a", "b")).containsExactly(3, 4);
        assertThat(keys("fcall_ro", "f", "1", "a")).containsExactly(3);
        assertThat(keys("EVAL", "return 1", "0")).isEmpty();
        assertThat(keys("EVAL", "return 1", "0", "x", "y")).isEmpty();
        assertThat(keys("ZUNIONSTORE", "d", "2", "a", "b", "WEIGHTS", "1", "2")).containsExactly(1, 3, 4);
        assertThat(keys("ZINTERSTORE", "d", "1", "a")).containsExactly(1, 3);
        assertThat(keys("ZDIFFSTORE", "d", "2", "a", "b")).containsExactly(1, 3, 4);
        assertThat(keys("ZUNION", "2", "a", "b", "WITHSCORES")).containsExactly(2, 3);
        assertThat(keys("zdiff", "1", "a")).containsExactly(2);
        assertThat(keys("SINTERCARD", "2", "a", "b", "LIMIT", "5")).containsExactly(2, 3);
        assertThat(keys("ZINTERCARD", "1", "a")).containsExactly(2);
        assertThat(keys("LMPOP", "2", "a", "b", "LEFT", "COUNT", "3")).containsExactly(2, 3);
        assertThat(keys("ZMPOP", "1", "a", "MIN")).containsExactly(2);
        assertThat(keys("BLMPOP", "0.5", "2", "a", "b", "RIGHT")).containsExactly(3, 4);
        assertThat(keys("BZMPOP", "0", "1", "a", "MAX")).containsExactly(3);
    }

    @Test
    void malformedKeyCountsAnswerMinusOneInsteadOfThrowing() {
        assertThat(keys("EVAL", "return 1", "3", "a", "b"))
                .as("more keys than arguments")
                .isNull();
        assertThat(keys("EVAL", "return 1", "-1", "a")).as("negative").isNull();
        assertThat(keys("EVAL", "return 1", "two", "a")).as("not a number").isNull();
        assertThat(keys("EVAL", "return 1", "01", "a")).as("not a Redis number").isNull();
        assertThat(keys("EVAL", "return 1", " 1", "a")).as("spaces").isNull();
        assertThat(keys("EVAL", "return 1", "99999999999999999999999", "a"))
                .as("overflow")
                .isNull();
        assertThat(keys("EVAL", "return 1", "2147483648", "a")).as("past int").isNull();
        assertThat(keys("EVAL", "return 1")).as("numkeys missing").isNull();
        assertThat(keys("FCALL", "f", "9", "a")).isNull();
        assertThat(keys("ZUNIONSTORE", "d", "3", "a", "b")).isNull();
        assertThat(keys("ZUNIONSTORE", "d", "x", "a")).isNull();
        assertThat(keys("SINTERCARD", "-2", "a", "b")).isNull();
        assertThat(keys("BLMPOP", "0", "5", "a", "LEFT")).isNull();
        assertThat(keys("LMPOP")).isNull();
        assertThat(keys("GET")).as("key missing").isNull();
        assertThat(keys("RENAME", "a")).isNull();
        assertThat(keys("MGET")).as("arity rejects it first").isEmpty();
        RespCommand eval = commands.of("EVAL", "return 1", "3", "a");
        assertThat(table.lookup(eval).keyIndex(eval, 0)).isEqualTo(-1);
    }

    @Test
    void streamsKeysFollowTheStreamsKeyword() {
        assertThat(keys("XREAD", "STREAMS", "a", "0")).containsExactly(2);
        assertThat(keys("XREAD", "COUNT", "10", "BLOCK", "0", "streams", "a", "b", "0", "$"))
                .containsExactly(6, 7);
        assertThat(keys("XREADGROUP", "GROUP", "g", "c", "STREAMS", "a", "b", ">", ">"))
                .containsExactly(5, 6);
        assertThat(keys("XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "NOACK", "STREAMS", "a", ">"))
                .containsExactly(8);
        // A consumer called "streams" sits before the keyword search starts.
        assertThat(keys("XREADGROUP", "GROUP", "g", "streams", "STREAMS", "a", ">"))
                .containsExactly(5);
        assertThat(keys("XREAD", "STREAMS", "a", "b", "0")).as("unbalanced").isNull();
        assertThat(keys("XREAD", "COUNT", "1", "a", "0"))
                .as("no STREAMS keyword")
                .isEmpty();
    }

    @Test
    void optionalDestinationKeys() {
        assertThat(keys("GEORADIUS", "g", "0", "0", "1", "km")).containsExactly(1);
        assertThat(keys("GEORADIUS", "g", "0", "0", "1", "km", "STORE", "d")).containsExactly(1, 7);
        assertThat(keys("GEORADIUS", "g", "0", "0", "1", "km", "WITHDIST", "STOREDIST", "d"))
                .containsExactly(1, 8);
        assertThat(keys("GEORADIUSBYMEMBER", "g", "m", "1", "km", "store", "d")).containsExactly(1, 6);
        assertThat(keys("GEOSEARCHSTORE", "d", "g", "FROMMEMBER", "m", "BYBOX", "1", "1", "km"))
                .containsExactly(1, 2);
        assertThat(keys("ZRANGESTORE", "d", "s", "0", "-1")).containsExactly(1, 2);
    }

    @Test
    void sortKeysFollowRedisOwnReading() {
        assertThat(keys("SORT", "k")).containsExactly(1);
        assertThat(keys("SORT", "k", "BY", "w_*", "STORE", "d")).containsExactly(1, 5);
        assertThat(keys("sort", "k", "LIMIT", "0", "10", "store", "d")).containsExactly(1, 6);
        // Arguments of BY, GET and LIMIT that spell "store" are not the option.
        assertThat(keys("SORT", "k", "GET", "store", "BY", "store")).containsExactly(1);
        assertThat(keys("SORT", "store", "LIMIT", "0", "1")).containsExactly(1);
        // The last STORE wins, as in Redis.
        assertThat(keys("SORT", "k", "STORE", "d1", "STORE", "d2")).containsExactly(1, 5);
        assertThat(keys("SORT", "k", "STORE"))
                .as("STORE without a key is no destination")
                .containsExactly(1);
        assertThat(keys("SORT_RO", "k", "BY", "w_*", "GET", "#")).containsExactly(1);
        assertThat(keys("SORT")).isNull();
    }

    @Test
    void migrateKeysFollowRedisOwnReading() {
        assertThat(keys("MIGRATE", "h", "6379", "k", "0", "1000")).containsExactly(3);
        assertThat(keys("MIGRATE", "h", "6379", "", "0", "1000", "COPY", "KEYS", "a", "b"))
                .containsExactly(8, 9);
        assertThat(keys("MIGRATE", "h", "6379", "", "0", "1000", "AUTH", "keys", "KEYS", "a"))
                .containsExactly(9);
        assertThat(keys("MIGRATE", "h", "6379", "", "0", "1000", "AUTH2", "u", "keys", "KEYS", "a"))
                .containsExactly(10);
        assertThat(keys("MIGRATE", "h", "6379", "k", "0", "1000", "KEYS", "a"))
                .as("key and KEYS")
                .isNull();
        assertThat(keys("MIGRATE", "h", "6379", "", "0", "1000", "KEYS"))
                .as("KEYS naming nothing")
                .isNull();
        assertThat(keys("MIGRATE", "h")).isNull();
    }

    @Test
    void shardedChannelsAreRoutedLikeKeys() {
        assertThat(keys("SPUBLISH", "ch", "msg")).containsExactly(1);
        assertThat(keys("SSUBSCRIBE", "a", "b")).containsExactly(1, 2);
        assertThat(keys("SUBSCRIBE", "a", "b")).isEmpty();
    }

    @Test
    void keyIndexBeyondTheKeysIsAProgrammingError() {
        RespCommand get = commands.of("GET", "k");
        CommandSpec spec = table.lookup(get);
        assertThatThrownBy(() -> spec.keyIndex(get, 1)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> spec.keyIndex(get, -1)).isInstanceOf(IndexOutOfBoundsException.class);
        RespCommand sort = commands.of("SORT", "k");
        assertThatThrownBy(() -> table.lookup(sort).keyIndex(sort, 1)).isInstanceOf(IndexOutOfBoundsException.class);
    }
}
