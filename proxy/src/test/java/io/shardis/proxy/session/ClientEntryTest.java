package io.shardis.proxy.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardis.proxy.command.CommandTable;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A client's CLIENT LIST line: Redis 7.2's fields, in its order. */
class ClientEntryTest {

    private static final long START = 1_000_000_000L;

    @Test
    void aNewClientLooksLikeOneOnRedis() {
        ClientEntry entry = new ClientEntry(7, null, "10.0.0.5:40000", "127.0.0.1:22121", 12, 3, "default", START);
        entry.commandStarted(CommandTable.standard().lookup("client|info"), START + TimeUnit.SECONDS.toNanos(2));
        String line = entry.line(START + TimeUnit.SECONDS.toNanos(5));
        assertThat(line)
                .isEqualTo(
                        "id=7 addr=10.0.0.5:40000 laddr=127.0.0.1:22121 fd=12 name= age=5 idle=3 flags=N"
                                + " db=3 sub=0 psub=0 ssub=0 multi=-1 qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=0 rbp=0 obl=0"
                                + " oll=0 omem=0 tot-mem=0 events=r cmd=client|info user=default redir=-1 resp=2 lib-name= lib-ver=");
    }

    @Test
    void theFieldsAreRedisFieldsInRedisOrder() {
        ClientEntry entry = new ClientEntry(1, null, "a:1", "b:2", -1, 0, "default", START);
        List<String> keys = Arrays.stream(entry.line(START).split(" "))
                .map(f -> f.substring(0, f.indexOf('=')))
                .toList();
        // CLIENT INFO of redis-server 7.2, field by field.
        assertThat(keys)
                .containsExactly(
                        "id",
                        "addr",
                        "laddr",
                        "fd",
                        "name",
                        "age",
                        "idle",
                        "flags",
                        "db",
                        "sub",
                        "psub",
                        "ssub",
                        "multi",
                        "qbuf",
                        "qbuf-free",
                        "argv-mem",
                        "multi-mem",
                        "rbs",
                        "rbp",
                        "obl",
                        "oll",
                        "omem",
                        "tot-mem",
                        "events",
                        "cmd",
                        "user",
                        "redir",
                        "resp",
                        "lib-name",
                        "lib-ver");
    }

    @Test
    void nameUserLibraryAndFlagsShow() {
        ClientEntry entry = new ClientEntry(1, null, "a:1", "b:2", -1, 0, "default", START);
        entry.name("worker-1");
        entry.user("app");
        entry.library("lib-name", "jedis");
        entry.library("lib-ver", "5.2.0");
        entry.subscribed(true);
        entry.noEvict(true);
        String line = entry.line(START);
        assertThat(line)
                .contains(" name=worker-1 ", " user=app ", " flags=Pe ", " cmd=NULL ")
                .endsWith(" lib-name=jedis lib-ver=5.2.0");
        assertThat(entry.type()).isEqualTo("pubsub");
    }

    @Test
    void addressesAreWrittenAsRedisWritesThem() {
        assertThat(ClientEntry.address(new InetSocketAddress("127.0.0.1", 6379)))
                .isEqualTo("127.0.0.1:6379");
        assertThat(ClientEntry.address(null)).isEmpty();
    }
}
