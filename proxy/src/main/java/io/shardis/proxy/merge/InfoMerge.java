package io.shardis.proxy.merge;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.shardis.resp.RespReplies;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * INFO of a pool, as one standalone Redis would give it: the first server's text, except that
 * {@code cluster_enabled} is always 0 (clients talk to Shardis, not to a cluster, and some tools
 * switch to cluster mode on {@code cluster_enabled:1}) and the {@code # Keyspace} section counts
 * the keys of every server. Other sections are the first server's, untouched, but for
 * {@code redis_version} when the pool sets one ({@code redis_version}: the version HELLO reports too).
 *
 * <p>Each {@code dbN:} line is merged field by field: counts ({@code keys}, {@code expires}, and
 * any field a later Redis adds) are summed; {@code avg_ttl} is the mean of the servers' values
 * weighted by their {@code expires}, since it is itself a mean over the keys that have a TTL.
 * A server reporting {@code avg_ttl=0} has not sampled its TTLs yet and is left out of that mean.
 *
 * <p>RESP3 servers answer INFO with a verbatim string ({@code =len txt:...}), as to the RESP3
 * clients whose commands they run: the merged text is written in the type the first server used.
 *
 * <p>Ownership: the replies stay the caller's; the result is a new buffer.
 */
final class InfoMerge {

    private static final String KEYSPACE_HEADER = "# Keyspace";
    private static final String CLUSTER_ENABLED = "cluster_enabled:";
    private static final String AVG_TTL = "avg_ttl";
    private static final String REDIS_VERSION = "redis_version:";

    private InfoMerge() {}

    /** Null when a reply is not a bulk string (the caller answers that it cannot merge it). */
    static ByteBuf merge(ByteBuf[] replies, ByteBufAllocator alloc) {
        return merge(replies, alloc, null);
    }

    /** As {@link #merge(ByteBuf[], ByteBufAllocator)}, saying {@code redis_version:version} when it is not null. */
    static ByteBuf merge(ByteBuf[] replies, ByteBufAllocator alloc, String version) {
        Map<Integer, DbTotals> keyspace = new TreeMap<>();
        for (ByteBuf reply : replies) {
            String text = text(reply);
            if (text == null) {
                return null;
            }
            for (String line : sectionLines(text, KEYSPACE_HEADER)) {
                addDbLine(keyspace, line);
            }
        }
        String merged = rewrite(text(replies[0]), keyspace, version);
        byte[] bytes = merged.getBytes(StandardCharsets.ISO_8859_1);
        ByteBuf out = alloc.buffer(bytes.length + 20);
        if (ReplyReader.type(replies[0]) == '=') {
            RespReplies.writeHeader(out, '=', bytes.length + 4L);
            out.writeBytes(replies[0], replies[0].readerIndex() + ReplyReader.headerLength(replies[0]), 4);
        } else {
            RespReplies.writeHeader(out, '$', bytes.length);
        }
        out.writeBytes(bytes).writeByte('\r').writeByte('\n');
        return out;
    }

    /** The payload of a bulk string or verbatim string reply (without its format), byte for byte; null for another reply. */
    private static String text(ByteBuf reply) {
        byte type = ReplyReader.type(reply);
        int format = type == '=' ? 4 : 0;
        if (type != '$' && format == 0) {
            return null;
        }
        long length = ReplyReader.headerNumber(reply);
        int header = ReplyReader.headerLength(reply);
        if (length < format || header + length + 2 > reply.readableBytes()) {
            return null;
        }
        return reply.toString(
                reply.readerIndex() + header + format, (int) length - format, StandardCharsets.ISO_8859_1);
    }

    /** The lines of the section under {@code header}, without the header; empty when it is absent. */
    private static List<String> sectionLines(String text, String header) {
        List<String> lines = new ArrayList<>();
        boolean inside = false;
        for (String line : text.split("\r\n")) {
            if (line.startsWith("# ")) {
                inside = line.equals(header);
            } else if (inside && !line.isEmpty()) {
                lines.add(line);
            }
        }
        return lines;
    }

    /** {@code db0:keys=40,expires=10,avg_ttl=998980}; lines of another form are ignored. */
    private static void addDbLine(Map<Integer, DbTotals> keyspace, String line) {
        int colon = line.indexOf(':');
        if (!line.startsWith("db") || colon < 3) {
            return;
        }
        int db;
        try {
            db = Integer.parseInt(line.substring(2, colon));
        } catch (NumberFormatException e) {
            return;
        }
        Map<String, Long> fields = new LinkedHashMap<>();
        for (String field : line.substring(colon + 1).split(",")) {
            int equals = field.indexOf('=');
            if (equals <= 0) {
                return;
            }
            try {
                fields.put(field.substring(0, equals), Long.parseLong(field.substring(equals + 1)));
            } catch (NumberFormatException e) {
                return;
            }
        }
        keyspace.computeIfAbsent(db, n -> new DbTotals()).add(fields);
    }

    /**
     * The first server's text with {@code cluster_enabled:0} and the keyspace section replaced by
     * the totals; a text without that section (INFO of other sections) keeps having none.
     */
    private static String rewrite(String first, Map<Integer, DbTotals> keyspace, String version) {
        StringBuilder out = new StringBuilder(first.length() + 64 * keyspace.size());
        boolean inKeyspace = false;
        String[] lines = first.split("\r\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (i == lines.length - 1) {
                // What follows the last CRLF: nothing, in every INFO text Redis writes.
                out.append(line);
            } else if (line.startsWith("# ")) {
                inKeyspace = line.equals(KEYSPACE_HEADER);
                out.append(line).append("\r\n");
                if (inKeyspace) {
                    keyspace.forEach((db, totals) -> out.append("db")
                            .append(db)
                            .append(':')
                            .append(totals)
                            .append("\r\n"));
                }
            } else if (inKeyspace && line.startsWith("db")) {
                // Replaced by the totals written under the header.
            } else if (version != null && line.startsWith(REDIS_VERSION)) {
                out.append(REDIS_VERSION).append(version).append("\r\n");
            } else if (line.startsWith(CLUSTER_ENABLED)) {
                out.append(CLUSTER_ENABLED).append('0').append("\r\n");
            } else {
                out.append(line).append("\r\n");
            }
        }
        return out.toString();
    }

    /** One database's line summed over the servers. */
    private static final class DbTotals {
        /** Field → total, in the order the first server wrote them. */
        private final Map<String, Long> sums = new LinkedHashMap<>();
        /** Σ avg_ttl × expires, and Σ expires, over the servers that report an avg_ttl. */
        private double weightedTtl;

        private long ttlWeight;

        void add(Map<String, Long> fields) {
            long expires = fields.getOrDefault("expires", 0L);
            fields.forEach((name, value) -> {
                if (name.equals(AVG_TTL)) {
                    sums.putIfAbsent(AVG_TTL, 0L);
                    if (value > 0 && expires > 0) {
                        weightedTtl += (double) value * expires;
                        ttlWeight += expires;
                    }
                } else {
                    sums.merge(name, value, Long::sum);
                }
            });
        }

        @Override
        public String toString() {
            StringBuilder line = new StringBuilder();
            sums.forEach((name, value) -> {
                if (!line.isEmpty()) {
                    line.append(',');
                }
                long shown = name.equals(AVG_TTL) ? (ttlWeight == 0 ? 0 : Math.round(weightedTtl / ttlWeight)) : value;
                line.append(name).append('=').append(shown);
            });
            return line.toString();
        }
    }
}
