package io.shardis.proxy.merge;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.shardis.proxy.command.ReplyMerge;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * INFO merged from texts captured from redis-server 7.0.15: a cluster node holding 40 keys (10 with
 * a TTL) and a standalone server holding 10 in db0 (3 with a TTL) and 1 in db2.
 */
class InfoMergeTest {

    private static final String CLUSTER_NODE = "cluster-node-info";
    private static final String STANDALONE = "standalone-info";

    private final List<ByteBuf> inputs = new ArrayList<>();

    @AfterEach
    void release() {
        inputs.forEach(ByteBuf::release);
    }

    @Test
    void aClusterNodesInfoSaysClusterDisabledAndCountsTheKeysOfEveryServer() {
        String merged = merge(text(CLUSTER_NODE), text(STANDALONE));
        assertThat(merged).contains("\r\n# Cluster\r\ncluster_enabled:0\r\n").doesNotContain("cluster_enabled:1");
        // avg_ttl: (997705 × 10 + 95049 × 3) / 13, a mean over the 13 keys that have a TTL.
        assertThat(section(merged, "Keyspace"))
                .isEqualTo("# Keyspace\r\ndb0:keys=50,expires=13,avg_ttl=789400\r\ndb2:keys=1,expires=0,avg_ttl=0\r\n");
    }

    @Test
    void everySectionButClusterAndKeyspaceIsTheFirstServersByteForByte() {
        String first = text(CLUSTER_NODE);
        String merged = merge(first, text(STANDALONE));
        for (String name : List.of(
                "Server", "Clients", "Memory", "Persistence", "Stats", "Replication", "CPU", "Modules", "Errorstats")) {
            assertThat(section(merged, name))
                    .as(name)
                    .isEqualTo(section(first, name))
                    .isNotEmpty();
        }
        assertThat(merged.length())
                .as("only cluster_enabled's digit and the keyspace lines differ")
                .isEqualTo(first.length()
                        + (section(merged, "Keyspace").length()
                                - section(first, "Keyspace").length()));
    }

    @Test
    void infoKeyspaceAloneIsSummedToo() {
        assertThat(merge(text("cluster-node-info-keyspace"), text("standalone-info-keyspace")))
                .startsWith("# Keyspace\r\ndb0:keys=50,expires=13,")
                .endsWith("\r\ndb2:keys=1,expires=0,avg_ttl=0\r\n");
    }

    @Test
    void infoEverythingIsSummedAndLosesItsClusterFlag() {
        String merged = merge(text("cluster-node-info-everything"), text(STANDALONE));
        assertThat(merged)
                .contains("cluster_enabled:0")
                .contains("# Commandstats")
                .contains("# Latencystats");
        assertThat(section(merged, "Keyspace")).startsWith("# Keyspace\r\ndb0:keys=50,expires=13,avg_ttl=");
    }

    @Test
    void anEmptyFirstServerStillShowsTheOthersKeys() {
        assertThat(merge(
                        text("standalone-empty-info-keyspace"),
                        text("cluster-node-info-keyspace"),
                        text("standalone-empty-info-keyspace")))
                .isEqualTo("# Keyspace\r\ndb0:keys=40,expires=10,avg_ttl=996999\r\n");
        assertThat(merge(text("standalone-empty-info-keyspace"), text("standalone-empty-info-keyspace")))
                .isEqualTo("# Keyspace\r\n");
    }

    @Test
    void sectionsWithoutKeyspaceAreTheFirstServersAsTheyAre() {
        String server = text("standalone-info-server");
        assertThat(merge(server, text("standalone-info-server"))).isEqualTo(server);
        String standalone = text(STANDALONE);
        assertThat(merge(standalone)).isEqualTo(standalone);
    }

    @Test
    void aPoolsRedisVersionReplacesTheFirstServersAndNothingElse() {
        String first = text(STANDALONE);
        String server = section(first, "Server");
        String version = server.substring(
                server.indexOf("redis_version:"), server.indexOf("\r\n", server.indexOf("redis_version:")));
        assertThat(version).isEqualTo("redis_version:7.0.15");
        ByteBuf merged = ReplyMerger.merge(
                ReplyMerge.INFO,
                new ByteBuf[] {bulk(first), bulk(text(CLUSTER_NODE))},
                null,
                ByteBufAllocator.DEFAULT,
                "7.4.0");
        String reply;
        try {
            reply = merged.toString(StandardCharsets.ISO_8859_1);
        } finally {
            merged.release();
        }
        String expected =
                merge(first, text(CLUSTER_NODE)).replace("redis_version:7.0.15\r\n", "redis_version:7.4.0\r\n");
        assertThat(reply).isEqualTo("$" + expected.length() + "\r\n" + expected + "\r\n");
        assertThat(merge(first)).as("without redis_version: the server's").contains("\r\nredis_version:7.0.15\r\n");
    }

    @Test
    void fieldsOfALaterRedisAreSummedAndUnreadableLinesLeftOut() {
        assertThat(merge(
                        "# Keyspace\r\ndb0:keys=2,expires=1,avg_ttl=100,subexpiry=4\r\n",
                        "# Keyspace\r\ndb0:keys=3,expires=1,avg_ttl=300,subexpiry=1\r\ndbx:garbage\r\n"))
                .isEqualTo("# Keyspace\r\ndb0:keys=5,expires=2,avg_ttl=200,subexpiry=5\r\n");
    }

    @Test
    void anErrorOrAnotherReplyTypeIsNotMerged() {
        ByteBuf ok = bulk(text(STANDALONE));
        ByteBuf error =
                Unpooled.copiedBuffer("-LOADING Redis is loading the dataset in memory\r\n", StandardCharsets.US_ASCII);
        inputs.add(error);
        assertThat(mergeBuffers(ok, error)).isEqualTo("-LOADING Redis is loading the dataset in memory\r\n");
        ByteBuf integer = Unpooled.copiedBuffer(":1\r\n", StandardCharsets.US_ASCII);
        inputs.add(integer);
        assertThat(mergeBuffers(bulk(text(STANDALONE)), integer))
                .startsWith("-ERR Shardis: unexpected reply of type ':'");
    }

    /** Merges INFO bulk strings carrying {@code texts}; returns the merged text (the bulk's payload). */
    private String merge(String... texts) {
        ByteBuf[] replies = new ByteBuf[texts.length];
        for (int i = 0; i < texts.length; i++) {
            replies[i] = bulk(texts[i]);
        }
        String reply = mergeBuffers(replies);
        int headerEnd = reply.indexOf("\r\n");
        assertThat(reply).startsWith("$").endsWith("\r\n");
        String payload = reply.substring(headerEnd + 2, reply.length() - 2);
        assertThat(Integer.parseInt(reply.substring(1, headerEnd)))
                .as("bulk length")
                .isEqualTo(payload.getBytes(StandardCharsets.ISO_8859_1).length);
        return payload;
    }

    private String mergeBuffers(ByteBuf... replies) {
        ByteBuf merged = ReplyMerger.merge(ReplyMerge.INFO, replies, null, ByteBufAllocator.DEFAULT);
        try {
            return merged.toString(StandardCharsets.ISO_8859_1);
        } finally {
            merged.release();
        }
    }

    private ByteBuf bulk(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
        ByteBuf buf = Unpooled.buffer();
        buf.writeCharSequence("$" + bytes.length + "\r\n", StandardCharsets.US_ASCII);
        buf.writeBytes(bytes).writeCharSequence("\r\n", StandardCharsets.US_ASCII);
        inputs.add(buf);
        return buf;
    }

    /** A section from its {@code # Name} line to the blank line after it (or the end). */
    private static String section(String info, String name) {
        int start = info.indexOf("# " + name + "\r\n");
        if (start < 0) {
            return "";
        }
        int end = info.indexOf("\r\n\r\n", start);
        return end < 0 ? info.substring(start) : info.substring(start, end + 2);
    }

    private static String text(String name) {
        String resource = "info-7.0.15-" + name + ".txt";
        try (InputStream in = InfoMergeTest.class.getResourceAsStream(resource)) {
            assertThat(in).as(resource).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new IllegalStateException(resource, e);
        }
    }
}
