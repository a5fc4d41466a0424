package io.shardis.proxy.merge;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.shardis.proxy.command.CommandDescriptions;
import io.shardis.proxy.command.CommandTable;
import io.shardis.resp.RespValue;
import io.shardis.resp.RespValueReader;
import io.shardis.resp.RespValueWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * COMMAND DOCS through Shardis: a backend's documentation (Shardis' table holds none), keeping only
 * the commands and subcommands Shardis accepts, so that it lists what COMMAND lists. The reply is
 * a map of command name to documentation, itself a map whose {@code subcommands} entry is such a
 * map again: RESP2 flat arrays or RESP3 maps alike, kept in the type they came in.
 */
final class DocsFilter {

    private static final CommandDescriptions ACCEPTED = new CommandDescriptions(CommandTable.standard());

    private DocsFilter() {}

    /** The caller keeps {@code reply}; the result is a new buffer. */
    static ByteBuf filter(ByteBuf reply, ByteBufAllocator alloc) {
        RespValue docs;
        try {
            docs = new RespValueReader().decode(reply.duplicate());
        } catch (io.shardis.resp.RespProtocolException e) {
            return reply.retainedDuplicate(); // not a reply this reads: passed on as the backend gave it
        }
        ByteBuf out = alloc.buffer(reply.readableBytes());
        RespValueWriter.write(keepAccepted(docs), out);
        return out;
    }

    /** A name-to-documentation map without the names Shardis does not accept; anything else unchanged. */
    static RespValue keepAccepted(RespValue docs) {
        List<RespValue.Pair> pairs = pairs(docs);
        if (pairs == null) {
            return docs;
        }
        List<RespValue.Pair> kept = new ArrayList<>(pairs.size());
        for (RespValue.Pair pair : pairs) {
            String name = text(pair.key());
            if (name != null && ACCEPTED.named(name) != null) {
                kept.add(new RespValue.Pair(pair.key(), withAcceptedSubcommands(pair.value())));
            }
        }
        return like(docs, kept);
    }

    private static RespValue withAcceptedSubcommands(RespValue doc) {
        List<RespValue.Pair> fields = pairs(doc);
        if (fields == null) {
            return doc;
        }
        List<RespValue.Pair> out = new ArrayList<>(fields.size());
        for (RespValue.Pair field : fields) {
            out.add(
                    "subcommands".equals(text(field.key()))
                            ? new RespValue.Pair(field.key(), keepAccepted(field.value()))
                            : field);
        }
        return like(doc, out);
    }

    /** The pairs of a RESP3 map or of a RESP2 array of keys and values; null for anything else. */
    private static List<RespValue.Pair> pairs(RespValue value) {
        if (value instanceof RespValue.Map map) {
            return map.entries();
        }
        if (value instanceof RespValue.Array array
                && !array.isNull()
                && array.elements().size() % 2 == 0) {
            List<RespValue> elements = array.elements();
            List<RespValue.Pair> pairs = new ArrayList<>(elements.size() / 2);
            for (int i = 0; i < elements.size(); i += 2) {
                pairs.add(new RespValue.Pair(elements.get(i), elements.get(i + 1)));
            }
            return pairs;
        }
        return null;
    }

    private static RespValue like(RespValue original, List<RespValue.Pair> pairs) {
        if (original instanceof RespValue.Map) {
            return new RespValue.Map(pairs);
        }
        List<RespValue> flat = new ArrayList<>(pairs.size() * 2);
        for (RespValue.Pair pair : pairs) {
            flat.add(pair.key());
            flat.add(pair.value());
        }
        return new RespValue.Array(flat);
    }

    private static String text(RespValue value) {
        if (value instanceof RespValue.BulkString bulk && !bulk.isNull()) {
            return new String(bulk.bytes(), StandardCharsets.UTF_8);
        }
        if (value instanceof RespValue.SimpleString simple) {
            return simple.value();
        }
        return null;
    }
}
