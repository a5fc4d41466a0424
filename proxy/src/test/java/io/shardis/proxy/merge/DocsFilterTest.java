package io.shardis.proxy.merge;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardis.resp.RespValue;
import java.util.List;
import org.junit.jupiter.api.Test;

/** COMMAND DOCS from a backend keeps only what Shardis accepts, in RESP2 and RESP3 shapes. */
class DocsFilterTest {

    private static RespValue bulk(String text) {
        return RespValue.BulkString.of(text);
    }

    private static RespValue doc(String summary, RespValue subcommands) {
        return subcommands == null
                ? RespValue.Array.of(bulk("summary"), bulk(summary))
                : RespValue.Array.of(bulk("summary"), bulk(summary), bulk("subcommands"), subcommands);
    }

    @Test
    void refusedCommandsAndSubcommandsAreLeftOut() {
        RespValue client = doc(
                "client",
                RespValue.Array.of(bulk("client|list"), doc("list", null), bulk("client|reply"), doc("reply", null)));
        RespValue fromBackend = RespValue.Array.of(
                bulk("get"), doc("get", null), bulk("monitor"), doc("monitor", null), bulk("client"), client);
        assertThat(DocsFilter.keepAccepted(fromBackend))
                .isEqualTo(RespValue.Array.of(
                        bulk("get"),
                        doc("get", null),
                        bulk("client"),
                        doc("client", RespValue.Array.of(bulk("client|list"), doc("list", null)))));
    }

    @Test
    void aResp3MapStaysAMap() {
        RespValue fromBackend = new RespValue.Map(List.of(
                new RespValue.Pair(bulk("sync"), doc("sync", null)),
                new RespValue.Pair(bulk("echo"), doc("echo", null))));
        assertThat(DocsFilter.keepAccepted(fromBackend))
                .isEqualTo(new RespValue.Map(List.of(new RespValue.Pair(bulk("echo"), doc("echo", null)))));
    }
}
