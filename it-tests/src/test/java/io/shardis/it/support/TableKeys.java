package io.shardis.it.support;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.shardis.proxy.command.CommandSpec;
import io.shardis.proxy.command.CommandTable;
import io.shardis.resp.RespCommand;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** The keys Shardis' command table finds in a command, for comparing with {@code COMMAND GETKEYS}. */
public final class TableKeys {

    private TableKeys() {}

    /** The keys {@code table} finds in {@code args}, or null when it answers -1 (no key extraction). */
    public static List<String> of(CommandTable table, List<String> args) {
        RespCommand command = encode(args);
        try {
            CommandSpec spec = table.lookup(command);
            assertThat(spec).as(args.toString()).isNotNull();
            int count = spec.keyCount(command);
            if (count < 0) {
                return null;
            }
            List<String> keys = new ArrayList<>();
            for (int k = 0; k < count; k++) {
                keys.add(args.get(spec.keyIndex(command, k)));
            }
            return keys;
        } finally {
            command.release();
        }
    }

    /** {@code args} as the request decoder hands a command over; the caller releases it. */
    public static RespCommand encode(List<String> args) {
        ByteBuf frame = Unpooled.buffer();
        int[] spans = new int[args.size() * 2];
        frame.writeCharSequence("*" + args.size() + "\r\n", StandardCharsets.US_ASCII);
        for (int i = 0; i < args.size(); i++) {
            byte[] bytes = args.get(i).getBytes(StandardCharsets.UTF_8);
            frame.writeCharSequence("$" + bytes.length + "\r\n", StandardCharsets.US_ASCII);
            spans[2 * i] = frame.writerIndex();
            spans[2 * i + 1] = bytes.length;
            frame.writeBytes(bytes).writeBytes(new byte[] {'\r', '\n'});
        }
        return RespCommand.of(frame, args.size(), spans);
    }
}
